"""Blocks -> passages: the section each passage sits under, its sentences, and text reflowed for display.

Offsets (`start`/`end`) always index the document's text exactly; `text` is what a reader sees and a quote
repeats: hard-wrapped lines and indentation joined into prose ("non-\\n   exclusive" -> "non-exclusive").
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence

from netqa.documents.model import Block, BlockKind, Converted, Passage, Sentence
from netqa.documents.text import MARKER, defines_by_list, is_title_case, marker_style, words_of
from netqa.text import stopwords

MAX_PASSAGE_WORDS = 120  # longer paragraphs are split at sentence ends, so a citation stays readable

# A period after these is not the end of a sentence.
_ABBREVIATIONS = {"dr", "mr", "mrs", "ms", "prof", "st", "vs", "etc", "inc", "ltd", "jr", "sr",
                  "no", "fig", "approx", "e.g", "i.e", "al", "co", "corp", "dept", "mt", "cf", "sec", "art"}
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_WRAPPED_HYPHEN = re.compile(r"(?<=[^\W\d_]-)[ \t]*\r?\n\s*(?=[^\W\d_])")
_BOX_FRAME = re.compile(r"[ \t]*\*[ \t]*\r?\n[ \t]*\*")  # "... as is" *\n*  basis ..." inside a box of asterisks
_LEAD_BULLET = re.compile(r"[-*+•·▪◦‣][ \t]+")
_SHORT_FRAGMENT_WORDS = 5
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
MAX_LIST_WORDS = 120  # a lead-in and its items up to this size are one passage; longer, each item is one
MAX_EXAMPLE_WORDS = 60  # an example (code) up to this size joins the passage of the plain-text lead-in above it
_MARKED = ("html", "markdown", "docx")  # formats whose converters mark list items (Block.item) and code
_FRAGMENT_WORDS = 20  # a block this short without a sentence's end inside it is an item of the list before it
_CONTEXT_WORDS = 10  # words of a lead-in that name it in the section of the items after it
_LABEL_WORDS = 4  # a lead-in this short ("For example:", "Compact encoding:") over code only names it


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


def sentences(text: str, start: int, end: int, shown: Callable[[str], str] = reflow,
              bullet: bool = False) -> list[Sentence]:
    """The sentences of text[start:end], as `shown` makes them read, without a bullet at the start unless
    `bullet` (an item shown among others, where the bullets tell where one ends). Neither a clause number ("5.",
    "1.1.", "Section 3.") nor a short title-case fragment ("Submission of Contributions.") is a sentence of its
    own: it joins the next."""
    if not bullet and (bullet_mark := _LEAD_BULLET.match(text, start, end)):
        start = bullet_mark.end()
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


def _packed(units: list[tuple[Sentence, ...]]) -> list[tuple[Sentence, ...]]:
    """Units (a sentence, or a list item kept whole) packed in order into passages of at most MAX_PASSAGE_WORDS
    words; a unit that ends in a colon ("d) Do one of the following:") opens the next passage rather than
    closing one, so it stays with the items it introduces."""
    groups: list[list[tuple[Sentence, ...]]] = [[]]
    words = 0
    for unit in units:
        n = _words_in(unit)
        if groups[-1] and words + n > MAX_PASSAGE_WORDS:
            carried = [groups[-1].pop()] if len(groups[-1]) > 1 and groups[-1][-1][-1].text.endswith(":") else []
            groups.append(carried)
            words = sum(_words_in(u) for u in carried)
        groups[-1].append(unit)
        words += n
    return [tuple(s for u in group for s in u) for group in groups if group]


def _words(sentence: Sentence) -> int:
    return len(sentence.text.split())


def _is_lead_in(text: str) -> bool:
    """A paragraph that announces what follows: "... do at least ONE of the following:", "X means:", '"X"
    means'."""
    return text.rstrip().endswith(":") or defines_by_list(text)


def _layout(text: str, block: Block) -> tuple[int, str]:
    """A block's indentation (the column it starts at) and how it is numbered ("a)", "1.", "-" or "")."""
    return block.start - text.rfind("\n", 0, block.start) - 1, marker_style(text[block.start:block.start + 12])


