"""What a document is called, as searchable text: its title, its file name, and the short names people use for
it, made by rule: initialisms of the title's capitalised words ("GNU General Public License" -> GPL, GGPL), the
words before a shorter one with it ("GNU GPL", "Lesser GPL"), and the same with the version ("Version 3" -> GPLv3,
GPL-3, GPL3; "2.0" is also "2")."""

from __future__ import annotations

import os
import re

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


def initialisms(title: str) -> list[str]:
    """First letters of the name's last two or more words: "GNU LESSER GENERAL PUBLIC LICENSE Version 3" -> GLGPL,
    LGPL, GPL."""
    letters = [w[0].upper() for w in _name_words(title)]
    # Two letters only for a two-word name ("Artistic License" -> AL): "PL" alone would name every licence.
    return ["".join(letters[i:]) for i in range(len(letters) - 1) if i == 0 or len(letters) - i >= 3]


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


def names_text(title: str, relative_path: str) -> str:
    """The title, the file's path words and the short names with their versions, one string for the name index."""
    stem = file_stem(relative_path.rsplit("/", 1)[-1])
    short = initialisms(title)
    base = _FILE_VERSION.sub("", stem)
    if base and not base.isdigit():
        short.append(base)
    numbers = versions(title, stem)
    forms = [f"{name}{joint}{number}" for name in short for number in numbers for joint in ("", "v", "-")]
    folder, _, _ = relative_path.rpartition("/")
    path_words = re.sub(r"[/_]+|\.(?!\d)", " ", f"{folder}/{stem}" if folder else stem)
    # a package name with a number in it ("zlib1g", "libbz2") is also called by its letters before the number
    stems = [m.group(1) for m in re.finditer(r"(?<![A-Za-z])([A-Za-z]{3,})\d\w*", path_words)]
    return " ".join(dict.fromkeys([title, path_words, *stems, *short, *_phrases(title), *forms]))
