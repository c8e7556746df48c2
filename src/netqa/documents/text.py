"""Plain text -> blocks: paragraphs, numbered clauses and their titles, definitions, underlined and boxed headings.

The rules, in the order they apply:
- blank lines and rule lines (`-----`, `=====`, `* * *`) separate paragraphs; a rule line is never a passage;
- a line underlined with `===` / `---`, or boxed between two rule lines, is a heading; so is an outline
  heading (`* Noteworthy changes in release 3.8`, `** Bug fixes`) in a file written in Emacs's outline style,
  and a Debian changelog entry's first line (`apt (2.4.0) unstable; urgency=medium`);
- headings of such a style nest: one underlined with a character seen later than another's, or with more
  stars, is a part of the one above it, and its section names both ("... release 3.8: Bug fixes");
- inside a paragraph, a line that opens a numbered or lettered clause (`1.`, `1.1`, `(a)`, `a)`, `Section 3.`),
  a definition (`"X" shall mean ...`) or a bullet starts a new block, provided the line before it ended a
  sentence (a hard-wrapped line that happens to start with "11 of the treaty" continues its sentence);
- a clause whose first words are a short title ("2. Grant of Copyright License. Subject to ...") gives a
  heading ("2. Grant of Copyright License") and a body; a clause that is only a title is a heading;
- a short line without a sentence's end, followed by prose or a clause, is a heading; the first paragraph is the
  title when it is a few short lines (centred titles such as "GNU GENERAL PUBLIC LICENSE / Version 3");
- a URL on its own is never a heading or a passage: it joins the text before it;
- page furniture at the end of a scraped page (share buttons, menus, a disclaimer about the page) is cut.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from netqa.documents.model import Block, BlockKind
from netqa.text import stopwords

MAX_HEADING_WORDS = 14
_LONGEST_HEADING = 200  # characters: a line longer than this is never a heading of 14 words
_QUOTES = "\"“‘'`"
MAX_TITLE_WORDS = 10  # a clause title ("Grant of Copyright License") is short
MAX_TITLE_LINES = 4
_WRAPPED_TITLE_WORDS = 4  # the last words of a clause title wrapped onto a line of their own
_FURNITURE_FROM = 2 / 3  # page furniture stands in the last third of a page's paragraphs,
_PROSE_AFTER_FURNITURE = 2  # or has at most this many paragraphs of prose after it
_FULL_LINE = 0.85  # a hard-wrapped line this share of the paragraph's widest line or wider was filled, not ended

_RULE = re.compile(r"[ \t]*([-=*_~#+.•^])(?:[ \t]?\1){2,}[ \t]*")
_FRAMED = re.compile(r"\*(.*)\*")  # a line of a box drawn with asterisks, its text inside
_BOX = re.compile(r"[ \t]*([*#|])[ \t]+(\S.*?)[ \t]+\1[ \t]*")
_URL = re.compile(r"[ \t]*<?(?:[a-z][a-z0-9+.-]*://|www\.)\S+?>?[.,;]?[ \t]*", re.IGNORECASE)
_HAS_URL = re.compile(r"[a-z][a-z0-9+.-]*://|www\.|\S@\S+\.\w", re.IGNORECASE)
_NUMBER = r"\d{1,3}(?:\.\d{1,3})+\.?|\d{1,3}[.)]"
# "Section 3." or "Section 3 Grants" opens a clause; "Section 6 states ..." starting a wrapped line refers to one.
MARKER = re.compile(
    rf"(?:\([ \t]*(?:\d{{1,3}}|[A-Za-z]|[ivxIVX]{{1,5}})[ \t]*\)|{_NUMBER}|[A-Za-z][.)])[ \t]+(?=\S)"
    r"|(?:Section|SECTION|Article|ARTICLE|Clause|CLAUSE)[ \t]+\d{1,3}(?:\.\d{1,3})*"
    r"(?:[.:][ \t]+(?=\S)|[ \t]+(?=[A-Z\"“(]))")
_ATX = re.compile(r"#{1,6}(?:[ \t]|$)")  # a Markdown heading line stands alone, in .txt files too
_BULLET = re.compile(r"[-*+•·▪◦‣][ \t]+(?=\S)")
_SENTENCE_END = re.compile(r"[.:;!?][\"'”’)\]]*$")
_CITED_SECTION = re.compile(r"\b[Ss]ections?\s+\d")  # "under Section 2", "sections 15 and 16"
_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
_TITLE_END = re.compile(r"(?<!\b[A-Za-z])\.[ \t]+(?=[\"“(]?[A-Z0-9])")  # not the "S. " of "U.S. GOVERNMENT"
_SENTENCE_END_PROSE = re.compile(r"[.!?][\"'”’)\]]*(?:\s|$)")  # a sentence's end: prose, not a command
_FIELD = re.compile(r"[A-Z][\w-]*(?: [\w-]+)?:[ \t]+\S.{0,40}")  # "License: BSD-3-clause", a field with a short value
_URL_FIELD = re.compile(r"[A-Z][\w-]*:[ \t]+<?[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_CODE_CHARS = re.compile(r"[(){}\[\]=<>$|\\/;_@]")
_OUTLINE = re.compile(r"(\*{1,6})[ \t]+(\S.*)")  # "** Bug fixes" at the start of a line
# An Emacs mode line ("-*- outline -*-", "-*- mode: outline; coding: utf-8 -*-") says how the file is edited.
_MODE_LINE = re.compile(r"[ \t]*-\*-[ \t]*(.*?)[ \t]*-\*-(?:[ \t]*\([\w-]+\))?")
# "apt (2.4.0) unstable; urgency=medium": an entry of a Debian changelog or NEWS.Debian file (deb-changelog(5)).
_ENTRY = re.compile(r"[a-z0-9][a-z0-9+.-]* \([^()\s]+\)(?:[ \t]+[\w./+-]+)+;[ \t]*urgency=\S+.*")


@lru_cache(maxsize=1)
def _definition() -> re.Pattern:
    """A quoted term, maybe "(or "Your")" and a word such as "form", then a defining verb (data/definitions.txt)."""
    raw = resources.files("netqa.data").joinpath("definitions.txt").read_text(encoding="utf-8")
    verbs = sorted((line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")),
                   key=len, reverse=True)
    verb = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in verbs)
    return re.compile(rf"(?:``|''|[\"“‘'])[^\"“”\n]{{1,60}}?(?:''|[\"”’'])(?:\s*\([^)\n]{{0,40}}\))?"
                      rf"(?:\s+[a-z]+)?\s+(?:{verb})\b")


def defines_by_list(text: str) -> bool:
    """A definition that stops at its verb, its meaning in the list below it: '1.5. "Incompatible With Secondary
    Licenses" means' over "(a) ...; or (b) ..."."""
    found = _definition().search(text)
    return found is not None and found.end() == len(text.rstrip())


