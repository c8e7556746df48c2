"""The corpus's own words: vocabulary, lay-word lexicon, abbreviations, typo correction, query expansion."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from netqa import lexical
from netqa.lang import en
from netqa.text import capital_kept, content_words, neighbour_swaps, normalise, stem, stopwords, words

TYPO_MIN_SIMILARITY = 78  # rapidfuzz ratio: "pateints" -> "patients" scores 88
TYPO_MIN_LENGTH = 4  # shorter words are too often another real word one letter away
RELATED_PER_WORD = 4  # corpus words WordNet relates to one question word, at most (most frequent sense first)
DEFINING_PER_WORD = 4  # corpus words among those WordNet defines one question word with, at most
PARTICLE_ZIPF = 5.8  # the few hundred commonest English words ("on", "one", "over", "down"), wordfreq's Zipf scale
REAL_WORD_ZIPF = 2.5  # a word this common in English (wordfreq's Zipf scale) is never "corrected": live != liver


_EITHER_OR = re.compile(r"([\w-]+) or ([\w-]+)")
# "how long", "how many": the kind of answer wanted, not words to find ("long-term" is no answer).
_HOW_MUCH = re.compile(r"\bhow (?:long|many|much|often|soon|likely|common)\b")


@dataclass(frozen=True)
class Expansion:
    """What the question says once typos are fixed, plus the document words its lay words stand for."""

    text: str  # the question with typos corrected
    corrections: tuple[tuple[str, str], ...]
    synonyms: tuple[tuple[str, tuple[str, ...]], ...]  # (question phrase, document words it stands for)
    unknown: tuple[str, ...]  # content words the corpus never uses, even after all of the above
    lay_phrases: tuple[str, ...] = ()  # phrases not searched as typed: translated ones, absent alternatives
    related: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (word the corpus lacks, corpus words WordNet relates)
    incidental: tuple[str, ...] = ()  # describing words the corpus lacks ("upcoming"): neither searched nor missed
    english: tuple[str, ...] = ()  # other English words the corpus lacks ("tablet"): they weaken the match only
    lacking: tuple[str, ...] = ()  # every content word the corpus does not use, whatever stands in for it
    long_forms: tuple[tuple[str, tuple[str, ...]], ...] = ()  # abbreviations the corpus also uses, spelled out
    # (word the corpus lacks, corpus words WordNet defines it with): searched only, weaker still than `related`
    defined: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def search_text(self) -> str:
        """The question with its lay phrases taken out (their document words are searched instead)."""
        text = _HOW_MUCH.sub(" ", " ".join(words(self.text)))
        for phrase in self.lay_phrases:
            text = re.sub(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", " ", text)
        return text

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w for _, document_words in self.synonyms for w in document_words))

    @property
    def related_added(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w for _, document_words in self.related for w in document_words))

    @property
    def defined_added(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w for _, document_words in self.defined for w in document_words))


def read_lexicon(path: Path) -> dict[str, tuple[str, ...]]:
    """`lay phrase = document words, more words` per line; # starts a note."""
    lexicon: dict[str, tuple[str, ...]] = {}
    if not path.exists():
        return lexicon
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        lay, sep, clinical = line.partition("=")
        if not sep or not lay.strip() or not clinical.strip():
            raise ValueError(f"{path}:{number}: expected 'lay words = document words', got {line!r}")
        key = " ".join(words(normalise(lay)))
        lexicon[key] = lexicon.get(key, ()) + tuple(t.strip() for t in clinical.split(",") if t.strip())
    return lexicon


def generic_words() -> frozenset[str]:
    """Words a question may use without the corpus using them ("raise", "people", "mean")."""
    return en.word_list("generic_words.txt")


