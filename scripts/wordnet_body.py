"""WordNet 3.0 (Debian's wordnet-base) -> src/netqa/lang/en/body_parts.txt: the everyday names of parts of the body,
so the safety routing knows "his wrist", "her collarbone" where a red flag needs a body part (a broken bone).

    python scripts/wordnet_body.py [--wordnet /usr/share/wordnet] [--min-zipf 3.0]

A word is kept when its most frequent noun sense lies under body_part.n.01 (hyponyms, followed down), that sense
is tagged at least once in WordNet's sense-tagged corpus, the word is not used more often as a verb, adjective or
adverb ("back", "small"), and English writes it at least --min-zipf on wordfreq's scale. Phrases are left out.
The licence (lang/en/LICENSE-wordnet.txt) is copied from the Debian package.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from wordfreq import zipf_frequency

OUT = Path(__file__).resolve().parent.parent / "src" / "netqa" / "lang" / "en" / "body_parts.txt"


def _index(wordnet: Path, pos: str) -> dict[str, tuple[int, list[str]]]:
    """lemma -> (senses tagged in the corpus, synset offsets most frequent first)."""
    out = {}
    for line in (wordnet / f"index.{pos}").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        fields = line.split()
        pointers = int(fields[3])
        out[fields[0]] = (int(fields[4 + pointers + 1]), fields[4 + pointers + 2:])
    return out


def _synsets(wordnet: Path) -> dict[str, tuple[list[str], list[str]]]:
    """noun synset offset -> (its lemmas, the offsets of its hyponyms)."""
    out = {}
    for line in (wordnet / "data.noun").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        head = line.split(" | ")[0].split()
        count = int(head[3], 16)
        lemmas = [head[4 + 2 * i] for i in range(count)]
        at = 4 + 2 * count
        pointers = [head[at + 1 + 4 * j: at + 4 + 4 * j] for j in range(int(head[at]))]
        out[head[0]] = (lemmas, [target for symbol, target, pos in pointers if symbol in ("~", "~i") and pos == "n"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    parser.add_argument("--min-zipf", type=float, default=3.0, help="leave out words rarer than this (wordfreq)")
    args = parser.parse_args()
    nouns, synsets = _index(args.wordnet, "noun"), _synsets(args.wordnet)
    others = [_index(args.wordnet, pos) for pos in ("verb", "adj", "adv")]
    under, stack = set(), [nouns["body_part"][1][0]]
    while stack:
        offset = stack.pop()
        if offset not in under:
            under.add(offset)
            stack += synsets[offset][1]
    words = set()
    for offset in under:
        for lemma in synsets[offset][0]:
            word = lemma.lower()
            if not word.isalpha() or word not in nouns:
                continue
            tagged, senses = nouns[word]
            if senses[0] != offset or tagged < 1 or zipf_frequency(word, "en") < args.min_zipf:
                continue
            if any(word in index and index[word][0] > tagged for index in others):
                continue
            words.add(word)
    lines = ["# Everyday names of parts of the body, derived from WordNet 3.0 (nouns whose first sense is a body part)",
             "# by scripts/wordnet_body.py; licence in LICENSE-wordnet.txt.", "[body]", *sorted(words)]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(words)} words")


if __name__ == "__main__":
    main()
