"""English word lists and tables, one file per kind of knowledge (like spaCy's lang/en/).

Every file is plain text: `#` starts a note, a list holds words separated by white space, a table holds
one `key = value` a line. The engine's code holds no English words of its own; it reads them from here.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


def _lines(name: str) -> list[str]:
    raw = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in raw.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@cache
def word_list(name: str) -> frozenset[str]:
    """The words of a list file (`stopwords.txt`), lower case."""
    return frozenset(w.lower() for line in _lines(name) for w in line.split())


@cache
def ordered_words(name: str) -> tuple[str, ...]:
    """The words of a list file in the order written (for patterns where order or case matters)."""
    return tuple(w for line in _lines(name) for w in line.split())


@cache
def table(name: str) -> dict[str, str]:
    """A `key = value` file as a dict; keys lower case."""
    pairs = (line.split("=", 1) for line in _lines(name) if "=" in line)
    return {key.strip().lower(): value.strip() for key, value in pairs}


@cache
def table_words(name: str, key: str) -> tuple[str, ...]:
    """The words of one entry of a table file, in the order written: `prepositions = in on at` -> ("in", "on", "at")."""
    return tuple(table(name)[key].split())


@cache
def multi_table(name: str) -> dict[str, tuple[str, ...]]:
    """A `key = value, value` file as a dict of tuples; a key written twice keeps both lines' values."""
    out: dict[str, tuple[str, ...]] = {}
    for line in _lines(name):
        key, sep, values = line.partition("=")
        if sep:
            out[key.strip().lower()] = out.get(key.strip().lower(), ()) + tuple(
                v.strip() for v in values.split(",") if v.strip())
    return out


@cache
def json_table(name: str):
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))


def path_of(name: str):
    return resources.files(__name__).joinpath(name)


@cache
def ordered_lines(name: str) -> tuple[str, ...]:
    """The lines of a file as written, notes left out (for files of patterns)."""
    return tuple(_lines(name))
