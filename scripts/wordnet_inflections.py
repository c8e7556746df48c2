"""WordNet 3.0 (Debian's wordnet-base) -> src/netqa/lang/en/inflections.txt: irregular word forms and their base
("bled = bleed", "swollen = swell", "worse = bad"), so the safety routing knows a form its word lists never wrote.

    python scripts/wordnet_inflections.py [--wordnet /usr/share/wordnet] [--min-zipf 2.0]

Read from WordNet's exception lists (verb.exc, adj.exc, noun.exc), the same lists WordNet's own morphology
(morphy) uses. Left out: forms that are base words themselves in WordNet ("bit" is a noun, not only "bite"),
forms English seldom writes (below --min-zipf on wordfreq's scale), and phrases. The regular endings that
morphy strips ("-er", "-est", "-ier") are written by hand in the file's [endings] section.
The licence (lang/en/LICENSE-wordnet.txt) is copied from the Debian package.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from wordfreq import zipf_frequency

OUT = Path(__file__).resolve().parent.parent / "src" / "netqa" / "lang" / "en" / "inflections.txt"
ENDINGS = """\
# Regular endings WordNet's morphy strips from adjectives (comparative, superlative), tried in this order;
# a doubled last consonant is undone too ("bigger" -> "big").
[endings]
ier = y
iest = y
er =
est =
er = e
est = e
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    parser.add_argument("--min-zipf", type=float, default=2.0, help="leave out forms rarer than this (wordfreq)")
    args = parser.parse_args()
    lemmas = set()
    for pos in ("noun", "verb", "adj", "adv"):
        for line in (args.wordnet / f"index.{pos}").read_text(encoding="latin-1").splitlines():
            if not line.startswith(" "):
                lemmas.add(line.split(" ", 1)[0])
    pairs: dict[str, str] = {}
    for pos in ("verb", "adj", "noun"):
        for line in (args.wordnet / f"{pos}.exc").read_text(encoding="latin-1").splitlines():
            form, base = line.split()[:2]
            if form.isalpha() and base.isalpha() and form not in lemmas and form not in pairs \
                    and zipf_frequency(form, "en") >= args.min_zipf:
                pairs[form] = base
    lines = ["# Irregular word forms and their base word, derived from WordNet 3.0's exception lists (verb.exc,",
             "# adj.exc, noun.exc) by scripts/wordnet_inflections.py; licence in LICENSE-wordnet.txt.",
             ENDINGS.rstrip("\n"), "[irregular]"]
    lines += [f"{form} = {base}" for form, base in sorted(pairs.items())]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(pairs)} irregular forms")


if __name__ == "__main__":
    main()