@dataclass(frozen=True, slots=True)
class _Line:
    start: int  # of the first non-blank character
    end: int  # after the last non-blank character
    indent: int
    text: str  # stripped


@dataclass
class _Chunk:
    """Consecutive lines that make one block (or a clause: heading plus body) before classification."""

    lines: list[_Line]
    heading: str | None = None  # decided by structure (underline, box, clause title, title)
    clause: bool = False
    body_start: int | None = None  # where a titled clause's body starts
    code: bool = False  # lines kept verbatim (an example under "then:")
    item: bool = False  # an item of an outline ("** Self-check improvements.", its stars left out): never a heading
    level: int | None = None  # a heading's (or outline item's) depth in an outline of nested headings

    @property
    def start(self) -> int:
        return self.lines[0].start

    @property
    def end(self) -> int:
        return self.lines[-1].end

    @property
    def one_line(self) -> str | None:
        return self.lines[0].text if len(self.lines) == 1 else None


def lines_of(text: str, start: int = 0, end: int | None = None) -> list[_Line | None]:
    """The lines of text[start:end], None for a blank one."""
    out: list[_Line | None] = []
    offset, stop = start, len(text) if end is None else end
    for raw in text[start:stop].splitlines(keepends=True):
        line_start, offset = offset, offset + len(raw)
        stripped = raw.strip()
        if not stripped or stripped == ".":  # a lone "." separates paragraphs inside a field (Debian's files)
            out.append(None)
            continue
        lead = len(raw) - len(raw.lstrip())
        indent = len(raw[:lead].expandtabs(8)) if "\t" in raw[:lead] else lead  # the column a tab reaches
        out.append(_Line(line_start + lead, line_start + len(raw.rstrip()), indent, stripped))
    return out


def blocks_of(text: str, start: int = 0, end: int | None = None, first: bool = True,
              cut_page_junk: bool = True, item: bool = False) -> list[Block]:
    """The blocks of text[start:end] by the rules in the module docstring; `first`: it opens the document;
    `item`: it is a list item the converter marked (HTML, Word), and its first block stays one, whatever its
    text looks like."""
    chunks = _chunks(lines_of(text, start, end), _is_outline(text, start, end))
    if cut_page_junk:
        chunks = _drop_page_junk(chunks)
    blocks = _classify(chunks, first)
    if item and blocks:
        blocks[0] = replace(blocks[0], item=True)
    return blocks


def opens_entry(line: str) -> bool:
    """Whether a line opens a Debian changelog entry ("apt (2.4.0) unstable; urgency=medium"): a heading, never
    the title of the file it is the first line of."""
    return _ENTRY.fullmatch(line) is not None


def without_mode_line(text: str) -> str:
    """A line less its Emacs mode line: "GNU diffutils NEWS      -*- outline -*-" -> "GNU diffutils NEWS"."""
    return _MODE_LINE.sub("", text).strip()


def _is_outline(text: str, start: int, end: int | None) -> bool:
    """Whether a file is written as an outline: its mode line says so, or lines open with one star and with two
    ("* Noteworthy changes in release 3.8" over "** Bug fixes"), which a bulleted list never does."""
    head = text[start:start + 200]
    mode = _MODE_LINE.search(head.split("\n", 1)[0])
    if mode and "outline" in mode.group(1).lower():
        return True
    body = text[start:end]
    return re.search(r"^\*\*[ \t]+\S", body, re.MULTILINE) is not None \
        and re.search(r"^\*[ \t]+\S", body, re.MULTILINE) is not None


def is_title_case(words: list[str], share: float = 0.75) -> bool:
    """Most words that matter start with a capital ("Grant of Copyright License", "TERMS AND CONDITIONS")."""
    small = stopwords()
    counted = [w for w in words if w.lower() not in small and (len(w) > 3 or w[:1].isupper() or w[:1].isdigit())]
    return bool(counted) and sum(w[:1].isupper() or w[:1].isdigit() for w in counted) >= share * len(counted)


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)