def _introduced(text: str, lead: Block, blocks: list[Block], i: int, shown: Callable[[str], str],
                fragments: bool = True) -> tuple[list[tuple[int, list[Sentence]]], int]:
    """The sentences of each block from blocks[i] on that a lead-in block introduces: list items or clauses
    deeper than the lead-in (indented further, or numbered another way) and alike among themselves, or
    fragments without a sentence's end inside ("BZ_PARAM_ERROR if strm is NULL", a PDF's return values); each
    with its indentation; and how many blocks they take. An item's own short example ("Subpatterns may be captured
    using the as keyword:" over code, then "will capture ...") is a part of it, and the list goes on after it.
    `fragments`: False where the format marks its list items (HTML, Markdown, Word)."""
    lead_indent, lead_style = _layout(text, lead)
    first: tuple[int, str] | None = None
    out: list[tuple[int, list[Sentence]]] = []
    j = i
    while j < len(blocks):
        block = blocks[j]
        if block.kind is BlockKind.CODE and out and _is_lead_in(out[-1][1][-1].text):
            example = _sentence_groups(text, block)
            if not example or _words_in(example[0]) > MAX_EXAMPLE_WORDS:
                break
            after = _continuation(text, blocks, j + 1, shown)
            out[-1][1].extend([*example[0], *after])
            j += 1 + bool(after)
            continue
        if block.kind is not BlockKind.TEXT:
            break
        found = sentences(text, block.start, block.end, shown, bullet=True)
        fragment = fragments and len(found) == 1 and len(found[0].text.split()) <= _FRAGMENT_WORDS \
            and (found[0].text[:1].islower() or not _SENTENCE_END.search(found[0].text))
        if not found or not (block.item or fragment):
            break
        indent, style = _layout(text, block)
        if first is None:
            if lead.item and indent <= lead_indent and style == lead_style:
                break  # the next clause of the same list as the lead-in's own
            first = (indent, style)
        elif indent < first[0] or indent == first[0] and style != first[1]:
            break
        out.append((indent, found))
        j += 1
    return out, j - i


def _short_items(text: str, blocks: list[Block], i: int, shown: Callable[[str], str]) -> list[list[Sentence]]:
    """The sentences of the list items from blocks[i] on, alike in layout and each a short phrase (one sentence of
    at most _FRAGMENT_WORDS words), while they last; [] when blocks[i] is not such an item."""
    layout = _layout(text, blocks[i])
    out: list[list[Sentence]] = []
    for block in blocks[i:]:
        if block.kind is not BlockKind.TEXT or not block.item or _layout(text, block) != layout:
            break
        found = sentences(text, block.start, block.end, shown, bullet=True)
        if len(found) != 1 or len(found[0].text.split()) > _FRAGMENT_WORDS or _is_lead_in(found[0].text):
            break
        out.append(found)
    return out if sum(_words_in(items) for items in out) <= MAX_LIST_WORDS else []


def _runs_on(sentence: str) -> bool:
    """Whether a paragraph stops inside its sentence, on a word or a comma ("... in the defining scope, so that",
    "or, better,"): what follows it (code) is a part of that sentence."""
    end = sentence.rstrip()[-1:]
    return end.isalnum() or end == ","


def _continuation(text: str, blocks: list[Block], i: int, shown: Callable[[str], str]) -> list[Sentence]:
    """The sentences of blocks[i] when it goes on with a sentence that code interrupted ("will print 5."): a text
    opening in lower case; else none."""
    if i >= len(blocks) or blocks[i].kind is not BlockKind.TEXT or blocks[i].item:
        return []
    found = sentences(text, blocks[i].start, blocks[i].end, shown)
    return found if found and found[0].text[:1].islower() else []


def _has_subitems(text: str, block: Block, blocks: list[Block], i: int) -> bool:
    """Whether a list item is followed by items of its own, indented deeper: it introduces them as a lead-in does
    ("* new upstream release" over "    - avoid spurious empty lines")."""
    following = blocks[i] if i < len(blocks) else None
    return block.item and following is not None and following.kind is BlockKind.TEXT and following.item \
        and _layout(text, following)[0] > _layout(text, block)[0]


def _lead_context(lead: str) -> str | None:
    """The lead-in as the section's context of the items (or the example) it introduces: its last words."""
    words = lead.rstrip(":").split()
    if all(w.lower() in stopwords() for w in words_of(lead)):
        return None  # "These are:" names nothing
    return " ".join(words) if len(words) <= _CONTEXT_WORDS else "... " + " ".join(words[-_CONTEXT_WORDS:])


