"""What a document is called, as searchable text: its title, its file name, and the short names people use for
it, made by rule: initialisms of the title's capitalised words ("GNU General Public License" -> GPL, GGPL), the
words before a shorter one with it ("GNU GPL", "Lesser GPL"), and the same with the version ("Version 3" -> GPLv3,
GPL-3, GPL3; "2.0" is also "2")."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from netqa.documents.model import Document

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


def is_name(title: str) -> bool:
    """Whether a title is a name ("Apache License Version 2.0, January 2004", "XZ Utils"): its words up to a version,
    a date or a comma are all capitalised, as a headline's ("FDA Clears Cabozantinib as New ...") are not."""
    head = re.split(r"[,;:(\[—–]|\s-\s|\b(?:version|v\.?\s*\d|release)\b|\d", title, maxsplit=1,
                    flags=re.IGNORECASE)[0]
    words = [w for w in _NAME_WORD.findall(head) if w.lower() not in _SMALL]
    return bool(words) and words == _name_words(title)


def searched_names(documents: Sequence[Document]) -> list[str]:
    """The documents' names the index searches (see index.PassageIndex.fit): every document's in a folder of
    several; the only document's when its title is a name, for a question that names it says which passage it
    means no more than one in a folder does (a headline is no name: its words are what the text is about)."""
    if len(documents) == 1:
        only = documents[0]
        return [name_proper(only.title, only.relative_path or only.path.name)] if is_name(only.title) else []
    return [document.names for document in documents]


def name_proper(title: str, relative_path: str) -> str:
    """names_text without the title's version and date ("Apache License Version 2.0, January 2004" -> "Apache
    License" and its short names): the words a question names the only document of a corpus by."""
    relative_path = re.sub(r"\.gz$", "", relative_path, flags=re.IGNORECASE)
    numbers = versions(title, file_stem(relative_path.rsplit("/", 1)[-1]))
    return names_text(" ".join(_name_words(title)), relative_path, numbers)


def initialisms(title: str) -> list[str]:
    """First letters of the name's words, and of all but the first: "GNU LESSER GENERAL PUBLIC LICENSE Version 3"
    -> GLGPL, LGPL. The first word may be the maker's ("GNU GPL" is the GPL); a word after it narrows the name,
    and without it the letters name another thing ("GPL" is not the Lesser GPL)."""
    letters = [w[0].upper() for w in _name_words(title)]
    # Two letters only for a two-word name ("Artistic License" -> AL): "PL" alone would name every licence.
    return ["".join(letters[i:]) for i in (0, 1) if i < len(letters) - 1 and (i == 0 or len(letters) - i >= 3)]


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


def names_text(title: str, relative_path: str, numbers: list[str] | None = None) -> str:
    """The title, the file's path words and the short names with their versions (`numbers`, by default those of
    the title and the file name), one string for the name index."""
    stem = file_stem(relative_path.rsplit("/", 1)[-1])
    short = initialisms(title)
    base = _FILE_VERSION.sub("", stem)
    if base and not base.isdigit():
        short.append(base)
    numbers = versions(title, stem) if numbers is None else numbers
    forms = [f"{name}{joint}{number}" for name in short for number in numbers for joint in ("", "v", "-")]
    folder, _, _ = relative_path.rpartition("/")
    path_words = re.sub(r"[/_]+|\.(?!\d)", " ", f"{folder}/{stem}" if folder else stem)
    # a package name with a number in it ("zlib1g", "libbz2") is also called by its letters before the number
    stems = [m.group(1) for m in re.finditer(r"(?<![A-Za-z])([A-Za-z]{3,})\d\w*", path_words)]
    return " ".join(dict.fromkeys([title, path_words, *stems, *short, *_phrases(title), *forms]))