def find_abbreviations(text: str) -> dict[str, str]:
    """Abbreviation -> long form, learned from the text itself.

    Two sources: a definition in brackets, "pancreatic NET (pNET)" (found by matching the letters
    backwards, after Schwartz & Hearst 2003), and the initials of a run of capitalised words,
    "National Comprehensive Cancer Network" -> NCCN.
    """
    found: dict[str, str] = {}
    for match in re.finditer(r"\(([A-Za-z][A-Za-z0-9-]{1,9})\)", text):
        abbr = match.group(1)
        if sum(c.isupper() for c in abbr) >= 2:
            long_form = _long_form(abbr, text[max(0, match.start() - 120):match.start()])
            if long_form:
                found.setdefault(abbr.lower(), long_form)
    connector = r"(?:of|for|and|the|in|on|&)"
    capitalised = re.compile(rf"[A-Z][\w-]*(?:\s+(?:{connector}\s+)*[A-Z][\w-]*)+")
    for match in capitalised.finditer(text):
        tokens = match.group().split()
        caps = [i for i, t in enumerate(tokens) if t[0].isupper()]
        for a in range(len(caps)):
            for b in range(a + 2, min(a + 7, len(caps)) + 1):
                phrase = tokens[caps[a]:caps[b - 1] + 1]
                initials = "".join(t[0] for t in phrase if t[0].isupper()).lower()
                if len(initials) >= 3 and not _is_common_word(initials):  # "Alliance for Clinical Trials" is not "act"
                    found.setdefault(initials, " ".join(phrase))
    return found


def _long_form(abbr: str, before: str) -> str | None:
    candidate = " ".join(before.split()[-(len(abbr) + 4):])
    c = len(candidate) - 1
    letters = [ch.lower() for ch in abbr if ch.isalnum()]
    for a in range(len(letters) - 1, -1, -1):
        while c >= 0 and (candidate[c].lower() != letters[a]
                          or a == 0 and c > 0 and candidate[c - 1].isalnum()):
            c -= 1
        if c < 0:
            return None
        c -= 1
    return candidate[c + 1:].strip() or None


# Lay words -> the words texts of a kind use: health, software manuals, licences (lang/en/lay_*.txt). Each entry
# is used only where a corpus has its document words, so one corpus draws on the files that fit it.
LAY_FILES = ("lay_medical.txt", "lay_computing.txt", "lay_legal.txt")


@lru_cache(maxsize=1)
def _lay_vocabulary() -> dict[str, tuple[str, ...]]:
    merged: dict[str, tuple[str, ...]] = {}
    for name in LAY_FILES:
        for key, document_words in en.multi_table(name).items():
            merged[key] = tuple(dict.fromkeys(merged.get(key, ()) + document_words))
    return merged


