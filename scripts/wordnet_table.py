"""WordNet 3.0 (Debian's wordnet-base) -> src/netqa/lang/en/wordnet_related.tsv.gz: common English words and the
words WordNet relates them to, so netqa needs no WordNet at run time.

    python scripts/wordnet_table.py [--wordnet /usr/share/wordnet] [--min-zipf 2.0]

Each line: `word<TAB>parts of speech<TAB>related word|related word|...<TAB>defining word|...` (parts of speech
as letters: n, v, a, r; p when WordNet writes it only as a name). Related are, for the word's first senses
(WordNet lists senses by frequency): the other words of each synset (synonyms), the words derivationally related
to this word ("compare" -> "comparison"), pertainyms ("hemorrhagic" -> "hemorrhage") and, for the first sense,
adjectives similar in meaning. Broader words (hypernyms) are left out there: "price" is not "value". Defining
words are looser, for a word a text never uses: of the first sense of each part of speech, the broader words and
the content words of the definition ("sell" -> exchange, deliver, money; "computer" -> machine, calculations).
Proper names (capitalised lemmas: "England") are left out: a place or a name is a constraint to find, not to widen.

Only a word's usual senses are used, by WordNet's tag counts (cntlist.rev: how often each sense was tagged in the
semantic concordance texts): its first sense of a part of speech, and a later one (of the first SENSES) only when it
was tagged at least FREQUENT_SHARE of the times the word was tagged in that part of speech; and the part of speech
the word is most often tagged in comes first ("break" the verb before "break" the noun). So "run" keeps its verb
senses and not "a run" = "a trial", which hardly anyone means by it.
The licence (lang/en/LICENSE-wordnet.txt) is copied from the Debian package.
"""

from __future__ import annotations

import argparse
import gzip
import re
import shutil
from collections import defaultdict
from pathlib import Path

from wordfreq import zipf_frequency

from netqa.lang import en

POS = {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}
SENSES = 2  # senses of each part of speech whose relations are kept (the most frequent first)
FREQUENT_SHARE = 0.05  # a later sense tagged this share of a word's tags in its part of speech is a usual one
MAX_RELATED = 16
MAX_DEFINING = 12
PER_SENSE = 6  # definition words of one sense (and half as many broader words): a long definition drifts
DEFINING_MAX_ZIPF = 5.4  # a definition's everyday words ("form", "case", "line") say nothing of the word defined
DEFINING_ZIPF = 3.0  # only words this common get defining words: the ones patients use for what a text says
OUT = Path(__file__).resolve().parent.parent / "src" / "netqa" / "lang" / "en"


def read_synsets(wordnet: Path) -> dict[tuple[str, str], tuple[list[str], list[tuple[str, str, str, int, int]]]]:
    """(pos, offset) -> (lemmas as written, pointers (symbol, offset, pos, source word no., target word no.))."""
    synsets = {}
    for pos in ("noun", "verb", "adj", "adv"):
        for line in (wordnet / f"data.{pos}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  "):
                continue
            fields = line.split(" | ")[0].split()
            offset, ss_type = fields[0], fields[2]
            count = int(fields[3], 16)
            lemmas = [fields[4 + 2 * i].split("(")[0] for i in range(count)]
            at = 4 + 2 * count
            pointers = []
            for _ in range(int(fields[at])):
                symbol, target, target_pos, numbers = fields[at + 1:at + 5]
                pointers.append((symbol, target, "a" if target_pos == "s" else target_pos,
                                 int(numbers[:2], 16), int(numbers[2:], 16)))
                at += 4
            synsets[("a" if ss_type == "s" else ss_type, offset)] = (lemmas, pointers)
    return synsets


def read_glosses(wordnet: Path) -> dict[tuple[str, str], str]:
    """(pos, offset) -> the synset's definition, without its examples (the quoted sentences after it)."""
    glosses = {}
    for pos in ("noun", "verb", "adj", "adv"):
        for line in (wordnet / f"data.{pos}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  "):
                continue
            head, _, gloss = line.partition(" | ")
            fields = head.split()
            glosses[("a" if fields[2] == "s" else fields[2], fields[0])] = gloss.split('"')[0].strip(" ;")
    return glosses


