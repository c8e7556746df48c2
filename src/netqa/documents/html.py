"""HTML pages through trafilatura: the main content only (no navigation, "Previous topic", footers), headings
as sections, tables as rows with their column headers, code blocks kept whole.

The text that offsets index is built here from trafilatura's XML, one block after another with a blank line
between: it is what /source shows, and a saved index keeps it.
"""

from __future__ import annotations

import re

from netqa.documents.model import Block, BlockKind, ConversionError, Converted, row_text
from netqa.documents.plain import decode
from netqa.documents.text import blocks_of

_BLOCK_TAGS = ("p", "list", "code", "table", "quote", "head")
_HEADERLINK = re.compile(r"[¶#]\s*$")  # Sphinx and MkDocs put a permalink sign after every heading


def convert(data: bytes) -> Converted:
    import trafilatura
    from lxml import etree

    html, _ = decode(data)
    xml = trafilatura.extract(html, output_format="xml", include_tables=True, include_formatting=False,
                              include_links=False, include_comments=False, include_images=False,
                              with_metadata=True, favor_recall=True)
    if not xml:
        raise ConversionError("no main text found in the page")
    root = etree.fromstring(xml.encode("utf-8"))
    builder = _Builder()
    main = root.find("main")
    builder.walk(main if main is not None else root)
    if not builder.blocks:
        raise ConversionError("no main text found in the page")
    title = _clean(root.get("title") or "") or next(
        (b.label for b in builder.blocks if b.kind is BlockKind.HEADING), None)
    text = builder.text()
    blocks = []
    for block in builder.blocks:  # a paragraph may still hold clauses or definitions, one line each
        blocks.extend(blocks_of(text, block.start, block.end, first=False, cut_page_junk=False)
                      if block.kind is BlockKind.TEXT else [block])
    return Converted(text, tuple(blocks), title, None,
                     {k: v for k, v in root.attrib.items() if k in ("sitename", "author", "date", "url")})


def _clean(text: str) -> str:
    return _HEADERLINK.sub("", " ".join(text.split())).strip()


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.blocks: list[Block] = []

    def text(self) -> str:
        return "".join(self.parts)

    def add(self, kind: BlockKind, content: str, label: str | None = None) -> None:
        content = content.strip("\n") if kind is BlockKind.CODE else content.strip()
        if not content.strip():
            return
        if self.parts:
            self.parts.append("\n\n")
            self.length += 2
        start = self.length
        self.parts.append(content)
        self.length += len(content)
        self.blocks.append(Block(kind, start, self.length, label))

    def walk(self, element) -> None:
        for child in element:
            tag = child.tag
            if tag == "head":
                heading = _clean("".join(child.itertext()))
                self.add(BlockKind.HEADING, heading, heading)
            elif tag == "code":
                self.add(BlockKind.CODE, "".join(child.itertext()))
            elif tag == "table":
                self.table(child)
            elif tag == "list":
                for item in child:
                    self.item(item)
            elif tag == "p" or tag == "quote" and not any(c.tag in _BLOCK_TAGS for c in child):
                self.add(BlockKind.TEXT, "".join(child.itertext()))  # inline <code> and <hi> are words of it
            else:
                self.walk(child)

    def item(self, item) -> None:
        rend = item.get("rend") or ""
        if rend.startswith("dt"):
            term = _clean("".join(item.itertext())).rstrip(":")
            self.add(BlockKind.HEADING, term, term)
        elif any(c.tag in _BLOCK_TAGS for c in item):
            self.walk(item)
        else:
            self.add(BlockKind.TEXT, "".join(item.itertext()))

    def table(self, table) -> None:
        headers: list[str] = []
        for row in table.iter("row"):
            cells = [_clean("".join(cell.itertext())) for cell in row if cell.tag == "cell"]
            if not headers and (row.get("role") == "head" or any(c.get("role") == "head" for c in row)):
                headers = cells
                continue
            self.add(BlockKind.ROW, row_text(headers, cells))