class Vocabulary:
    """Everything known about the corpus's words, used to turn a question into search terms."""

    def __init__(self, corpus_words: Iterable[str], lexicon: dict[str, tuple[str, ...]],
                 abbreviations: dict[str, str], stems: Iterable[str] | None = None):
        self.words = frozenset(corpus_words)
        # A saved index passes the stems it stored: stemming 100,000 words anew takes seconds.
        self.stems = frozenset(stems if stems is not None else (stem(w) for w in corpus_words))
        self.abbreviations = abbreviations
        # The general lay vocabulary, where the corpus has the words it stands for; the corpus's own lexicon
        # overrides it ("drug = cabozantinib" in the article's).
        # Only for phrases the corpus does not use itself: "study" stays "study" in a text that says it.
        general = {key: kept for key, document_words in _lay_vocabulary().items()
                   if not self._knows_phrase(key) and (kept := tuple(d for d in document_words
                                                                       if self._knows_phrase(d)))}
        own = lexicon
        self.lexicon = {**general, **own}
        lexicon = self.lexicon
        self.speller = Speller(self.words | {w for key in lexicon for w in key.split()})
        # Lay phrases are matched by their stems, so "risks" finds "risk" and "bleeds" finds "bleed".
        # The corpus's own entries win over general ones that stem alike ("dose", "doses").
        self._lexicon_by_stems = {tuple(stem(w) for w in key.split()): key for key in [*general, *own]}
        self._longest_phrase = max((len(k) for k in self._lexicon_by_stems), default=0)
        self._corrections: dict[str, tuple[str | None, str | None]] = {}  # word -> (in the corpus, anywhere)

    def expand(self, question: str) -> Expansion:
        text = normalise(question)
        corrections = tuple((w, fixed) for w in dict.fromkeys(words(text))
                            if (fixed := self.correct(w)) and fixed != w)
        for wrong, right in corrections:
            # a word of an identifier too: "BZ_CONFG_ERROR" (words() splits at "_")
            text = re.sub(rf"(?<![^\W_]|-){re.escape(wrong)}(?![^\W_]|-)", _in_case_of(right), text,
                          flags=re.IGNORECASE)
        lowered = " ".join(words(text))
        synonyms: list[tuple[str, tuple[str, ...]]] = []
        synonyms += [(phrase, self.lexicon[key]) for phrase, key in self._lay_phrases(lowered.split())]
        lay_phrases = tuple(phrase for phrase, _ in synonyms)
        synonyms += [(w, (self.abbreviations[w],)) for w in dict.fromkeys(words(text))
                     if w in self.abbreviations and w not in stopwords() and w not in lay_phrases]
        synonyms += [(w, (spelled,)) for w in dict.fromkeys(words(text))
                     if (spelled := _spell_numbers(w)) != w and self.knows(spelled)]
        covered = {w for phrase, _ in synonyms for w in content_words(phrase)}
        # "single-center or multicenter?": an alternative the corpus lacks is part of the question, not a gap
        pairs = [(a, b) for a, b in _EITHER_OR.findall(lowered) if self._knows_any(a) or self._knows_any(b)]
        alternatives = {w for a, b in pairs for w in (a, *a.split("-"), b, *b.split("-"))}
        # ...and is not searched for either: "single-center" would only find some other "center"
        absent = tuple(x for a, b in pairs for x in (a, b) if not self.knows(x))
        missing = [w for w in dict.fromkeys(content_words(text))
                   if w not in covered and not self.knows(w) and w not in generic_words()
                   and not w.isdigit() and w not in alternatives
                   # a compound ("single-center") is judged by its parts, which are listed too
                   and not ("-" in w and any(self.knows(part) for part in w.split("-")))]
        related = tuple((w, found) for w in missing if (found := self._related(w)))
        # Definitions are looser than synonyms: only for a word WordNet relates no corpus word to.
        defined = tuple((w, found) for w in missing if w not in dict(related) and (found := self._defining(w)))
        # "the upcoming study", "actually": a describing word the corpus lacks does not make the question
        # unanswerable; one the question turns on ("when will the results be available?") does.
        tokens = lowered.split()
        attributive = {a for a, b in zip(tokens, tokens[1:], strict=False) if b not in stopwords() and b.isalpha()}
        incidental = tuple(w for w in missing if w not in dict(related) and lexical.is_modifier_only(w)
                           and (w in attributive or "a" not in lexical.parts_of_speech(w)))
        # A word English knows ("tablet", "lady") only weakens the match; one it does not (a term the corpus
        # lacks, "ramucirumab") says the question is about something else.
        unknown = tuple(w for w in missing if w not in dict(related) and w not in incidental
                        and not lexical.parts_of_speech(w))
        others = tuple(w for w in missing if w not in dict(related) and w not in incidental and w not in unknown)
        lacking = tuple(w for w in dict.fromkeys(content_words(text)) if not self.knows(w)
                        and w not in generic_words() and not w.isdigit())
        return Expansion(text, corrections, tuple(synonyms), unknown, lay_phrases + absent, related, incidental,
                         others, lacking, defined=defined)

    def repair(self, text: str) -> str:
        """Word forms the corpus does not use put into ones it does: "randomised" -> "randomized" (British and
        American spellings, lang/en/spelling_variants.txt), "howmany" -> "how many" (two words run together).

        A word the corpus or English knows is never rewritten.
        """
        return _WORD_OR_INITIALS.sub(lambda m: self._repaired(m.group()), text)

    def _repaired(self, word: str) -> str:
        lowered = word.lower()
        if "." in word or len(word) < 4 or not word.isalpha() or self.knows(lowered):
            return word
        variant = next((v for v in _spelling_variants(lowered) if self.knows(v)), None)
        if variant is not None:
            return capital_kept(word, variant)
        if is_english(lowered) or self.correct(lowered, beyond_corpus=False):
            return word  # a misspelt corpus word is corrected later, not split
        split = _split_compound(lowered, self.knows)
        if split is None or len(word) < 5 and split[1] < SHORT_PART_ZIPF:  # "isit" is "is it"
            return word
        # "dedine" is "define" (one slip), not "de dine": a split wins only when its rarer part is commoner in
        # English than the word one slip away ("wasit" is "was it", not "waist")
        slip = self.correct(lowered)
        if slip is not None and english_frequency(slip) >= split[1]:
            return word
        # ("Howmany pnet patients" after a story: a sentence's first word keeps its capital, or it runs into the
        # sentence before it)
        return capital_kept(word, split[0])

    def _lay_phrases(self, tokens: list[str]) -> list[tuple[str, str]]:
        """(phrase as asked, lexicon entry) for each lay phrase in the question, longest match first."""
        stems = [stem(t) for t in tokens]
        found, i = [], 0
        while i < len(tokens):
            for n in range(min(self._longest_phrase, len(tokens) - i), 0, -1):
                key = self._lexicon_by_stems.get(tuple(stems[i:i + n]))
                if key is not None:
                    found.append((" ".join(tokens[i:i + n]), key))
                    i += n
                    break
            else:
                i += 1
        return found

    def _knows_phrase(self, phrase: str) -> bool:
        parts = [w for w in words(phrase) if w not in stopwords()]
        return bool(parts) and all(self.knows(w) for w in parts)

    def _related(self, word: str) -> tuple[str, ...]:
        """Corpus words WordNet relates to a word the corpus lacks ("bleed" -> "hemorrhage")."""
        found = [r for r in lexical.related(word) if self._knows_phrase(r) and r not in generic_words()
                 and not _one_word_said_more(r)]
        return tuple(found[:RELATED_PER_WORD])

    def _defining(self, word: str) -> tuple[str, ...]:
        """Corpus words WordNet defines a word the corpus lacks with ("squash" -> "compress")."""
        found = [d for d in lexical.defining(word) if self._knows_phrase(d) and d not in generic_words()
                 and not _one_word_said_more(d)]
        return tuple(found[:DEFINING_PER_WORD])

    def _knows_any(self, compound: str) -> bool:
        return self.knows(compound) or any(self.knows(part) for part in compound.split("-") if len(part) > 2)

    def knows(self, word: str) -> bool:
        return word in self.words or stem(word) in self.stems

    def correct(self, word: str, beyond_corpus: bool = True) -> str | None:
        """The word a misspelt word stands for: the corpus word nearest it, or the everyday word of questions
        ("whihc" -> "which", "cuase" -> "cause") when that is nearer still; with `beyond_corpus`, when no corpus
        word is near, one of English's commonest words one slip away ("decidng" ->
        "deciding": a word the corpus lacks then weakens the match instead of reading as an unknown term). A
        hyphenated word is corrected part by part ("Dana-Fabrer"). None when it is no misspelling we can fix."""
        if word not in self._corrections:
            fixed = self._corrected_parts(word) if "-" in word else self._nearest(word)
            if len(self._corrections) >= 50_000:
                return fixed[1] if beyond_corpus else fixed[0]
            self._corrections[word] = fixed
        in_corpus, beyond = self._corrections[word]
        return beyond if beyond_corpus else in_corpus

    def _nearest(self, word: str) -> tuple[str | None, str | None]:
        """(the corpus word a misspelling stands for, the word it stands for anywhere), see `correct`."""
        if not (len(word) >= TYPO_MIN_LENGTH and word.isalpha() and not self.knows(word) and word not in self.lexicon
                and word not in stopwords() and word not in generic_words()):
            return None, None
        best = self.speller.nearest(word)
        if is_english(word):
            return (best[0], best[0]) if best else (None, None)
        if best:
            everyday = _everyday_speller().nearest(word)
            if everyday and everyday[0] != best[0] and everyday[1][:3] <= best[1][:3]:
                return None, everyday[0]  # the everyday word is nearer
            return best[0], best[0]
        # No corpus word near: English's commonest words, one slip away ("prise" is "price", not the everyday
        # "raise": the commoner of equally near words)
        common = _english_speller().nearest(word)
        return None, common[0] if common and common[1][0] <= 1 else None

    def _corrected_parts(self, word: str) -> tuple[str | None, str | None]:
        if self.knows(word) or not all(part.isalpha() for part in word.split("-")):
            return None, None
        fixed = []
        for beyond in (False, True):
            parts = [self.correct(part, beyond) or part for part in word.split("-")]
            fixed.append("-".join(parts) if parts != word.split("-") else None)
        return fixed[0], fixed[1]


