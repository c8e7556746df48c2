"""Blocks -> passages: the section each passage sits under, its sentences, and text reflowed for display.

Offsets (`start`/`end`) always index the document's text exactly; `text` is what a reader sees and a quote
repeats: hard-wrapped lines and indentation joined into prose ("non-\\n   exclusive" -> "non-exclusive").
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable

from netqa.documents.model import Block, BlockKind, Converted, Passage, Sentence
from netqa.documents.text import MARKER, is_title_case, words_of

MAX_PASSAGE_WORDS = 120  # longer paragraphs are split at sentence ends, so a citation stays readable

# A period after these is not the end of a sentence.
_ABBREVIATIONS = {"dr", "mr", "mrs", "ms", "prof", "st", "vs", "etc", "inc", "ltd", "jr", "sr",
                  "no", "fig", "approx", "e.g", "i.e", "al", "co", "corp", "dept", "mt", "cf", "sec", "art"}
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_WRAPPED_HYPHEN = re.compile(r"(?<=[^\W\d_]-)[ \t]*\r?\n\s*(?=[^\W\d_])")
_BOX_FRAME = re.compile(r"[ \t]*\*[ \t]*\r?\n[ \t]*\*")  # "... as is" *\n*  basis ..." inside a box of asterisks
_LEAD_BULLET = re.compile(r"[-*+•·▪◦‣][ \t]+")
_SHORT_FRAGMENT_WORDS = 5


def reflow(raw: str) -> str:
    """Text as prose: line breaks and runs of spaces become one space; a word hyphenated across lines is joined."""
    if "\n" in raw:
        raw = _BOX_FRAME.sub(" ", _WRAPPED_HYPHEN.sub("", raw))
    return " ".join(raw.split())


def shown_by(format_name: str) -> Callable[[str], str]:
    """How a stretch of a document of this format reads: reflowed, and for Markdown without its inline markup
    (offsets still index the file; only what passages show and quote changes)."""
    if format_name == "markdown":
        from netqa.documents.markdown import inline_text

        return lambda raw: inline_text(reflow(raw))
    return reflow


def sentences(text: str, start: int, end: int, shown: Callable[[str], str] = reflow) -> list[Sentence]:
    """The sentences of text[start:end], as `shown` makes them read. Neither a clause number ("5.", "1.1.",
    "Section 3.") nor a short title-case fragment ("Submission of Contributions.") is a sentence of its own: it
    joins the next."""
    if bullet := _LEAD_BULLET.match(text, start, end):
        start = bullet.end()
    out, at = [], start
    for match in _BOUNDARY.finditer(text, start, end):
        candidate = text[at:match.start() + 1]
        before = candidate.split()
        last_word = before[-1].rstrip(".").lower() if before else ""
        if last_word in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", last_word):
            continue  # "Dr. Chan", "U.S. Food", "M.D. said"
        if _not_a_sentence(candidate):
            continue
        stop = match.start() + len(match.group().rstrip())
        out.append(Sentence(shown(text[at:stop]), at, stop))
        at = match.end()
    if at < end:
        out.append(Sentence(shown(text[at:end]), at, end))
    return out


def _not_a_sentence(candidate: str) -> bool:
    stripped = candidate.strip()
    marker = MARKER.match(stripped + " x")
    if marker and marker.end() >= len(stripped):
        return True  # only a clause number
    words = words_of(stripped)
    return len(words) <= _SHORT_FRAGMENT_WORDS and is_title_case(words) and not any(
        w.islower() and len(w) > 3 for w in words)


def _grouped(found: list[Sentence]) -> list[tuple[Sentence, ...]]:
    """A paragraph's sentences in passages of at most MAX_PASSAGE_WORDS words."""
    groups: list[list[Sentence]] = [[]]
    words = 0
    for sentence in found:
        n = len(sentence.text.split())
        if groups[-1] and words + n > MAX_PASSAGE_WORDS:
            groups.append([])
            words = 0
        groups[-1].append(sentence)
        words += n
    return [tuple(group) for group in groups if group]


def passages_of(converted: Converted, doc_id: str, title: str, path: str,
                format_name: str = "text") -> tuple[Passage, ...]:
    """The passages of a converted document (ids doc_id-p01, -p02 ...), each under the last heading before it."""
    text = converted.text
    shown = shown_by(format_name)
    out: list[Passage] = []
    section = title
    blocks = list(converted.blocks)
    if blocks and blocks[0].kind is BlockKind.HEADING and blocks[0].label == title:
        blocks = blocks[1:]
    for block in blocks:
        if block.kind is BlockKind.HEADING:
            if block.label is not None:
                section = block.label or title  # "": back to the document's own section
            continue
        for group in _sentence_groups(text, block, shown):
            start, end = group[0].start, group[-1].end
            out.append(Passage(f"{doc_id}-p{len(out) + 1:02d}", doc_id, title, section,
                               " ".join(s.text for s in group), start, end, group, path, block.page,
                               block.kind.value))
    return tuple(out)


def _sentence_groups(text: str, block: Block, shown: Callable[[str], str]) -> list[tuple[Sentence, ...]]:
    if block.kind is BlockKind.TEXT:
        return _grouped(sentences(text, block.start, block.end, shown))
    # Code is kept whole and verbatim (less the indentation all its lines share); a table row is shown with its
    # column headers.
    whole = block.label if block.label is not None else _verbatim(text, block.start, block.end)
    return [(Sentence(whole, block.start, block.end),)] if whole.strip() else []


def _verbatim(text: str, start: int, end: int) -> str:
    """text[start:end] as written, less the indentation its lines share (that of the first line included)."""
    raw = text[start:end]
    if "\n" not in raw:
        return raw
    line_start = text.rfind("\n", 0, start) + 1
    return textwrap.dedent(text[line_start:start].replace(text[line_start:start].lstrip(), "") + raw).strip("\n")