# ---------------------------------------------------------------- lines -> chunks


def _chunks(lines: list[_Line | None], outline: bool = False, levels: dict[str, int] | None = None) -> list[_Chunk]:
    chunks: list[_Chunk] = []
    paragraph: list[_Line] = []
    levels = {} if levels is None else levels  # heading style ("=" underline, "box*") -> depth, in the order seen

    def level(style: str) -> int:
        return levels.setdefault(style, len(levels) + 1)

    item: int | None = None  # the level of the outline item the paragraph opens with

    def flush() -> None:
        nonlocal item
        if paragraph:
            lines = list(paragraph)
            code = _Chunk(lines, code=True)
            # An example under its introduction is one verbatim block, whatever its lines look like.
            found = [code] if item is None and _is_code(code, chunks[-1] if chunks else None, None) \
                else _split_paragraph(lines)
            if item is not None:
                found[0].item, found[0].level = True, item
            chunks.extend(found)
            paragraph.clear()
        item = None

    i = 0
    while i < len(lines):
        line = lines[i]
        if line is None:
            flush()
            i += 1
            continue
        if _MODE_LINE.fullmatch(line.text):  # "-*- outline -*-" on a line of its own says how to edit the file
            i += 1
            continue
        stars = _OUTLINE.fullmatch(line.text) if outline and line.indent == 0 else None
        if stars and not _heads_outline(lines, i, len(stars.group(1))):
            # "** Self-check improvements." over its text, or a one-line news item: an item, less its stars.
            flush()
            item = len(stars.group(1))
            paragraph.append(_Line(line.start + stars.start(2), line.end, line.indent, stars.group(2)))
            i += 1
            continue
        if stars or line.indent == 0 and opens_entry(line.text):
            flush()
            heading = without_mode_line(stars.group(2)) if stars else line.text
            chunks.append(_Chunk([line], heading=heading, level=len(stars.group(1)) if stars else 1))
            i += 1
            continue
        rule = _RULE.fullmatch(line.text)
        below = lines[i + 1] if i + 1 < len(lines) else None
        if rule and below is not None and _FRAMED.fullmatch(below.text):
            # A box drawn around a whole passage: its lines, inside the frame, read like any others.
            flush()
            framed, i = _inside_frame(lines, i + 1)
            found = _chunks(framed, outline, levels)
            if len(found) == 1 and found[0].one_line and found[0].heading is None \
                    and len(words_of(found[0].one_line)) <= MAX_HEADING_WORDS:
                found[0].heading = found[0].one_line
            chunks.extend(found)
            continue
        if rule:
            boxed = _boxed(lines, i, rule.group(1))
            flush()
            if boxed:
                inner, i = boxed
                label = " ".join(box.group(2) if (box := _BOX.fullmatch(x.text)) else x.text for x in inner)
                chunks.append(_Chunk(inner, heading=label, level=level(f"box{rule.group(1)}")))
            i += 1
            continue
        if below is not None and _is_underline(below, line):
            flush()
            chunks.append(_Chunk([line], heading=line.text, level=level(below.text[0])))
            i += 2
            continue
        paragraph.append(line)
        i += 1
    flush()
    return chunks


def _heads_outline(lines: list[_Line | None], i: int, level: int) -> bool:
    """Whether the outline line lines[i] (of `level` stars) is a heading: it does not end like a sentence, the line
    right under it does not go on with it in lower case ("... which was fixed by" over "the roundtrip feature"),
    and it heads something, text or deeper lines, before the next line of its level."""
    line = lines[i]
    if line is None or _SENTENCE_END_PROSE.search(line.text + " "):
        return False
    below = lines[i + 1] if i + 1 < len(lines) else None
    if below is not None and not (below.indent == 0 and _OUTLINE.fullmatch(below.text)):
        return not below.text[0].islower()
    following = below or next((line for line in lines[i + 1:] if line is not None), None)
    if following is None:
        return False
    stars = _OUTLINE.fullmatch(following.text) if following.indent == 0 else None
    return stars is None or len(stars.group(1)) > level


def _inside_frame(lines: list[_Line | None], i: int) -> tuple[list[_Line | None], int]:
    """The framed lines from index i on ("*  text  *" -> the text), and the index after the closing rule line."""
    inner: list[_Line | None] = []
    while i < len(lines):
        line = lines[i]
        framed = _FRAMED.fullmatch(line.text) if line is not None else None
        if line is None or framed is None:
            if line is not None and _RULE.fullmatch(line.text):
                i += 1
            break
        content = framed.group(1)
        if not content.strip():
            inner.append(None)
        else:
            lead = 1 + len(content) - len(content.lstrip())
            start = line.start + lead
            inner.append(_Line(start, start + len(content.strip()), line.indent + lead, content.strip()))
        i += 1
    return inner, i


def _is_underline(below: _Line, line: _Line) -> bool:
    rule = _RULE.fullmatch(below.text)
    return rule is not None and rule.group(1) in "=-~^" and len(below.text) >= 0.6 * len(line.text) \
        and len(words_of(line.text)) <= MAX_HEADING_WORDS and not _RULE.fullmatch(line.text)