@lru_cache(maxsize=20_000)
def _one_word_said_more(phrase: str) -> bool:
    """A phrase of several words, all but one of them among English's commonest (PARTICLE_ZIPF: "on", "one",
    "over", "down"): "pass on", "fast one", "turn over" are idioms, which a text holding the one other word alone
    does not say ("pass" is not "pass on", "fast" is not a trick)."""
    parts = phrase.split()
    return len(parts) > 1 and sum(english_frequency(w) < PARTICLE_ZIPF for w in parts) <= 1


def _in_case_of(right: str):
    """A replacement for re.sub: the correction in capitals where the typo was ("BZ_CONFG_ERROR")."""
    def replace(m: re.Match) -> str:
        return right.upper() if m.group().isupper() else right
    return replace


class Speller:
    """Misspelt words -> the words of one vocabulary they stand for: a corpus's (Vocabulary) or the safety router's
    (netqa.safety), one corrector for both.

    A word of at least TYPO_MIN_LENGTH letters stands for the vocabulary word the fewest edits away (a letter left
    out, added or changed, or two neighbours swapped: optimal string alignment), at least TYPO_MIN_SIMILARITY alike
    (rapidfuzz ratio) or two neighbours swapped ("gzpi", "lnog" score below the cutoff yet are one slip); of equally
    near words two swapped neighbours ("lfie" is "life", not "lie"), then the most alike ("ofen" is "often", not
    "open"), then the commoner in English, then the first in the alphabet (the same in every process). A word
    English knows (REAL_WORD_ZIPF) stands only for the one vocabulary word with two of its neighbours swapped, if
    there is one ("trail" -> "trial"; "live" is never "liver").
    """

    def __init__(self, words: Iterable[str]):
        self._by_length: dict[int, list[str]] = {}
        for word in sorted(set(words)):  # sorted: ties go the same way in every process
            if len(word) >= TYPO_MIN_LENGTH and word.isalpha():
                self._by_length.setdefault(len(word), []).append(word)
        self._words = frozenset(w for same_length in self._by_length.values() for w in same_length)

    def correct(self, word: str) -> str | None:
        """The vocabulary word a misspelling stands for, or None."""
        found = self.nearest(word)
        return found[0] if found else None

    def nearest(self, word: str) -> tuple[str, tuple[int, bool, float, float, str]] | None:
        """The vocabulary word a misspelling stands for with its rank (edits, not a swap, unlikeness, rarity,
        itself), or None."""
        if len(word) < TYPO_MIN_LENGTH or not word.isalpha():
            return None
        swaps = neighbour_swaps(word)
        if is_english(word):  # its own neighbour swaps looked up, not every vocabulary word of its length compared
            swapped = sorted(swaps & self._words)
            return (swapped[0], (1, False, 0.0, 0.0, swapped[0])) if len(swapped) == 1 else None
        candidates = [w for n in range(len(word) - 2, len(word) + 3) for w in self._by_length.get(n, ())]
        near = {w for w, _, _ in process.extract(word, candidates, scorer=fuzz.ratio,
                                                  score_cutoff=TYPO_MIN_SIMILARITY, limit=None)}
        near |= swaps & self._words  # in a short word ("gzpi", "lnog") they score below the cutoff, yet are one slip
        ranked = [(w, (OSA.distance(word, w), w not in swaps, -fuzz.ratio(word, w), -english_frequency(w), w))
                  for w in near]
        return min(ranked, key=lambda item: item[1], default=None)