def read_senses(wordnet: Path) -> tuple[dict[str, list[tuple[str, str]]], dict[str, list[tuple[str, str]]]]:
    """lemma -> its first SENSES synsets of each part of speech, and -> its usual ones among them (see the module's
    docstring); the part of speech it is most used in first."""
    counts = tag_counts(wordnet)
    every: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for pos, letter in (("noun", "n"), ("verb", "v"), ("adj", "a"), ("adv", "r")):
        for line in (wordnet / f"index.{pos}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  "):
                continue
            fields = line.split()
            lemma, synset_count, pointer_count = fields[0], int(fields[2]), int(fields[3])
            every[lemma][letter] = fields[6 + pointer_count:6 + pointer_count + synset_count]
    senses: dict[str, list[tuple[str, str]]] = defaultdict(list)
    usual: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for lemma, by_pos in every.items():
        tagged = {letter: [counts.get((lemma, letter, i + 1), 0) for i in range(len(offsets))]
                  for letter, offsets in by_pos.items()}
        for letter in sorted(by_pos, key=lambda letter: ("nvar".index(letter) - 10 * sum(tagged[letter]))):
            total = sum(tagged[letter])
            senses[lemma].extend((letter, offset) for offset in by_pos[letter][:SENSES])
            usual[lemma].extend((letter, offset) for rank, offset in enumerate(by_pos[letter][:SENSES])
                                if rank == 0 or total and tagged[letter][rank] >= max(1, FREQUENT_SHARE * total))
    return senses, usual


def tag_counts(wordnet: Path) -> dict[tuple[str, str, int], int]:
    """(lemma, part of speech, sense number) -> the times that sense was tagged (cntlist.rev)."""
    letters = {"1": "n", "2": "v", "3": "a", "4": "r", "5": "a"}
    counts: dict[tuple[str, str, int], int] = {}
    for line in (wordnet / "cntlist.rev").read_text(encoding="latin-1").splitlines():
        key, number, count = line.split()
        lemma, _, kind = key.partition("%")
        counts[(lemma, letters[kind[0]], int(number))] = int(count)
    return counts


def related(lemma: str, senses, synsets) -> list[str]:
    out: list[str] = []
    for key in senses.get(lemma, ()):
        if key not in synsets:
            continue
        lemmas, pointers = synsets[key]
        out.extend(lemmas)
        own = next((i + 1 for i, w in enumerate(lemmas) if w.lower() == lemma), 0)
        for symbol, target, pos, source_no, target_no in pointers:
            if (pos, target) not in synsets:
                continue
            words = synsets[(pos, target)][0]
            if symbol in ("+", "\\") and source_no == own:  # derivation, pertainym: this very word's
                out.append(words[target_no - 1])
            elif symbol in ("&", "^") and key == senses[lemma][0]:  # similar, also-see: first sense only
                out.extend(words)
    seen = []
    for word in out:
        if word[:1].isupper():
            continue
        word = word.replace("_", " ").lower()
        if word != lemma.replace("_", " ") and word not in seen:
            seen.append(word)
    return seen[:MAX_RELATED]