def passages_of(converted: Converted, doc_id: str, title: str, path: str,
                format_name: str = "text") -> tuple[Passage, ...]:
    """The passages of a converted document (ids doc_id-p01, -p02 ...), each under the last heading before it.

    A lead-in ("... provided that you do one of the following:") and the items it introduces are one passage
    when they fit in MAX_PASSAGE_WORDS; the items that do not fit go on in passages whose section also names the
    lead-in ("Preamble: 3. You may otherwise modify your copy of this Package ...")."""
    text = converted.text
    shown = shown_by(format_name)
    unmarked = format_name not in _MARKED  # where items are not marked, short fragments are items too
    out: list[Passage] = []
    section = title
    blocks = list(converted.blocks)
    if blocks and blocks[0].kind is BlockKind.HEADING and blocks[0].label == title:
        blocks = blocks[1:]

    def emit(groups: list[tuple[Sentence, ...]], block: Block, where: str) -> None:
        for group in groups:
            out.append(Passage(f"{doc_id}-p{len(out) + 1:02d}", doc_id, title, where,
                               " ".join(s.text for s in group), group[0].start, group[-1].end, group, path,
                               block.page, block.kind.value))

    i = 0
    while i < len(blocks):
        block = blocks[i]
        i += 1
        if block.kind is BlockKind.HEADING:
            if block.label is not None:
                section = block.label or title  # "": back to the document's own section
            continue
        if block.kind is not BlockKind.TEXT:
            emit(_sentence_groups(text, block), block, section)
            continue
        found = sentences(text, block.start, block.end, shown)
        short = _short_items(text, blocks, i - 1, shown) \
            if block.item and not unmarked and not _has_subitems(text, block, blocks, i) else []
        if len(short) > 1:
            # A list of short items with no lead-in, where the format marks its items ("Main features" over
            # "- Complete RFC conformance" / "- Robust C99 implementation"): one passage, each item after its
            # bullet, as the lead-in's list would be. (In plain text a line of a release's news is an item too.)
            emit(_packed([tuple(items) for items in short]), block, section)
            i += len(short) - 1
            continue
        listed, taken = _introduced(text, block, blocks, i, shown, unmarked) \
            if found and (_is_lead_in(found[-1].text) or _has_subitems(text, block, blocks, i)) else ([], 0)
        i += taken
        if listed and _words_in(found) + sum(_words_in(items) for _, items in listed) <= MAX_LIST_WORDS:
            emit(_packed([(s,) for s in found] + [tuple(items) for _, items in listed]), block, section)
            continue
        last = found[-1].text if found else ""
        runs_on = bool(found) and block.kind is BlockKind.TEXT and _runs_on(last)
        example = _sentence_groups(text, blocks[i]) if not listed and (_is_lead_in(last) or runs_on) \
            and i < len(blocks) and blocks[i].kind is BlockKind.CODE else []
        after = _continuation(text, blocks, i + 1, shown) if example else []
        if (unmarked or runs_on or after) and example and _words_in(example[0]) <= MAX_EXAMPLE_WORDS:
            # A short example under its introduction ("add to /etc/inputrc:" over "set bell-style none") in plain
            # text, or inside a sentence in any format ("..., so that" / code / "will print 5."; "type:" /
            # "deactivate" / "into the terminal."): one passage, so the quote gives the words and the code together.
            emit(_packed([(s,) for s in found] + example + [(s,) for s in after]), block, section)
            i += 1 + bool(after)
            continue
        context = _lead_context(found[-1].text) if example and not unmarked else None
        if not (context and _words_in(found) <= _LABEL_WORDS):  # "For example:" alone says nothing
            emit(_packed([(s,) for s in found]), block, section)
        if context:
            # An example under its introduction ("Compact encoding:", "... a case-insensitive comparison:"), where
            # the format marks its code: the code's section says what it shows.
            emit(example, blocks[i], f"{section}: {context}")
            i += 1
            continue
        context = _lead_context(found[-1].text) if listed else None
        for group in _nested(listed):
            emit(_packed(group), block, f"{section}: {context}" if context else section)
    return tuple(out)


def _nested(listed: list[tuple[int, list[Sentence]]]) -> list[list[tuple[Sentence, ...]]]:
    """A long list's items, one passage each, but an item that is itself a lead-in ("d) Do one of the
    following:") together with the deeper items it introduces (each item a unit of `_packed`)."""
    groups: list[list[tuple[Sentence, ...]]] = []
    opened: int | None = None  # the indentation of the item whose own items are being gathered
    for indent, items in listed:
        if opened is not None and indent > opened:
            groups[-1].append(tuple(items))
            continue
        groups.append([tuple(items)] if _words_in(items) <= MAX_PASSAGE_WORDS else [(s,) for s in items])
        opened = indent if _is_lead_in(items[-1].text) else None
    return groups


def _words_in(found: Sequence[Sentence]) -> int:
    return sum(_words(s) for s in found)


def _sentence_groups(text: str, block: Block) -> list[tuple[Sentence, ...]]:
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
