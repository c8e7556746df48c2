"""HTML pages through trafilatura: the main content only (no navigation, "Previous topic", footers), headings
as sections, tables as rows with their column headers, code blocks kept whole.

The text that offsets index is built here from trafilatura's XML, one block after another with a blank line
between: it is what /source shows, and a saved index keeps it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from netqa.documents.model import Block, BlockKind, ConversionError, Converted, row_text
from netqa.documents.plain import decode
from netqa.documents.text import blocks_of

_BLOCK_TAGS = ("p", "list", "code", "table", "quote", "head")
_HEADERLINK = re.compile(r"[¶#]\s*$")  # Sphinx and MkDocs put a permalink sign after every heading
_LABEL_WORDS = 3  # a paragraph of at most this many words, without a sentence's end, names the one after it


def convert(data: bytes) -> Converted:
    import trafilatura
    from lxml import etree

    html, _ = decode(data)
    page, rows = _tables_as_rows(html)
    xml = trafilatura.extract(page, output_format="xml", include_tables=True, include_formatting=False,
                              include_links=False, include_comments=False, include_images=False,
                              with_metadata=True, favor_recall=True)
    if not xml:
        raise ConversionError("no main text found in the page")
    root = etree.fromstring(xml.encode("utf-8"))
    builder = _Builder(rows)
    main = root.find("main")
    builder.walk(main if main is not None else root)
    builder.finish()
    if not builder.blocks:
        raise ConversionError("no main text found in the page")
    title = _clean(root.get("title") or "") or next(
        (b.label for b in builder.blocks if b.kind is BlockKind.HEADING), None)
    text = builder.text()
    blocks: list[Block] = []
    for block in builder.blocks:  # a paragraph may still hold clauses or definitions, one line each
        blocks.extend(blocks_of(text, block.start, block.end, first=False, cut_page_junk=False, item=block.item)
                      if block.kind is BlockKind.TEXT else [block])
    return Converted(text, tuple(blocks), title, None,
                     {k: v for k, v in root.attrib.items() if k in ("sitename", "author", "date", "url")})


def _clean(text: str) -> str:
    return _HEADERLINK.sub("", " ".join(text.split())).strip()


def _tables_as_rows(html: str):
    """The page with each table row written as a paragraph that names its columns ("JSON: object; Python: dict"),
    and the set of those paragraphs. trafilatura keeps a table only where it stands alone: one inside a
    description list (Sphinx's conversion tables) comes out as one paragraph per cell."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        tree = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return html, frozenset()
    rows: set[str] = set()
    for table in tree.iter("table"):
        headers: list[str] = []
        rendered = []
        for tr in table.iter("tr"):
            cells = [_clean(cell.text_content()) for cell in tr if cell.tag in ("td", "th")]
            if not headers and cells and all(cell.tag == "th" for cell in tr if cell.tag in ("td", "th")):
                headers = cells
                continue
            if any(cells):
                rendered.append(row_text(headers, cells))
        if not rendered:
            continue
        replacement = etree.Element("div")
        for text in rendered:
            etree.SubElement(replacement, "p").text = text
            rows.add(text)
        replacement.tail = table.tail
        table.getparent().replace(table, replacement)
    return tree, frozenset(rows)


def _is_label(text: str) -> bool:
    """A paragraph that only names what follows: "Note", "Warning", "See also"."""
    words = text.split()
    return 0 < len(words) <= _LABEL_WORDS and text[0].isupper() and text[-1] not in ".!?:;,"


class _Builder:
    def __init__(self, rows: frozenset[str] = frozenset()) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.blocks: list[Block] = []
        self.rows = rows  # paragraphs that are table rows (see _tables_as_rows)
        self.label = ""  # a label paragraph waiting for the paragraph it names

    def text(self) -> str:
        return "".join(self.parts)

    def add(self, kind: BlockKind, content: str, label: str | None = None, item: bool = False) -> None:
        content = content.strip("\n") if kind is BlockKind.CODE else content.strip()
        if not content.strip():
            return
        if kind is BlockKind.TEXT and " ".join(content.split()) in self.rows:
            kind, label = BlockKind.ROW, " ".join(content.split())
        if self.label:
            if kind is BlockKind.TEXT:  # "Note" over a paragraph: "Note: The JSON produced ..."
                content = f"{self.label}: {content}"
            else:
                self._append(BlockKind.TEXT, self.label, None)
            self.label = ""
        self._append(kind, content, label, item)

    def finish(self) -> None:
        """A label left waiting at the end stands as it is."""
        if self.label:
            self._append(BlockKind.TEXT, self.label, None)
            self.label = ""

    def _append(self, kind: BlockKind, content: str, label: str | None, item: bool = False) -> None:
        if self.parts:
            self.parts.append("\n\n")
            self.length += 2
        start = self.length
        self.parts.append(content)
        self.length += len(content)
        self.blocks.append(Block(kind, start, self.length, label, item=item))

    def walk(self, element) -> None:
        for child in element:
            tag = child.tag
            if tag == "head":
                heading = _clean("".join(child.itertext()))
                self.add(BlockKind.HEADING, heading, heading)
            elif tag == "code":
                self.add(BlockKind.CODE, "".join(child.itertext()))
            elif tag == "list":
                self.items(list(child))
            elif tag == "p" or tag == "quote" and not any(c.tag in _BLOCK_TAGS for c in child):
                text = "".join(child.itertext())  # inline <code> and <hi> are words of it
                following = child.getnext()
                if _is_label(_clean(text)) and following is not None and following.tag == "p" \
                        and not _is_label(_clean("".join(following.itertext()))):
                    self.label = _clean(text)
                else:
                    self.add(BlockKind.TEXT, text)
            else:
                self.walk(child)

    def items(self, items) -> None:
        """A list's items; in a description list a term with a short value is one line ("Author: Peter Moody"),
        a term over a longer description its heading."""
        i = 0
        while i < len(items):
            item, rend = items[i], items[i].get("rend") or ""
            if rend.startswith("dt"):
                term = _clean("".join(item.itertext())).rstrip(":")
                value = items[i + 1] if i + 1 < len(items) else None
                short = _clean("".join(value.itertext())) if value is not None \
                    and (value.get("rend") or "").startswith("dd") else ""
                if short and len(short.split()) <= _LABEL_WORDS * 2 and short[-1] not in ".!?:":
                    self.add(BlockKind.TEXT, f"{term[:1].upper()}{term[1:]}: {short}")
                    i += 2
                    continue
                self.add(BlockKind.HEADING, term, term)
            elif any(c.tag in _BLOCK_TAGS for c in item):
                first = len(self.blocks)
                self.walk(item)
                if first < len(self.blocks) and self.blocks[first].kind is BlockKind.TEXT:
                    self.blocks[first] = replace(self.blocks[first], item=True)
            else:
                self.add(BlockKind.TEXT, "".join(item.itertext()), item=True)
            i += 1