def defining(lemma: str, senses, synsets, glosses, stopwords: frozenset[str]) -> list[str]:
    """The broader words and the definition's content words of the first sense of each part of speech."""
    out: list[str] = []
    for letter in "nvar":
        key = next((k for k in senses.get(lemma, ()) if k[0] == letter), None)
        if key is None or key not in synsets:
            continue
        broader = [w for symbol, target, pos, _, _ in synsets[key][1] if symbol in ("@", "@i")
                   and (pos, target) in synsets for w in synsets[(pos, target)][0]]
        content = [w for w in map(lambda w: _lemma(w, senses), re.findall(r"[a-z]+(?:-[a-z]+)*", glosses.get(key, "")))
                   if w and w not in stopwords and {k[0] for k in senses[w]} - {"r"}
                   and zipf_frequency(w, "en") <= DEFINING_MAX_ZIPF]
        out.extend(broader[:PER_SENSE // 2] + content[:PER_SENSE])
    seen = []
    for word in out:
        word = word.replace("_", " ").lower()
        if len(word) > 2 and word != lemma.replace("_", " ") and word not in seen and not word[:1].isdigit():
            seen.append(word)
    return seen[:MAX_DEFINING]


def _lemma(word: str, senses) -> str | None:
    """The WordNet lemma a definition's word is a form of ("received" -> "receive"), or None."""
    if word in senses:
        return word
    return next((base for old, new in _SUFFIXES if word.endswith(old) and (base := word[: -len(old)] + new) in senses),
                None)


_SUFFIXES = (("ies", "y"), ("es", "e"), ("es", ""), ("s", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", ""))


def _is_proper(lemma: str, senses, synsets) -> bool:
    """Whether every sense of the word writes it with a capital (England, Monday)."""
    written = [w for key in senses.get(lemma, ()) if key in synsets for w in synsets[key][0] if w.lower() == lemma]
    return bool(written) and all(w[:1].isupper() for w in written)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    parser.add_argument("--min-zipf", type=float, default=2.5, help="leave out words rarer than this in English")
    args = parser.parse_args()
    synsets, glosses = read_synsets(args.wordnet), read_glosses(args.wordnet)
    senses, usual = read_senses(args.wordnet)
    stopwords = en.word_list("stopwords.txt") | en.word_list("generic_words.txt")
    rows = []
    for lemma in sorted(senses):
        phrase = lemma.replace("_", " ")
        if phrase.count(" ") > 2 or not phrase.replace(" ", "").replace("-", "").isalpha():
            continue
        if zipf_frequency(phrase, "en") < args.min_zipf:
            continue
        words = [w for w in related(lemma, usual, synsets) if zipf_frequency(w, "en") >= 1.0 or " " in w]
        parts = "".join(sorted({letter for letter, _ in senses[lemma]}))
        if _is_proper(lemma, senses, synsets):
            parts += "p"  # a name: "england", "monday"
        defined = [w for w in defining(lemma, usual, synsets, glosses, stopwords)
                   if w not in words and (zipf_frequency(w, "en") >= 2.0 or " " in w)
                   ] if zipf_frequency(phrase, "en") >= DEFINING_ZIPF else []
        rows.append(f"{phrase}\t{parts}\t{'|'.join(words)}\t{'|'.join(defined)}".rstrip("\t"))
    # Irregular forms (WordNet's *.exc files): "children" -> "child", "worse" -> "bad"; a line `form<TAB>=base`.
    kept = {row.split("\t", 1)[0] for row in rows}
    for pos in ("noun", "verb", "adj"):
        for line in (args.wordnet / f"{pos}.exc").read_text(encoding="latin-1").splitlines():
            form, *bases = line.split()
            base = next((b.replace("_", " ") for b in bases if b.replace("_", " ") in kept), None)
            if base and form not in kept and zipf_frequency(form, "en") >= args.min_zipf:
                rows.append(f"{form}\t={base}")
    text = "# Derived from WordNet 3.0 by scripts/wordnet_table.py; licence in LICENSE-wordnet.txt\n"
    text += "\n".join(rows) + "\n"
    # mtime 0: the same WordNet gives the same bytes
    (OUT / "wordnet_related.tsv.gz").write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    copyright_file = Path("/usr/share/doc/wordnet-base/copyright")
    if copyright_file.exists():
        shutil.copyfile(copyright_file, OUT / "LICENSE-wordnet.txt")
    print(f"{len(rows)} words -> {OUT / 'wordnet_related.tsv.gz'}")


if __name__ == "__main__":
    main()