def _boxed(lines: list[_Line | None], i: int, char: str) -> tuple[list[_Line], int] | None:
    """Lines framed by rule lines of the same character (a box or over-and-under heading): (inner, closing index)."""
    inner: list[_Line] = []
    for j in range(i + 1, min(i + 2 + MAX_TITLE_LINES, len(lines))):
        line = lines[j]
        if line is None:
            return None
        closing = _RULE.fullmatch(line.text)
        if closing:
            ok = closing.group(1) == char and inner and len(words_of(" ".join(x.text for x in inner))) \
                <= MAX_HEADING_WORDS
            return (inner, j) if ok else None
        inner.append(line)
    return None


def _opens_block(line: _Line, before: _Line, lead: _Line, width: int) -> bool:
    """Whether `line` starts a new clause, definition or list item inside a paragraph (`before` is the line
    above it, `lead` the first line of the current block, `width` the paragraph's widest line)."""
    text = line.text
    if _ATX.match(text) or _ATX.match(before.text):
        return True
    if bullet := _BULLET.match(text):
        # A bullet of another style, deeper than the item it is in, opens a sub-item ("* new upstream release"
        # over "    - avoid spurious empty lines"), whatever the line above ends with.
        own = _BULLET.match(lead.text)
        return line.indent <= lead.indent or bool(_SENTENCE_END.search(before.text)) \
            or own is not None and own.group().strip() != bullet.group().strip()
    if _is_clause_title_line(before) and not text[0].islower():
        # "3.4. Intellectual Property Matters" heads the lines below it; a lower-case line continues it, and so
        # do the last words of a title that filled its line ("10.4. Distributing ... Secondary" / "Licenses").
        return not (_width(before) >= _FULL_LINE * width and _ends_wrapped_title(text))
    if not (MARKER.match(text) or text[0] in _QUOTES and _definition().match(text)):
        return False
    # A wrapped line may start with "2." or "(c)"; a new clause follows the end of a sentence, or lines up
    # with a list of clauses whose line above stops short ("under Section\n2.1 of this License" fills its line).
    if _SENTENCE_END.search(before.text):
        return True
    marker = MARKER.match(text)
    opening = marker is not None and not text[marker.end():][:1].islower()  # "2. Version numbering", not "2.1 of"
    # Numbered as the clause above is, or back out of it: "b) ... added under section\n7.  This requirement ..."
    # goes on with b).
    return line.indent <= lead.indent and bool(MARKER.match(lead.text)) \
        and (line.indent < lead.indent or marker_style(text) == marker_style(lead.text)) \
        and (opening or _width(before) < _FULL_LINE * width)


def _width(line: _Line) -> int:
    return line.indent + line.end - line.start


def _is_clause_title_line(line: _Line) -> bool:
    """A numbered line that is only a title, without a sentence's end: "3.4. Intellectual Property Matters"."""
    marker = MARKER.match(line.text)
    if not marker or line.text[-1] in ".,;:!?" or not line.text[:marker.end()].strip()[:1].isdigit():
        return False
    rest = line.text[marker.end():]
    return rest[0] not in _QUOTES and _is_title(rest, alone=False)  # '1.1. "Contributor"' is a defined term


def _ends_wrapped_title(text: str) -> bool:
    """The last words of a clause title wrapped onto a line of their own: a few words in title case, no sentence's
    end ("Licenses")."""
    words = words_of(text)
    return 0 < len(words) <= _WRAPPED_TITLE_WORDS and not _SENTENCE_END.search(text) and is_title_case(words, 1.0)


def _split_paragraph(paragraph: list[_Line]) -> list[_Chunk]:
    chunks = [_Chunk([paragraph[0]])]
    width = max(_width(line) for line in paragraph)
    fields = _field_headings(paragraph)
    for i, (before, line) in enumerate(zip(paragraph, paragraph[1:], strict=False), 1):
        if i in fields or i - 1 in fields or _opens_block(line, before, chunks[-1].lines[0], width):
            chunks.append(_Chunk([line]))
        else:
            chunks[-1].lines.append(line)
    for chunk in chunks:
        if chunk.lines[0] in fields.values() and len(chunk.lines) == 1:
            chunk.heading = chunk.lines[0].text
        else:
            _read_clause(chunk)
    return chunks


def _field_headings(paragraph: list[_Line]) -> dict[int, _Line]:
    """Field lines that head the prose indented under them ("License: Expat" over " Permission is hereby
    granted ..."), by their index in the paragraph; a field over a list of names ("Copyright: A / B") is none."""
    found: dict[int, _Line] = {}
    for i, line in enumerate(paragraph[:-1]):
        if not _FIELD.fullmatch(line.text) or paragraph[i + 1].indent <= line.indent:
            continue
        j = i + 1
        while j < len(paragraph) and paragraph[j].indent > line.indent:
            j += 1
        words = words_of(" ".join(x.text for x in paragraph[i + 1:j]))
        if sum(w.lower() in stopwords() for w in words) >= 3:  # prose ("the", "of", "to"), not names or paths
            found[i] = line
    return found


