"""What a document is called, as searchable text: its title, its file name, and the short names people use for
it, made by rule: initialisms of the title's capitalised words ("GNU General Public License" -> GPL, GGPL) and
the same with the version ("Version 3" -> GPLv3, GPL-3, GPL3)."""

from __future__ import annotations

import re

_VERSION = re.compile(r"\b(?:version|v\.?|release)\s*(\d+(?:\.\d+)*)\b", re.IGNORECASE)
_FILE_VERSION = re.compile(r"[-_ ]v?(\d+(?:\.\d+)*)$", re.IGNORECASE)
_NAME_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_SMALL = {"a", "an", "and", "for", "in", "of", "on", "or", "the", "to", "with"}


def initialisms(title: str) -> list[str]:
    """First letters of every run of two or more capitalised title words that ends the name (before a version,
    a date or a comma): "GNU LESSER GENERAL PUBLIC LICENSE Version 3" -> LGPL, GLGPL, GPL, PL."""
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
    letters = [w[0].upper() for w in capitalised]
    # Two letters only for a two-word name ("Artistic License" -> AL): "PL" alone would name every licence.
    return [("".join(letters[i:])) for i in range(len(letters) - 1) if i == 0 or len(letters) - i >= 3]


def versions(title: str, file_stem: str) -> list[str]:
    found = [m.group(1) for m in _VERSION.finditer(title)]
    if match := _FILE_VERSION.search(file_stem):
        found.append(match.group(1))
    return list(dict.fromkeys(found))


def names_text(title: str, relative_path: str) -> str:
    """The title, the file's path words and the short names, one string for the name index."""
    file_name = relative_path.rsplit("/", 1)[-1]
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    short = initialisms(title)
    base = _FILE_VERSION.sub("", stem)
    if base and not base.isdigit():
        short.append(base)
    numbers = versions(title, stem)
    forms = [f"{name}{joint}{number}" for name in short for number in numbers for joint in ("", "v", "-")]
    path_words = re.sub(r"[/_.]+", " ", relative_path.rsplit(".", 1)[0])
    # a package name with a number in it ("zlib1g", "libbz2") is also called by its letters before the number
    stems = [m.group(1) for m in re.finditer(r"(?<![A-Za-z])([A-Za-z]{3,})\d\w*", path_words)]
    return " ".join(dict.fromkeys([title, path_words, *stems, *short, *forms]))
