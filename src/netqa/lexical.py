"""General English word relations from WordNet 3.0, as a compact table shipped with netqa (lang/en/).

The table is derived by scripts/wordnet_table.py from Debian's wordnet-base (WordNet's licence beside it
in lang/en/LICENSE-wordnet.txt): for a common English word, its parts of speech and the words WordNet
relates to it in its usual senses, by WordNet's tag counts (synonyms, derived forms, pertainyms, similar
adjectives), and, looser, the words defining it (the broader words and the definition's content words: "sell" ->
exchange, money).
"""

from __future__ import annotations

import gzip
from functools import lru_cache

from netqa.lang import en

# WordNet's "morphy" suffix rules: an inflected form -> the base forms it may come from.
_SUFFIXES = (("ies", "y"), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"),
             ("s", ""), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", ""),
             ("er", ""), ("est", ""), ("er", "e"), ("est", "e"))


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    """word -> the rest of its line, unparsed: most words are never looked up."""
    raw = gzip.decompress(en.path_of("wordnet_related.tsv.gz").read_bytes()).decode("utf-8")
    rows = (line.split("\t", 1) for line in raw.splitlines() if line and not line.startswith("#"))
    return {row[0]: row[1] for row in rows if len(row) == 2}


def _entry(word: str) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """(parts of speech, related words, defining words) of the word or of its base form."""
    table = _table()
    for form in (word, *base_forms(word)):
        rest = table.get(form)
        if rest is None:
            continue
        if rest.startswith("="):
            rest = table.get(rest[1:])
            if rest is None:
                continue
        parts, _, rest = rest.partition("\t")
        related, _, defining = rest.partition("\t")
        return parts, tuple(r for r in related.split("|") if r), tuple(d for d in defining.split("|") if d)
    return None


def base_forms(word: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(word[: -len(old)] + new for old, new in _SUFFIXES
                               if word.endswith(old) and len(word) - len(old) + len(new) >= 2))


@lru_cache(maxsize=20_000)
def related(word: str) -> tuple[str, ...]:
    """Words WordNet relates to this one, most frequent sense first: "bleed" -> "hemorrhage", "bleeding", ..."""
    entry = _entry(word)
    return entry[1] if entry else ()


@lru_cache(maxsize=20_000)
def defining(word: str) -> tuple[str, ...]:
    """Words WordNet defines this one with, broader ones first: "computer" -> "machine", "calculations", ..."""
    entry = _entry(word)
    return entry[2] if entry else ()


@lru_cache(maxsize=20_000)
def parts_of_speech(word: str) -> str:
    """"n", "v", "a", "r" letters for the word's parts of speech ("" when WordNet lacks it); "p" for a name."""
    entry = _entry(word)
    return entry[0] if entry else ""


def is_modifier_only(word: str) -> bool:
    """An adjective or adverb and nothing else ("upcoming", "overall"): it colours a question, it does not
    name what is asked about, so a text without it may still answer."""
    parts = parts_of_speech(word)
    return bool(parts) and not {"n", "v", "p"} & set(parts)


def is_name(word: str) -> bool:
    return "p" in parts_of_speech(word)
