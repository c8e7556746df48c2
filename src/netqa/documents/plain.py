"""Plain text files: bytes -> text (UTF-8, else the encoding charset-normalizer finds) -> blocks (text.py)."""

from __future__ import annotations

from netqa.documents.model import BlockKind, ConversionError, Converted
from netqa.documents.text import blocks_of

_CONTROL = frozenset(range(0, 32)) - {9, 10, 12, 13}


def decode(data: bytes) -> tuple[str, str]:
    """The text of a file and the codec that read it: UTF-8 (with or without BOM) first, else the best guess of
    charset-normalizer; ConversionError for bytes that are no text in any encoding (a binary file)."""
    if b"\x00" in data[:8192]:
        raise ConversionError("not a text file (it holds NUL bytes)")
    try:
        return data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError as exc:
        failure = f"not UTF-8 ({exc.reason} at byte {exc.start})"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ConversionError(f"{failure}, and no other text encoding fits")
    text = str(best)
    controls = sum(1 for ch in text[:8192] if ord(ch) in _CONTROL)
    if controls > 0.01 * min(len(text), 8192):
        raise ConversionError(f"{failure}, and it does not read as text in any encoding")
    return text, best.encoding


def from_text(text: str, encoding: str | None) -> Converted:
    blocks = tuple(blocks_of(text))
    title = (blocks[0].label or None) if blocks and blocks[0].kind is BlockKind.HEADING else None
    return Converted(text, blocks, title, encoding)


def convert(data: bytes) -> Converted:
    return from_text(*decode(data))