def _read_clause(chunk: _Chunk) -> None:
    """Mark a numbered clause, and split off its title: "2. Grant of Copyright License. Subject to ..."."""
    first = chunk.lines[0]
    marker = MARKER.match(first.text)
    if not marker or first.text[marker.end()] in _QUOTES and _definition().match(_chunk_text(chunk), marker.end()):
        return  # '1.1. "Contributor"\n    means ...': a definition, whose term may stand on a line of its own
    chunk.clause = True
    rest = first.text[marker.end():]
    number = first.text[:marker.end()].strip()
    lettered = number.strip("().").isalpha()  # "M. Delete any section Entitled ..." is an instruction, not a title
    if len(chunk.lines) == 1 and _is_title(rest, alone=True, strict=lettered):
        chunk.heading = f"{number} {rest.rstrip('.:').strip()}"
        return
    if len(chunk.lines) > 1 and _is_clause_title_line(first) and _ends_wrapped_title(chunk.lines[1].text):
        chunk.heading = f"{number} {rest.strip()} {chunk.lines[1].text}"
        if len(chunk.lines) > 2:
            chunk.body_start = chunk.lines[2].start
        return
    if len(chunk.lines) > 1 and rest.endswith(".") and _is_title(rest[:-1], alone=False, strict=lettered):
        # "2.1. The Initial Developer Grant." on a line of its own, the clause's text below it
        chunk.heading = f"{number} {rest[:-1].strip()}"
        chunk.body_start = chunk.lines[1].start
        return
    end = _TITLE_END.search(rest)
    if end and _is_title(rest[:end.start()], alone=False, strict=lettered):
        chunk.heading = f"{number} {rest[:end.start()].strip()}"
        chunk.body_start = first.start + marker.end() + end.end()


def _is_title(text: str, alone: bool, strict: bool = False) -> bool:
    """A clause title: a few title-case words ("Submission of Contributions"); alone on its line, also short text
    that does not end like a sentence ("8. Litigation", "0. PREAMBLE"). `strict`: every word capitalised."""
    words = words_of(text)
    if not words or len(words) > MAX_TITLE_WORDS or _HAS_URL.search(text) or _definition().match(text):
        return False
    if _TITLE_END.search(text) or words[-1].lower() in stopwords():
        return False  # a title holds no sentence's end, and never ends on "of this" as a wrapped line does
    titled = is_title_case(words, 1.0 if strict else 0.75)
    if alone:
        return not re.search(r"[,;:]$", text) and (titled or not text.endswith(".") and not strict)
    return titled and not re.search(r"[,;:]", text)


# ---------------------------------------------------------------- chunks -> blocks


def _is_prose(text: str) -> bool:
    body = MARKER.sub("", _BULLET.sub("", text, count=1), count=1).strip()
    return len(words_of(body)) >= 6 and bool(re.search(r"[.!?:;)\"”’]\s*$", body))


def _chunk_text(chunk: _Chunk) -> str:
    return " ".join(line.text for line in chunk.lines)


def _heading_line(chunk: _Chunk, before: _Chunk | None, following: _Chunk | None) -> str | None:
    """A short line standing alone above prose or a clause: a heading ("The Clinical Challenge", "Definitions:",
    a FAQ's "Why use zlib?"). Not a line after an introduction ("then:" over "make install"), not one starting in
    lower case; a line indented deeper than the text after it is a heading only when centred ("Preamble")."""
    line = chunk.one_line
    if line is None and not chunk.clause and following is not None:
        return _centred_lines(chunk, following)
    if line is None or chunk.clause or chunk.item or len(line) > _LONGEST_HEADING or _BULLET.match(line) \
            or _HAS_URL.search(line):
        return None
    if line.startswith("#"):
        return line.lstrip("#").strip() or None
    words = words_of(line)
    if not words or len(words) > MAX_HEADING_WORDS or re.search(r"[,;]$", line) or line[0].islower():
        return None
    if re.search(r"[.:!]$", line) and not (line[-1] == ":" and len(words) <= 4 and is_title_case(words, 1.0)):
        return None
    if following is None or _introduces(before) and not is_title_case(words, 1.0):
        return None
    if chunk.lines[0].indent > following.lines[0].indent:
        # A line indented deeper than the text after it is a code line or a quote, unless it is centred.
        return line if _centred(line, words) else None
    return line if following.clause or following.heading or _is_prose(_chunk_text(following)) else None


def _centred(line: str, words: list[str]) -> bool:
    """A heading set in the middle of the line ("Preamble", "NO WARRANTY"): title case, no code characters."""
    return is_title_case(words, 1.0) and not _CODE_CHARS.search(line)


def _centred_lines(chunk: _Chunk, following: _Chunk) -> str | None:
    """A heading of a few centred lines ("GNU LESSER GENERAL PUBLIC LICENSE / TERMS AND CONDITIONS FOR ...")."""
    lines = chunk.lines
    if len(lines) > MAX_TITLE_LINES or not any(line.indent > following.lines[0].indent for line in lines):
        return None
    for line in lines:
        words = words_of(line.text)
        if not words or len(words) > MAX_HEADING_WORDS or line.text[-1] in ".,;:!?" or not _centred(line.text, words):
            return None
    return " ".join(line.text for line in lines) if following.clause or _is_prose(_chunk_text(following)) else None


def _introduces(chunk: _Chunk | None) -> bool:
    """Whether a chunk ends by announcing what follows: "..., then:", "an error such as:"."""
    return chunk is not None and chunk.lines[-1].text.endswith(":")


