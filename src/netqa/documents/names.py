"""What a document is called, as searchable text: its title, its file name, and the short names people use for
it, made by rule: initialisms of the title's capitalised words ("GNU General Public License" -> GPL, GGPL) and
the same with the version ("Version 3" -> GPLv3, GPL-3, GPL3; "2.0" is also "2"). Among several documents a short
name stands for the one whose title it abbreviates most fully (corpus_names): "GPL" for the GNU General Public
License, not for the GNU Lesser General Public License beside it."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

_VERSION = re.compile(r"\b(?:version|v\.?|release)\s*(\d+(?:\.\d+)*)\b", re.IGNORECASE)
_FILE_VERSION = re.compile(r"[-_ ]v?(\d+(?:\.\d+)*)$", re.IGNORECASE)
_NAME_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_SMALL = {"a", "an", "and", "for", "in", "of", "on", "or", "the", "to", "with"}


def file_stem(name: str) -> str:
    """A file name without its suffix; a suffix of digits ends a version number ("LGPL-2.1", "Apache-2.0"), and
    stays."""
    stem, suffix = os.path.splitext(name)
    return name if suffix[1:].isdigit() else stem


def _name_words(title: str) -> list[str]:
    """The run of capitalised words that ends the title's name (before a version, a date or a comma)."""
    head = re.split(r"[,;:(\[—–]|\s-\s|\b(?:version|v\.?\s*\d|release)\b|\d", title, maxsplit=1,
                    flags=re.IGNORECASE)[0]
    words = [w for w in _NAME_WORD.findall(head) if w.lower() not in _SMALL]
    while words and not words[-1][0].isupper():
        words.pop()
    capitalised: list[str] = []
    for word in reversed(words):
        if not word[0].isupper():
            break
        capitalised.insert(0, word)
    return capitalised


def initialisms(title: str) -> list[tuple[str, float]]:
    """First letters of the name's last two or more words, each with the share of the name's words it stands for:
    "GNU LESSER GENERAL PUBLIC LICENSE Version 3" -> GLGPL 1.0, LGPL 0.8, GPL 0.6."""
    letters = [w[0].upper() for w in _name_words(title)]
    # Two letters only for a two-word name ("Artistic License" -> AL): "PL" alone would name every licence.
    return [("".join(letters[i:]), (len(letters) - i) / len(letters)) for i in range(len(letters) - 1)
            if i == 0 or len(letters) - i >= 3]


def _phrases(title: str) -> list[str]:
    """The name's word before each shorter initialism, then that initialism: "Lesser GPL", "GNU LGPL", "GNU FDL"."""
    words = _name_words(title)
    return [f"{words[i - 1]} {''.join(w[0].upper() for w in words[i:])}" for i in range(1, len(words) - 2)]


def versions(title: str, file_stem: str) -> list[str]:
    """The version numbers of the title and the file name; "2.0" is also "2" ("Apache 2", "MPLv2")."""
    found = [m.group(1) for m in _VERSION.finditer(title)]
    if match := _FILE_VERSION.search(file_stem):
        found.append(match.group(1))
    whole = [re.sub(r"(?:\.0)+$", "", number) for number in found]
    return list(dict.fromkeys(found + [number for number in whole if number]))


def short_names(title: str, relative_path: str) -> dict[str, float]:
    """The short names of a document (initialisms, and the file name without its version), each with the share of
    the title it stands for (a file name: all of it)."""
    stem = file_stem(relative_path.rsplit("/", 1)[-1])
    short = dict(initialisms(title))
    base = _FILE_VERSION.sub("", stem)
    if base and not base.isdigit():
        short[base] = 1.0
    return short


def names_text(title: str, relative_path: str, beaten: Iterable[str] = ()) -> str:
    """The title, the file's path words and the short names (but those in `beaten`) with their versions, one
    string for the name index."""
    stem = file_stem(relative_path.rsplit("/", 1)[-1])
    short = [name for name in short_names(title, relative_path) if name not in set(beaten)]
    numbers = versions(title, stem)
    forms = [f"{name}{joint}{number}" for name in short for number in numbers for joint in ("", "v", "-")]
    folder, _, _ = relative_path.rpartition("/")
    path_words = re.sub(r"[/_]+|\.(?!\d)", " ", f"{folder}/{stem}" if folder else stem)
    # a package name with a number in it ("zlib1g", "libbz2") is also called by its letters before the number
    stems = [m.group(1) for m in re.finditer(r"(?<![A-Za-z])([A-Za-z]{3,})\d\w*", path_words)]
    return " ".join(dict.fromkeys([title, path_words, *stems, *short, *_phrases(title), *forms]))


@dataclass(frozen=True)
class Naming:
    """What one document of a corpus is called, as the name index searches it."""

    text: str  # the title, the path's words, the short names (names_text)
    withheld: tuple[str, ...] = ()  # short names of the text that name another document more fully: not searched


def corpus_names(documents: list[tuple[str, str]]) -> list[Naming]:
    """The naming of each (title, relative path), a short name kept only where it stands for the largest share of a
    title: beside "GNU General Public License" (GPL: 3 of 4 words), "GPL" does not name the "GNU Lesser General
    Public License" (3 of 5), nor do its versioned forms ("GPLv2" for "Version 2.1"); "Lesser GPL" still does."""
    shares = [short_names(title, path) for title, path in documents]
    fullest: dict[str, float] = {}
    for short in shares:
        for name, share in short.items():
            fullest[name.lower()] = max(share, fullest.get(name.lower(), 0.0))
    namings = []
    for (title, path), short in zip(documents, shares, strict=True):
        beaten = tuple(name for name, share in short.items() if share < fullest[name.lower()])
        namings.append(Naming(names_text(title, path, beaten), beaten))
    return namings
