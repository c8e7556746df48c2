"""Text normalisation and the analyzers shared by index building and question matching."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

from netqa.lang.en import word_list

# Words keep inner hyphens and apostrophes ("five-year", "tumor's"); "60mg" stays one token.
_WORD = re.compile(r"[^\W_]+(?:['’\-‐‑–][^\W_]+)*")
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―"} | {"’": "'", "‘": "'", "“": '"', "”": '"'})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_STEMMER = snowballstemmer.stemmer("english")


def normalise(text: str) -> str:
    """NFKC, one kind of dash and quote, no control or direction characters, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become '?'
    return " ".join(_CONTROL.sub(" ", text).split())


_DOTTED = re.compile(r"\b(?:[A-Za-z]\.){2,}")  # "U.S.", "M.D." read as the words "us", "md"


def capital_kept(written: str, replacement: str) -> str:
    """The replacement of a written word, capitalised as the word was ("Hw" -> "How", "hw" -> "how")."""
    return replacement[:1].upper() + replacement[1:] if written[:1].isupper() else replacement


def undotted(text: str) -> str:
    """"the U.S. and" -> "the US   and": initials joined, padded so every character keeps its offset."""
    return _DOTTED.sub(lambda m: m.group().replace(".", "").ljust(len(m.group())), text)


def words(text: str) -> list[str]:
    """Lower-case word tokens of already normalised text."""
    return _WORD.findall(_DOTTED.sub(lambda m: m.group().replace(".", ""), text).lower())


def stopwords() -> frozenset[str]:
    return word_list("stopwords.txt")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def content_words(text: str) -> list[str]:
    """Words that carry meaning: not function words; hyphenated compounds also give their parts."""
    stop = stopwords()
    out = []
    for word in words(text):
        if word in stop:
            continue
        out.append(word)
        if "-" in word:
            out.extend(part for part in word.split("-") if part not in stop and len(part) > 1)
    return out


def word_terms(text: str) -> list[str]:
    """Word analyzer: stems of content words, plus bigrams of neighbouring stems."""
    stems = [stem(w) for w in content_words(normalise(text))]
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


def char_words(text: str) -> list[str]:
    """The words whose character n-grams are the character analyzer's terms."""
    return words(normalise(text))


def char_terms(text: str) -> list[str]:
    """Character analyzer: 4- and 5-grams inside each word padded with spaces (like char_wb).

    3-grams would add nothing the 4-grams miss on the gold sets, and they are the most common
    n-grams: at 6,000 documents they made up five in eight of the postings a question reads.
    """
    grams: list[str] = []
    for word in char_words(text):
        grams.extend(word_grams(word))
    return grams


@lru_cache(maxsize=8192)  # building meets the same words again and again
def word_grams(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    return tuple(padded[i:i + n] for n in (4, 5) for i in range(len(padded) - n + 1))


@lru_cache(maxsize=8192)
def neighbour_swaps(word: str) -> frozenset[str]:
    """The word with two neighbouring letters swapped, every way: "life" -> "ilfe", "lfie", "lief" (the commonest
    typing slip, one edit as optimal string alignment counts it)."""
    return frozenset(word[:at] + word[at + 1] + word[at] + word[at + 2:] for at in range(len(word) - 1)
                     if word[at] != word[at + 1])


def swapped_neighbours(word: str, other: str) -> bool:
    """Whether `other` is `word` with two neighbouring letters swapped ("lfie" for "life", "trail" for "trial")."""
    return other in neighbour_swaps(word)
