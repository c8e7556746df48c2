"""The records a document becomes: converted text with its structure (blocks), then passages and sentences."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path


class CorpusError(ValueError):
    """The corpus folder cannot be used (missing, empty, nothing readable); the message says why."""


class ConversionError(ValueError):
    """One file cannot be read as a document (bad encoding, encrypted PDF, no text layer); the message says why."""


class BlockKind(enum.Enum):
    HEADING = "heading"  # sets the section of the blocks after it
    TEXT = "text"  # prose: reflowed for display, split into sentences
    CODE = "code"  # kept whole and verbatim: never reflowed or split into sentences
    ROW = "row"  # a table row, shown with its column headers; one sentence


@dataclass(frozen=True, slots=True)
class Block:
    """A piece of a converted document's structure; `start`/`end` index `Converted.text`."""

    kind: BlockKind
    start: int
    end: int
    label: str | None = None  # a heading's text as shown (clause number and title); a row's "header: cell" text
    page: int | None = None  # set by paged converters (PDF), 1-based
    item: bool = False  # an item of a list or a lettered/numbered clause: what a lead-in ("... as follows:") introduces


def row_text(headers: list[str], cells: list[str]) -> str:
    """A table row as it reads with its column headers: "Function: dumps; Purpose: serialise to a str"."""
    named = zip(headers + [""] * (len(cells) - len(headers)), cells, strict=False)
    return "; ".join(f"{header}: {cell}" if header else cell for header, cell in named if cell)


@dataclass(frozen=True)
class Converted:
    """What a converter makes of one file: the text that offsets index (and /source shows), and its blocks."""

    text: str
    blocks: tuple[Block, ...]
    title: str | None = None
    # The codec the whole file was decoded with, when `text` is the file itself (offsets then index the file,
    # and a saved index re-reads it); None when the text was extracted (HTML, PDF, DOCX: the index keeps it).
    encoding: str | None = None
    metadata: dict = field(default_factory=dict)  # e.g. Markdown front matter


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str  # as displayed and quoted: reflowed (line breaks and indentation joined)
    start: int  # character offsets in the document's text
    end: int


@dataclass(frozen=True, slots=True)
class Passage:
    id: str
    doc_id: str
    document: str  # the document's title
    section: str
    text: str  # the sentences' texts joined by single spaces: prose as it reads, without the file's line breaks
    start: int  # character offsets of the passage in the document's text (for a .txt or .md file: the file)
    end: int
    sentences: tuple[Sentence, ...]
    path: str = ""  # the file's path inside the corpus folder
    page: int | None = None  # the PDF page the passage starts on
    kind: str = "text"  # the BlockKind value of its block: "text", "code" (verbatim) or "row" (a table row)

    def between(self, first: Sentence, last: Sentence) -> str:
        """The displayed text from sentence `first` to sentence `last` (both of this passage), as in `text`."""
        starts = [s.start for s in self.sentences]
        i, j = starts.index(first.start), starts.index(last.start)
        return " ".join(s.text for s in self.sentences[i:j + 1])


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    source: str
    path: Path
    text: str  # what passage offsets index: the file itself for text and Markdown, the extracted text otherwise
    passages: tuple[Passage, ...] = field(repr=False)
    sha256: str = ""
    relative_path: str = ""  # inside the corpus folder, with forward slashes
    format: str = "text"  # the converter's name
    encoding: str | None = "utf-8-sig"  # as in Converted: None when `text` is extracted, not the file decoded
    names: str = ""  # what the document is called (title, file name, initialisms): searchable


@dataclass(frozen=True)
class Skipped:
    """A file of the corpus folder that was not indexed, and why (one line for a person)."""

    path: str
    reason: str
