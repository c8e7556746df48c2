"""Markdown files through markdown-it-py: headings, lists, tables (a row with its column headers), code blocks
kept whole, front matter as metadata. Offsets index the file itself.

A file without any Markdown block syntax but `#` headings (most notes, and the 60,000 files of the Debian
benchmark) takes the plain-text path: the parser would find the same blocks, ten times slower.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from netqa.documents.model import Block, BlockKind, Converted, row_text
from netqa.documents.plain import decode, from_text
from netqa.documents.text import blocks_of

# Lines that only a Markdown parser reads right: fences, indented code, tables, quotes, setext underlines,
# HTML blocks, front matter, lists.
_NEEDS_PARSER = re.compile(r"^(?:```|~~~|    \S|\t|\||>|<[a-zA-Z!]|---|===|[ \t]*[-*+][ \t]|[ \t]*\d+[.)][ \t])",
                           re.MULTILINE)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_MARKUP = re.compile(r"[*_`\[<\\~]")  # no inline markup without one of these
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_HELD = re.compile("\ue000(\\d+)\ue001")
# Inline markup -> its words, in this order: images and links keep their text, autolinks their address, emphasis
# and strike-through their words, inline HTML tags go, a backslash escape gives the character itself.
_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])"), r"\1"),
    (re.compile(r"<((?:[a-z][a-z0-9+.-]*:|www\.)[^>\s]+)>", re.IGNORECASE), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*\\])\*(?=[^\s*])(.+?)(?<=[^\s*\\])\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w\\])_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)"), r"\1"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>"), ""),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])"), r"\1"),
)


def convert(data: bytes) -> Converted:
    text, encoding = decode(data)
    if not _NEEDS_PARSER.search(text):
        return from_text(text, encoding)
    return _parsed(text, encoding)


def inline_text(text: str) -> str:
    """Markdown's inline markup as the words a reader sees: "see the **`-9`** option in [the manual](x.html)" ->
    "see the -9 option in the manual". Code spans are kept as written, less their backticks."""
    if not _MARKUP.search(text):
        return text
    spans: list[str] = []

    def hold(match: re.Match) -> str:  # code spans wait aside, so no markup rule reads inside them
        spans.append(match.group(2).strip() or match.group(2))
        return f"\ue000{len(spans) - 1}\ue001"

    plain = _plain_inline(_CODE_SPAN.sub(hold, text))
    return _HELD.sub(lambda m: spans[int(m.group(1))], plain) if spans else plain


def _plain_inline(text: str) -> str:
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text


def _front_matter(text: str) -> tuple[dict, int]:
    """Simple `key: value` front matter, and where the document proper starts."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    fields = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t", "#")):
            fields[key.strip()] = value.strip().strip("\"'")
    return fields, match.end()


def _parsed(text: str, encoding: str) -> Converted:
    from markdown_it import MarkdownIt

    metadata, body = _front_matter(text)
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def offset(line: int) -> int:
        return line_starts[line] if line < len(line_starts) else len(text)

    first_line = bisect_right(line_starts, body) - 1 if body else 0
    tokens = MarkdownIt("commonmark").enable("table").parse(text[body:] if body else text)
    shift = first_line
    blocks: list[Block] = []
    headers: list[str] = []
    row: list[str] = []
    in_head = False
    for i, token in enumerate(tokens):
        lines = (token.map[0] + shift, token.map[1] + shift) if token.map else None
        if token.type == "heading_open" and lines:
            label = inline_text(tokens[i + 1].content.strip())
            blocks.append(Block(BlockKind.HEADING, _strip(text, offset(lines[0]), offset(lines[1]))[0],
                                _strip(text, offset(lines[0]), offset(lines[1]))[1], label))
        elif token.type in ("fence", "code_block") and lines:
            top, bottom = (lines[0] + 1, lines[1] - 1) if token.type == "fence" else lines
            start, end = _strip(text, offset(top), offset(bottom))
            if end > start:
                blocks.append(Block(BlockKind.CODE, start, end))
        elif token.type == "paragraph_open" and lines and not _inside(tokens, i, "table_open"):
            blocks.extend(b for b in blocks_of(text, offset(lines[0]), offset(lines[1]), first=False,
                                               cut_page_junk=False))
        elif token.type == "thead_open":
            in_head, headers = True, []
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            row = []
            row_lines = lines
        elif token.type == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            (headers if in_head else row).append(inline_text(token.content.strip()))
        elif token.type == "tr_close" and not in_head and row and row_lines:
            start, end = _strip(text, offset(row_lines[0]), offset(row_lines[1]))
            label = row_text(headers, row)
            blocks.append(Block(BlockKind.ROW, start, end, label))
    title = metadata.get("title")
    if not title and blocks and blocks[0].kind is BlockKind.HEADING:
        title = blocks[0].label
    return Converted(text, tuple(blocks), title, encoding, metadata)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the whitespace around it."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _inside(tokens, i: int, opener: str) -> bool:
    level = tokens[i].level
    for token in reversed(tokens[:i]):
        if token.level < level:
            return token.type == opener
    return False