@lru_cache(maxsize=1)
def _everyday_speller() -> Speller:
    return Speller(w for w in generic_words() | stopwords() if len(w) >= 4)


COMMON_ENGLISH = 30_000  # English's commonest words (wordfreq) a misspelling may stand for when the corpus has none


@lru_cache(maxsize=1)
def _english_speller() -> Speller:
    from wordfreq import top_n_list

    return Speller(top_n_list("en", COMMON_ENGLISH))


_WORD_OR_INITIALS = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W\d_]+(?:'[^\W\d_]+)?")
SHORT_PART_ZIPF = 5.0  # a part of three letters or fewer is a function word this common
COMPOUND_PART_ZIPF = 3.0  # each part of a split "howmany" is at least this common in English (or a corpus word)


@lru_cache(maxsize=1)
def _variant_rules() -> tuple[tuple[str, str], ...]:
    rules = en.table("spelling_variants.txt")
    return tuple(rules.items()) + tuple((b, a) for a, b in rules.items())


@lru_cache(maxsize=20_000)
def _spelling_variants(word: str) -> tuple[str, ...]:
    """The word in its other spelling(s): endings swapped, and inner "ae"/"oe" made "e" (or the reverse)."""
    out = []
    for old, new in _variant_rules():
        if len(old) > 2 and word.endswith(old):
            out.append(word[: -len(old)] + new)
        elif len(old) <= 2 and old in word[1:-1]:
            out.append(word[0] + word[1:-1].replace(old, new) + word[-1])
    return tuple(dict.fromkeys(w for w in out if w != word))


def _split_compound(word: str, knows) -> tuple[str, float] | None:
    """"howmany" -> "how many": the split whose rarer part is the most common, both parts real words, with that
    part's frequency."""
    from wordfreq import zipf_frequency

    best, best_score = None, 0.0
    for i in range(2, len(word) - 1):
        left, right = word[:i], word[i:]
        scores = [zipf_frequency(part, "en") if not knows(part) or len(part) < 3 else 7.0 for part in (left, right)]
        # A short part must be a very common word ("how", "it") or, of three letters, one of the corpus's ("the
        # gnu", "net patients"): "el", "ny", "tc" are not.
        short_ok = all(len(part) > 3 or zipf >= SHORT_PART_ZIPF or len(part) == 3 and knows(part)
                       for part, zipf in zip((left, right), scores, strict=True))
        if short_ok and min(scores) >= COMPOUND_PART_ZIPF and min(scores) > best_score:
            best, best_score = f"{left} {right}", min(scores)
    return (best, best_score) if best is not None else None


_NUMBER_WORDS = dict(enumerate("zero one two three four five six seven eight nine ten eleven twelve".split()))


def _spell_numbers(word: str) -> str:
    """"5-year" -> "five-year": documents spell small numbers out, questions often do not."""
    return re.sub(r"\b\d{1,2}\b", lambda m: _NUMBER_WORDS.get(int(m.group()), m.group()), word)


def _is_common_word(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") >= 4.0  # "act", "cat"; acronyms such as "icu" are rarer as words


@lru_cache(maxsize=20_000)
def is_english(word: str) -> bool:
    """Whether English uses the word often enough that it is no misspelling (wordfreq's Zipf scale)."""
    return english_frequency(word) >= REAL_WORD_ZIPF


@lru_cache(maxsize=20_000)
def english_frequency(word: str) -> float:
    from wordfreq import zipf_frequency  # loaded only when a word is not in the corpus

    return zipf_frequency(word, "en")