def _hanging_clause(chunk: _Chunk, following: _Chunk | None) -> str | None:
    """A numbered line alone above a more indented paragraph heads it, even as a sentence: " 4. compress()
    returns Z_BUF_ERROR." over "    Make sure that ..."; so does a numbered question of a few lines over its
    answer ("24. The license says ... So\n    what exactly do I need to do?"): a FAQ's question over its answer."""
    if not chunk.clause or chunk.heading or following is None or following.clause or following.heading:
        return None
    text = _chunk_text(chunk)
    if text.endswith("?") and len(chunk.lines) <= MAX_TITLE_LINES and len(words_of(text)) <= 3 * MAX_HEADING_WORDS:
        return " ".join(text.split())
    line = chunk.one_line
    if line is None or following.lines[0].indent <= chunk.lines[0].indent or len(words_of(line)) > MAX_HEADING_WORDS \
            or not _is_prose(_chunk_text(following)):
        return None
    return line.rstrip(".:")


def _hanging_title(chunk: _Chunk, before: _Chunk | None, following: _Chunk | None) -> str | None:
    """A short line alone, at the indentation of the text before it, above prose indented deeper heads that prose,
    even ending in a full stop: "APPENDIX: How to apply the Apache License to your work." over its indented text."""
    line = chunk.one_line
    if line is None or chunk.clause or chunk.item or before is None or following is None or following.clause \
            or following.heading or _introduces(before) or _introduces(chunk) or line[0].islower() \
            or _BULLET.match(line) or _BULLET.match(following.lines[0].text) or MARKER.match(following.lines[0].text) \
            or _HAS_URL.search(line) or len(words_of(line)) > MAX_HEADING_WORDS \
            or following.lines[0].indent <= chunk.lines[0].indent or chunk.lines[0].indent != before.lines[-1].indent \
            or not _is_prose(_chunk_text(following)):
        return None
    return line.rstrip(".")


def _is_code(chunk: _Chunk, before: _Chunk | None, following: _Chunk | None) -> bool:
    """Lines that are not prose under an introduction ("So:" over "make distclean / ./configure"), or indented
    deeper than the text on both sides ("    example.o(.text+0x154): undefined reference"): commands, output,
    code. Kept verbatim as one passage, never a heading."""
    if before is None or chunk.clause or chunk.heading is not None:
        return False
    indent = chunk.lines[0].indent
    introduced = _introduces(before) and indent >= before.lines[-1].indent
    # A heading on either side is no text to be indented against ("** Bug fixes" over its indented items).
    if not introduced and (following is None or before.clause or following.clause or before.heading is not None
                           or following.heading is not None
                           or indent <= before.lines[-1].indent or indent <= following.lines[0].indent):
        return False
    first = chunk.lines[0].text
    return not (_BULLET.match(first) or MARKER.match(first) or _SENTENCE_END_PROSE.search(_chunk_text(chunk)))


def _heads_after_lead_in(chunk: _Chunk, before: _Chunk | None, following: _Chunk | None) -> bool:
    """A line in title case right under an introduction, no deeper than it and over prose, is the next heading,
    not the example announced ("... in reverse age order:" / "Terms" / "The Library may be ..."): a command or
    an output line is not written in title case."""
    line = chunk.one_line
    return line is not None and before is not None and chunk.lines[0].indent <= before.lines[-1].indent \
        and is_title_case(words_of(line), 1.0) and _heading_line(chunk, before, following) is not None


def _title(chunk: _Chunk) -> str | None:
    """The document's opening lines as its title, when they are a few short lines without a sentence's end."""
    lines = [line for line in chunk.lines if not _URL.fullmatch(line.text)]
    text = without_mode_line(" ".join(line.text.lstrip("#").strip() for line in lines))
    if chunk.clause or not lines or len(lines) > MAX_TITLE_LINES or text.endswith((".", ":")) \
            or any(_URL_FIELD.match(line.text) for line in lines):
        return None  # "Format: https://..." is a field, not a title
    if len(lines) == 1:
        return text if len(words_of(text)) <= 40 else None
    return text if all(len(words_of(line.text)) <= MAX_TITLE_WORDS for line in lines) else None


def _marker_style(chunk: _Chunk) -> str:
    return marker_style(chunk.lines[0].text)


def marker_style(line: str) -> str:
    """How a clause or list item is numbered, without its number: "1.", "1.1.", "(a)", "A.", "a)", "-", or ""."""
    if bullet := _BULLET.match(line):
        return bullet.group().strip()
    marker = MARKER.match(line)
    number = line[:marker.end()].strip() if marker else ""
    # Letters and roman numerals alike ("(a)", "(ii)"): a list's numbering is told by its case and punctuation.
    return re.sub(r"[a-z]+", "a", re.sub(r"[A-Z]+", "A", re.sub(r"\d+", "1", number)))


def _untitle_lists(chunks: list[_Chunk]) -> None:
    """Items of one list are titled alike: in a run of clauses numbered the same way, when fewer than half have
    a title, none has ("O. Preserve any Warranty Disclaimers." is the 15th instruction of a list, not a heading).
    The items a lead-in introduces ("... do one of the following:" over "0) Convey the Minimal Corresponding
    Source.") are its sentences, never headings."""
    run: list[_Chunk] = []
    introduced = False

    def settle() -> None:
        titled = [c for c in run if c.heading is not None]
        if titled and (introduced or 2 * len(titled) < len(run)):
            for c in titled:
                c.heading, c.body_start = None, None
        run.clear()

    for i, chunk in enumerate(chunks):
        if chunk.clause:
            if run and _marker_style(run[0]) != _marker_style(chunk):
                settle()
            if not run:
                introduced = i > 0 and _introduces(chunks[i - 1])
            run.append(chunk)
        elif chunk.heading is not None:
            settle()
    settle()


