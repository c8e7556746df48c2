"""PDF files through pypdf: the text layer page by page, running heads and page numbers dropped, then the
plain-text rules on each page; every block knows its page. Offsets index the extracted text (kept in the
saved index, shown by /source)."""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import replace

from netqa.documents.model import Block, BlockKind, ConversionError, Converted
from netqa.documents.text import blocks_of

_PAGE_NUMBER = re.compile(r"(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?|[ivxlc]{1,6}", re.IGNORECASE)
_EDGE_LINES = 2  # running heads and feet are looked for among a page's first and last lines
_LEADER = re.compile(r"(?:\.\s?){4,}\s*\d*\s*$")  # a table of contents line: "2.1. NAME . . . . . 2"
_ENDS_SENTENCE = re.compile(r"[.:!?][\"'”’)\]]*$")
_BULLET = re.compile(r"[•·▪◦‣*-]\s")
_NUMBERED = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.\s+\S")
_WRAPPED_WORDS = re.compile(r"[a-z][\w-]*(?: [\w-]+){0,2}")  # a few words in lower case, no code or sentence end
MIN_TEXT_CHARS = 20  # less than this over the whole file: no text layer (a scan)


def convert(data: bytes) -> Converted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    quiet = logging.getLogger("pypdf")  # a damaged file is reported once, by the caller, not line by line
    level, quiet.level = quiet.level, logging.CRITICAL
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ConversionError("the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or None
    except ConversionError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, IndexError, AttributeError) as exc:
        raise ConversionError(f"the PDF cannot be read ({type(exc).__name__}: {exc})") from exc
    except Exception as exc:  # pypdf raises many kinds on a damaged file; one bad file must not stop the corpus
        raise ConversionError(f"the PDF cannot be read ({type(exc).__name__})") from exc
    finally:
        quiet.level = level
    if sum(len(p.strip()) for p in pages) < MIN_TEXT_CHARS:
        raise ConversionError("the PDF has no text layer (a scan?)")
    return from_pages(pages, title.strip() if title else None)


def from_pages(pages: list[str], title: str | None = None) -> Converted:
    """The text layer's pages (as extracted) as one converted document whose blocks know their page."""
    # NFKC: the ligatures of typeset text ("ﬁle") read as letters; paragraphs get the blank lines a PDF lacks.
    pages = [_paragraphs(page) for page in _without_running_lines([unicodedata.normalize("NFKC", p) for p in pages])]
    text, at = "", 0
    blocks: list[Block] = []
    for number, page in enumerate(pages, 1):
        if text:
            text += "\n\n"
        at = len(text)
        text += page
        found = [replace(b, page=number) for b in blocks_of(text, at, len(text), first=number == 1,
                                                            cut_page_junk=False)]
        if found and blocks and _runs_on(text, blocks[-1], found[0]):
            # A paragraph cut by the page break is one passage, cited on the page it starts on.
            blocks[-1] = replace(blocks[-1], end=found.pop(0).end)
        blocks.extend(found)
    if not title and blocks and blocks[0].label:
        title = blocks[0].label
    return Converted(text, tuple(blocks), title, None)


def _runs_on(text: str, last: Block, first: Block) -> bool:
    """Whether the first block of a page continues the last of the page before: prose that stopped without a
    sentence's end, going on in prose."""
    return last.kind is BlockKind.TEXT and first.kind is BlockKind.TEXT \
        and not _ENDS_SENTENCE.search(text[last.start:last.end].rstrip()) \
        and not _BULLET.match(text, first.start) and not _NUMBERED.match(text, first.start)


def _paragraphs(page: str) -> str:
    """A page's lines with a blank line wherever a paragraph ends: after a line that ends a sentence well short
    of the page's full line width, and around short heading lines ("2.3. DESCRIPTION") and before list items."""
    lines = [line.rstrip() for line in page.splitlines() if line.strip() and not _LEADER.search(line)]
    if not lines:
        return ""
    lengths = sorted(len(line) for line in lines)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    out = [lines[0]]
    joined = False  # whether out[-1] is a heading with its wrapped words joined on
    for line in lines[1:]:
        before = out[-1]
        ended = _ENDS_SENTENCE.search(before) and len(before) < 0.85 * width
        numbered = _NUMBERED.match(before) and _heading_like(before, width)  # "3.3.4. BZ2_bzDecompressInit"
        if numbered and not joined and (_WRAPPED_WORDS.fullmatch(line) or before.isupper()
                                        and _WRAPPED_WORDS.fullmatch(line.lower()) and line.isupper()):
            # A heading's last words wrapped onto a line of their own: "... stdio-free" "environment", "... DAMAGED"
            # "FILES".
            out[-1], joined = f"{before} {line}", True
            continue
        joined = False
        if ended or _BULLET.match(line) or _label(line, width) or numbered or not _continues(line) and (
                _heading_like(line, width) or _heading_like(before, width)):
            out.append("")
        out.append(line)
    return "\n".join(out)


def _continues(line: str) -> bool:
    """A line whose first word is in lower case goes on with the line above it, whatever that looks like: the
    description under a term ("BZ_PARAM_ERROR" over "if strm is NULL"), the rest of a wrapped sentence."""
    return line.lstrip("(\"'“‘")[:1].islower()


def _label(line: str, width: int) -> bool:
    """A short line that introduces a list ("Possible return values:") starts a paragraph of its own."""
    return line.endswith(":") and line[:1].isupper() and len(line.split()) <= 6 and len(line) < 0.6 * width


def _heading_like(line: str, width: int) -> bool:
    words = line.split()
    return len(words) <= 8 and len(line) < 0.6 * width and not _ENDS_SENTENCE.search(line) \
        and not line.rstrip().endswith(",") and (bool(_NUMBERED.match(line)) or line[:1].isupper())


def _without_running_lines(pages: list[str]) -> list[str]:
    """Each page's text without its page number and the running head or foot repeated on most pages."""
    def key(line: str) -> str:
        return re.sub(r"\d+", "#", " ".join(line.split()).lower())

    edges: Counter[str] = Counter()
    split = [page.splitlines() for page in pages]
    for lines in split:
        filled = [line for line in lines if line.strip()]
        edges.update({key(line) for line in filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]})
    repeated = {k for k, n in edges.items() if n >= max(3, 0.1 * len(pages))}
    cleaned = []
    for lines in split:
        numbers = [i for i, line in enumerate(lines) if line.strip()]
        edge = set(numbers[:_EDGE_LINES] + numbers[-_EDGE_LINES:])
        kept = [line.rstrip() for i, line in enumerate(lines)
                if not (i in edge and (key(line) in repeated or _PAGE_NUMBER.fullmatch(line.strip())))]
        cleaned.append("\n".join(kept).strip("\n"))
    return cleaned
