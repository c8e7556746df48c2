"""A reply as terminal text: lines wrapped to the window, the short answer in bold, colour only on a terminal.

Colour and bold follow the usual conventions: only when the output is a terminal, never when NO_COLOR is set
(https://no-color.org) or TERM is "dumb". Output to a file or a pipe is the reply text unchanged.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # the records module imports the index, and with it numba: not needed to print
    from netqa.records import Reply

MAX_WIDTH = 100  # wider lines are hard to read, however wide the window
_KEEP_TOGETHER = "\x00"  # stands for a space inside the short answer while wrapping, so it is never split


@dataclass(frozen=True)
class Style:
    """How to write to one stream: wrap width (None: do not wrap) and whether to use ANSI emphasis."""

    width: int | None = None
    colour: bool = False

    @classmethod
    def for_stream(cls, stream: TextIO) -> Style:
        if not stream.isatty():
            return cls()
        columns = shutil.get_terminal_size().columns  # honours $COLUMNS
        colour = not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        return cls(width=max(20, min(columns, MAX_WIDTH)), colour=colour)

    def _sgr(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.colour and text else text

    def bold(self, text: str) -> str:
        return self._sgr(text, "1")

    def dim(self, text: str) -> str:
        return self._sgr(text, "2")

    def alert(self, text: str) -> str:
        return self._sgr(text, "1;31")

    def prompt(self, text: str) -> str:
        # readline must not count the escape codes as printed characters, or editing a long line goes wrong.
        return f"\x01\x1b[1;36m\x02{text}\x01\x1b[0m\x02" if self.colour else text


def render_reply(reply: Reply, style: Style) -> str:
    """The reply's text, each line wrapped to the style's width; the short answer bold, an emergency in red."""
    short = (reply.short_answer or "").strip()
    glued = short.replace(" ", _KEEP_TOGETHER) if short and style.width else short
    lines = []
    for line in reply.answer.splitlines():
        if short and style.width:
            line = line.replace(short, glued)
        wrapped = textwrap.wrap(line, style.width, break_on_hyphens=False) if style.width and line else [line]
        lines.extend(wrapped)
    text = "\n".join(lines).replace(_KEEP_TOGETHER, " ")
    if not style.colour:
        return text
    if reply.kind == "emergency":
        return "\n".join(style.alert(line) for line in text.splitlines())
    if short:
        text = text.replace(short, style.bold(short))
    for citation in reply.citations:
        marker = f"[{citation.passage_id}]"
        text = text.replace(marker, style.dim(marker))
    return text
