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
_ITEM_MARK = "• "
_LABEL_WORDS = 3  # a paragraph of at most this many words, without a sentence's end, names the one after it


def convert(data: bytes) -> Converted:
    import trafilatura
    from lxml import etree

    html, _ = decode(data)
    page, rows = _tables_as_rows(html)
    code = _plain_code(page)
    _footnotes_shown(page)
    _notes_shown(page)
    xml = trafilatura.extract(page, output_format="xml", include_tables=True, include_formatting=False,
                              include_links=False, include_comments=False, include_images=False,
                              with_metadata=True, favor_recall=True)
    if not xml:
        raise ConversionError("no main text found in the page")
    root = etree.fromstring(xml.encode("utf-8"))
    builder = _Builder(rows, code)
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


def _plain_code(page) -> dict[str, str]:
    """Each <pre> as its bare text: trafilatura collapses the lines of a highlighted one (Sphinx's spans) that
    stands in a list or a description, making a program one run-on sentence. Returns each one's text by its words
    (trafilatura gives some, inside a list or a description, as a quotation: they are code all the same)."""
    if isinstance(page, str):
        return {}
    code = {}
    for pre in page.iter("pre"):
        text = pre.text_content()
        if len(pre):
            for child in list(pre):
                pre.remove(child)
            pre.text = text
        code[" ".join(text.split())] = text
    return code


def _footnotes_shown(page) -> None:
    """Footnotes as text under their heading: Sphinx writes them as <aside> elements, which trafilatura drops as
    page furniture, under a "rubric" paragraph ("Footnotes"), which is a heading of no level."""
    if isinstance(page, str):
        return
    for aside in page.xpath("//aside[contains(@class, 'footnote')]"):
        aside.tag = "div"
    for rubric in page.xpath("//p[contains(concat(' ', normalize-space(@class), ' '), ' rubric ')]"):
        rubric.tag = "h4"


def _notes_shown(page) -> None:
    """A note or warning box (docutils' and MkDocs' "admonition") with its links as plain words: trafilatura drops a
    paragraph dense with links as navigation, and a note that names the functions it is about ("Unlike pickle and
    marshal, ... repeated calls to dump() ...") is all links."""
    if isinstance(page, str):
        return
    for link in page.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), ' admonition ')]//a"):
        link.drop_tag()


def _is_label(text: str) -> bool:
    """A paragraph that only names what follows: "Note", "Warning", "See also"; not a field ("Source code: x")."""
    words = text.split()
    return 0 < len(words) <= _LABEL_WORDS and text[0].isupper() and text[-1] not in ".!?:;," and ":" not in text


def _reference(signature: str) -> str:
    """How the docs refer to a described object: "tempfile.TemporaryFile()" for the signature
    "tempfile.TemporaryFile(mode='w+b', ...)" (as Sphinx writes a reference to it); any other term as it is."""
    return f"{_name(signature)}()" if "(" in signature else signature


def _name(signature: str) -> str:
    """What a described object is called, without its parameters: "class tempfile.SpooledTemporaryFile"."""
    return signature.split("(", 1)[0].strip()


class _Builder:
    """trafilatura's XML -> the text and its blocks. A described object (a dt over its dd: a function's
    signature) heads its description only: after the list, the section is again the one around it."""

    def __init__(self, rows: frozenset[str] = frozenset(), code: dict[str, str] | None = None) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.blocks: list[Block] = []
        self.rows = rows  # paragraphs that are table rows (see _tables_as_rows)
        self.code = code or {}  # the page's <pre> texts by their words (see _plain_code)
        self.label = ""  # a label paragraph waiting for the paragraph it names
        self.section = ""  # the label of the last heading ("" the document's own section)
        self.described: list[str] = []  # the names of the objects whose descriptions the walk is inside
        self.item = False  # the next paragraph opens a list item

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

    def heading(self, text: str) -> None:
        self.add(BlockKind.HEADING, text, text)
        self.section = text

    def back_to(self, section: str) -> None:
        """The section of what follows is `section` again (a heading block of no text)."""
        if section != self.section:
            self.blocks.append(Block(BlockKind.HEADING, self.length, self.length, section))
            self.section = section

    def _append(self, kind: BlockKind, content: str, label: str | None, item: bool = False) -> None:
        if self.parts:
            self.parts.append("\n\n")
            self.length += 2
        if kind is BlockKind.TEXT and self.item:
            item, self.item = True, False
        elif kind is not BlockKind.HEADING:
            self.item = False  # an item that opens with code or a table has no first paragraph to mark
        if item and kind is BlockKind.TEXT:
            content = f"{_ITEM_MARK}{content}"  # the text /source shows marks a list's items, as the page does
        start = self.length
        self.parts.append(content)
        self.length += len(content)
        self.blocks.append(Block(kind, start, self.length, label, item=item))

    def walk(self, element) -> None:
        for child in element:
            tag = child.tag
            if tag == "head":
                self.heading(_clean("".join(child.itertext())))
            elif tag == "code":
                self.add(BlockKind.CODE, "".join(child.itertext()))
            elif tag == "list":
                self.items(list(child))
            elif tag == "quote" and (program := self.code.get(" ".join("".join(child.itertext()).split()))):
                self.add(BlockKind.CODE, program)  # a <pre> that trafilatura gives as a quotation
            elif tag == "p" or tag == "quote" and not any(c.tag in _BLOCK_TAGS for c in child):
                text = "".join(child.itertext())  # inline <code> and <hi> are words of it
                following = child.getnext()
                if _is_label(_clean(text)) and following is not None and following.tag in ("p", "list") \
                        and not _is_label(_clean("".join(following.itertext()))):
                    self.label = _clean(text)
                else:
                    self.add(BlockKind.TEXT, text)
            else:
                self.walk(child)

    def items(self, items) -> None:
        """A list's items; in a description list a term with a short value is one line ("Author: Peter Moody"),
        a term over a longer description its heading."""
        around, described = self.section, False
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
                # A method described inside its class: "class tempfile.SpooledTemporaryFile: rollover()"; a term
                # under a label: "See also: Coverage.py".
                label = ": ".join([self.label] * bool(self.label) + self.described[-1:] + [_reference(term)])
                self.label = ""
                self.add(BlockKind.HEADING, term, label)
                self.section, described = label, True
                if value is not None and (value.get("rend") or "").startswith("dd"):
                    self.described.append(_name(term))
                    self.walk(value)
                    self.described.pop()
                    i += 2
                    continue
            elif any(c.tag in _BLOCK_TAGS for c in item):
                self.item = True  # the item's first paragraph is the item
                self.walk(item)
                self.item = False
            else:
                self.add(BlockKind.TEXT, "".join(item.itertext()), item=True)
            i += 1
        if described:
            self.back_to(around)
