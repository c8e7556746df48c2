"""Word documents through python-docx: headings by paragraph style ("Heading 1", "Title"), tables as rows with
their column headers. Offsets index the extracted text (paragraphs one after another, a blank line between)."""

from __future__ import annotations

import io

from netqa.documents.model import Block, BlockKind, ConversionError, Converted, row_text
from netqa.documents.text import blocks_of


def convert(data: bytes) -> Converted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, ValueError, KeyError, OSError) as exc:
        raise ConversionError(f"not a readable Word document ({type(exc).__name__})") from exc
    except Exception as exc:  # a damaged zip raises many kinds; one bad file must not stop the corpus
        raise ConversionError(f"not a readable Word document ({type(exc).__name__})") from exc
    parts: list[str] = []
    blocks: list[Block] = []
    title = document.core_properties.title or None

    def add(kind: BlockKind, content: str, item: bool = False) -> None:
        content = content.strip()
        if not content:
            return
        start = sum(len(p) for p in parts) + 2 * len(parts)
        parts.append(content)
        if kind is BlockKind.TEXT:
            text = "\n\n".join(parts)
            blocks.extend(blocks_of(text, start, start + len(content), first=False, cut_page_junk=False, item=item))
        else:
            blocks.append(Block(kind, start, start + len(content), content))

    for paragraph in document.paragraphs:
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        heading = style.startswith("Heading") or style == "Title"
        add(BlockKind.HEADING if heading else BlockKind.TEXT, paragraph.text, _is_list_item(paragraph, style))
        if style == "Title" and not title:
            title = paragraph.text.strip() or None
    for table in document.tables:
        rows = [[cell.text.strip() for cell in row.cells] for row in table.rows]
        headers = rows[0] if rows else []
        for cells in rows[1:]:
            add(BlockKind.ROW, row_text(headers, cells))
    if not blocks:
        raise ConversionError("the Word document holds no text")
    return Converted("\n\n".join(parts), tuple(blocks), title, None)


def _is_list_item(paragraph, style: str) -> bool:
    """A paragraph of a bulleted or numbered list: a list style ("List Bullet"), or numbering of its own."""
    properties = paragraph._p.pPr
    return style.startswith("List") or properties is not None and properties.numPr is not None