def _is_contents(chunks: list[_Chunk], i: int) -> bool:
    """A table of contents: three or more numbered titles in a row with no text under any of them."""
    def bare(j: int) -> bool:
        return 0 <= j < len(chunks) and chunks[j].clause and chunks[j].heading is not None \
            and chunks[j].body_start is None
    if not bare(i):
        return False
    lo = hi = i
    while bare(lo - 1):
        lo -= 1
    while bare(hi + 1):
        hi += 1
    return hi - lo >= 2


def _classify(chunks: list[_Chunk], first: bool) -> list[Block]:
    _untitle_lists(chunks)
    blocks: list[Block] = []
    scope: tuple[int, str] | None = None  # (indent, section to go back to) under a heading such as "Definitions:"
    last_heading = parent = ""
    nested: list[tuple[int, str]] = []  # the nested headings above the current one: (level, own text)
    titled: dict[tuple[str, int], str] = {}  # clause style and indent -> the section around that titled list
    styles = Counter(chunk.level for chunk in chunks)
    # Where the text cites its clauses as sections ("under Section 2"), an untitled numbered clause ("2. You may
    # modify ...") is that section, and so is the text after it up to the next one: "Section 2", or "NO WARRANTY:
    # Section 15" under a heading inside the list (the heading over its first clause, "TERMS AND CONDITIONS", heads
    # all of them, and names none).
    cites_sections = any(_CITED_SECTION.search(line.text) for chunk in chunks for line in chunk.lines)
    around: str | None = None
    over_list: str | None = None  # the section around the first of those clauses
    for i, chunk in enumerate(chunks):
        before = chunks[i - 1] if i else None
        following = chunks[i + 1] if i + 1 < len(chunks) else None
        if all(_URL.fullmatch(line.text) for line in chunk.lines):
            # A URL alone belongs to the text before it ("... at <https://www.gnu.org/licenses/>").
            if blocks and blocks[-1].kind is BlockKind.TEXT:
                blocks[-1] = replace(blocks[-1], end=chunk.end)
            continue
        if _is_contents(chunks, i):
            continue
        if scope is not None and chunk.lines[0].indent <= scope[0]:
            # Back at the heading's own indent: the indented list it introduced has ended.
            blocks.append(Block(BlockKind.HEADING, chunk.start, chunk.start, scope[1]))
            last_heading, scope = scope[1], None
        if chunk.code and not _heads_after_lead_in(chunk, before, following):
            blocks.append(Block(BlockKind.CODE, chunk.start, chunk.end))
            continue
        if chunk.item and chunk.level is not None and nested and nested[-1][0] >= chunk.level:
            # An outline item ends the sections of its level and deeper: back to the one above them.
            while nested and nested[-1][0] >= chunk.level:
                nested.pop()
            last_heading = ": ".join(above for _, above in nested)
            blocks.append(Block(BlockKind.HEADING, chunk.start, chunk.start, last_heading))
        heading = chunk.heading or (_title(chunk) if first and i == 0 else None) \
            or _heading_line(chunk, before, following) or _hanging_clause(chunk, following) \
            or _hanging_title(chunk, before, following)
        if heading is None:
            sibling = (_marker_style(chunk), chunk.lines[0].indent) if chunk.clause else None
            if sibling in titled and last_heading != titled[sibling]:
                # An untitled clause among titled ones ("7. Bourne-style shells ..." after "6. bash does not
                # check $PATH") is not a part of the one before it: back to the section around the list.
                last_heading = titled[sibling]
                blocks.append(Block(BlockKind.HEADING, chunk.start, chunk.start, last_heading))
            elif cites_sections and sibling is not None and sibling[0] == "1." and sibling not in titled:
                around = last_heading if around is None else around
                over_list = around if over_list is None else over_list
                number = chunk.lines[0].text.split(".", 1)[0].strip()
                last_heading = f"{around}: Section {number}" if around and around != over_list else f"Section {number}"
                blocks.append(Block(BlockKind.HEADING, chunk.start, chunk.start, last_heading))
            if _is_code(chunk, before, following):
                blocks.append(Block(BlockKind.CODE, chunk.start, chunk.end))
            else:
                item = chunk.clause or chunk.item or bool(_BULLET.match(chunk.lines[0].text))
                blocks.append(Block(BlockKind.TEXT, chunk.start, chunk.end, item=item))
            continue
        around = None
        if heading.endswith(":") and following is not None and not chunk.clause:
            heading = heading.rstrip(":").strip()
            if following.lines[0].indent > chunk.lines[0].indent:
                scope = (chunk.lines[0].indent, last_heading)
        elif _FIELD.fullmatch(heading) and following is not None and scope is None \
                and following.lines[0].indent > chunk.lines[0].indent:
            scope = (chunk.lines[0].indent, last_heading)  # "License: Expat" heads the text indented under it
        if i == 0 and first:
            heading = without_mode_line(heading) or heading
        level = chunk.level or (len(heading_line) - len(heading_line.lstrip("#"))
                                if (heading_line := chunk.one_line or "").startswith("#") else None)
        untitled = first and i == 0 and bool(opens_entry(heading) or _OUTLINE.fullmatch(chunk.lines[0].text))
        if untitled:
            # A changelog's first entry or an outline's first heading is no title: the file is known by its name.
            blocks.append(Block(BlockKind.HEADING, chunk.start, chunk.start, ""))
        if level is not None:
            own = heading
            while nested and nested[-1][0] >= level:
                nested.pop()
            heading = ": ".join([above for _, above in nested] + [heading])
            # A title in a heading style of its own heads no section.
            if not (first and i == 0 and styles[level] == 1 and not untitled):
                nested.append((level, own))
        elif nested:  # a heading of no outline style ("[ Milan Kupcevic ]", "1.1. Overview") is a part of one
            heading = ": ".join([above for _, above in nested] + [heading])
        style = _marker_style(chunk) if chunk.clause else ""
        key = (style, chunk.lines[0].indent)
        for other in [k for k in titled if k != key]:
            del titled[other]  # a heading of another kind or numbering starts other lists
        if style:
            titled.setdefault(key, last_heading)
        if not style or "1" in style:
            parent = heading if style else ""  # the numbered clause a lettered one ("(a) Third Party Claims") is in
        elif parent:
            heading = f"{parent}: {heading}"
        last_heading = heading
        if chunk.body_start is not None:
            blocks.append(Block(BlockKind.HEADING, chunk.start, chunk.body_start, heading))
            blocks.append(Block(BlockKind.TEXT, chunk.body_start, chunk.end, item=True))
        else:
            blocks.append(Block(BlockKind.HEADING, chunk.start, chunk.end, heading))
            if heading.endswith("?"):
                # A question heads its answer and is a passage too: asked as written, it leads to the answer.
                blocks.append(Block(BlockKind.TEXT, chunk.start, chunk.end))
    return blocks


