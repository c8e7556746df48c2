"""A bot on a one-file corpus written inline: what the stage tests ask their tiny examples of."""

from __future__ import annotations

from pathlib import Path

import netqa
from netqa.bot import Bot


def bot_on(folder: Path, name: str, text: str) -> Bot:
    """Write `text` as the corpus's only document, `name`, and load a bot on it."""
    (folder / name).write_text(text, encoding="utf-8")
    return netqa.load(folder)