# ---------------------------------------------------------------- page furniture


@lru_cache(maxsize=1)
def _boilerplate() -> re.Pattern:
    """Phrases by which a web page talks about itself rather than its subject (a data file), as one pattern."""
    raw = resources.files("netqa.data").joinpath("boilerplate.txt").read_text(encoding="utf-8")
    return re.compile("|".join(f"(?:{line.strip()})" for line in raw.splitlines()
                               if line.strip() and not line.startswith("#")), re.IGNORECASE)


def _is_fragment(chunk: _Chunk) -> bool:
    """Interface crumbs: share buttons, counters, menu entries, a list of language names. Never code under its
    lead-in ("Put in /etc/inputrc:" over "set bell-style none"), nor a lead-in itself ("Other people prefer:")."""
    if chunk.heading is not None or chunk.clause or chunk.code or chunk.item or _introduces(chunk):
        return False
    body = _BULLET.sub("", _chunk_text(chunk), count=1).strip()
    if body.startswith("#"):
        return False
    words = words_of(body)
    return len(words) <= 3 and not re.search(r"[.!?]$", body) or not words


def _is_boilerplate(chunk: _Chunk) -> bool:
    return _boilerplate().search(_chunk_text(chunk)) is not None


def _drop_page_junk(chunks: list[_Chunk]) -> list[_Chunk]:
    """Cut the page furniture after the content: from the first chunk that talks about the page itself (in the
    last third, or with at most two paragraphs after it), or a run of three interface crumbs that at most one
    paragraph follows, to the end. Stray crumbs
    elsewhere go too, unless they could be a heading (prose follows). The short items of a real list are no
    crumbs."""
    listed = _in_real_lists(chunks)

    def crumb(j: int) -> bool:
        return j not in listed and _is_fragment(chunks[j])

    for i, chunk in enumerate(chunks):
        crumbs = i + 3 <= len(chunks) and all(crumb(j) for j in range(i, i + 3))
        trailing = crumbs and sum(_is_prose(_chunk_text(c)) for c in chunks[i + 3:]) <= 1
        # A page talks about itself at its end: "All rights reserved." near the top of a README is its notice.
        furniture = _is_boilerplate(chunk) and (i >= _FURNITURE_FROM * len(chunks) or sum(
            _is_prose(_chunk_text(c)) for c in chunks[i + 1:]) <= _PROSE_AFTER_FURNITURE)
        if i > 0 and (furniture or trailing):
            chunks = chunks[:i]
            break
    return [c for i, c in enumerate(chunks)
            if not crumb(i) or i == 0
            or (i + 1 < len(chunks) and (_is_prose(_chunk_text(chunks[i + 1])) or chunks[i + 1].clause))]


def _in_real_lists(chunks: list[_Chunk]) -> set[int]:
    """The chunks of bulleted lists that are more than a menu: a run of bullets of one style holding at least one
    item that is not a crumb ("* Rebuild for bookworm" beside "* Non-maintainer upload by the Security Team.")."""
    kept: set[int] = set()
    i = 0
    while i < len(chunks):
        style = _BULLET.match(chunks[i].lines[0].text)
        j = i + 1
        while style and j < len(chunks) and (other := _BULLET.match(chunks[j].lines[0].text)) \
                and other.group().strip() == style.group().strip():
            j += 1
        if style and any(not _is_fragment(c) for c in chunks[i:j]):
            kept.update(range(i, j))
        i = j
    return kept
