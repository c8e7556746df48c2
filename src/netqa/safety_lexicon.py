"""The safety router's vocabulary: every word and phrase of lang/en/ as stems with the labels it carries, the red
flags and the self-harm forms built from them (read once a process). A phrase written in one person is known in all,
an adjective + noun part also said of the noun, and a misspelt or inflected word by its base word or nearest spelling.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import NamedTuple

from netqa import lexical
from netqa.lang import en
from netqa.terms import Speller, english_frequency
from netqa.text import stem, stopwords

WINDOW = 8  # the parts of one finding stand at most this many words apart (words between them)

# a word token as a message reads it (_read_word): its number labels, and (word, stem, rare?) for each word it spells
ReadWord = tuple[tuple[str, ...], tuple[tuple[str, str, bool], ...]]


def _read(name: str) -> str:
    return en.path_of(name).read_text(encoding="utf-8")


def read_sections(name: str) -> dict[str, list[str]]:
    """A lang/en/*.txt file: '[section]' lines, then one word or phrase a line; '#' starts a comment."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in _read(name).splitlines():
        line = raw.split("#", 1)[0].strip().lower()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif current is None:
            raise ValueError(f"lang/en/{name}: {line!r} stands before any [section]")
        else:
            current.append(line)
    return sections


@lru_cache(maxsize=1)
def contractions() -> dict[str, tuple[str, ...]]:
    """"can't" -> ("can", "not"): read from contractions.txt ("short = full" lines)."""
    pairs = (line.split("=", 1) for line in _read("contractions.txt").splitlines()
             if "=" in line and not line.lstrip().startswith("#"))
    return {short.strip().lower(): tuple(full.split()) for short, full in pairs}


@dataclass(frozen=True)
class Form:
    """Labels to find together (every one of them near the others), and labels found anywhere in the message."""

    parts: tuple[str, ...]
    context: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()  # labels that must stand in the sentence or the next one (severity, onset)
    asked: bool = False  # a sign even when asked as a question ("is 30 tablets enough to die?")
    window: int = WINDOW  # the most words apart its parts may stand
    unless: tuple[str, ...] = ()  # labels that, anywhere in its sentence, keep the form from holding
    sudden: bool = True  # a sign of a sudden illness: what comes and goes, or has for weeks, is not one
    history: tuple[str, ...] = ()  # parts told as past by nature ("had chemo 5 days ago" before a fever now)
    lasting: bool = False  # its harm goes on for days after ("took 20 paracetamol two days ago"): not over so soon
    said_of: tuple[str, ...] = ()  # parts the others are said of, not done to ("her eyes are closing"; "close my eyes")
    read_unless: bool = False  # an exception that keeps it from holding is a reading of its words, set aside on purpose

    @cached_property
    def labels(self) -> frozenset[str]:
        return frozenset(self.parts + self.context + self.needs)


@dataclass(frozen=True)
class Finding:
    """A red flag: its id, the guidance it comes from, and its forms."""

    id: str
    source: str
    forms: tuple[Form, ...]


# "#name" in a form: a label from another file, or one the tokenizer gives
_SPECIAL_PARTS = {"#severity": "severity:severity", "#onset": "severity:onset", "#reading": "reading",
                  "#count": "count:many", "#low_number": "low_number", "#fever_number": "fever_number"}


def _label(part: str, prefix: str, known: Iterable[str], where: str) -> str:
    if part in _SPECIAL_PARTS:
        return _SPECIAL_PARTS[part]
    if part not in known:
        raise ValueError(f"lang/en/{where} names an unknown part {part!r}")
    return f"{prefix}:{part}"


@dataclass(frozen=True)
class Lexicon:
    """Every word and phrase of lang/en/ as a tuple of stems with the labels it carries ("flag:stroke:face",
    "time:over", "person:personal", ...), indexed by its first stem; the red flags and the self-harm forms."""

    words: dict[str, frozenset[str]]  # one-word entries: stem -> labels ("" marks a stem known only inside phrases)
    phrases: dict[tuple[str, str], tuple[tuple[tuple[str, ...], frozenset[str]], ...]]  # by their first two stems
    findings: tuple[Finding, ...]
    self_harm: tuple[Form, ...]
    warning_signs: dict[str, tuple[Form, ...]]  # kinds of weaker signs (despair, means laid out): two kinds = a crisis
    alone: tuple[str, ...]  # kinds of weaker signs that are a crisis when they are the whole message
    flag_signs: dict[str, tuple[Form, ...]]  # kinds of weaker red-flag signs (dizzy, clammy): two kinds = an emergency
    meant: tuple[frozenset[str], frozenset[str]]  # red flags that are self-harm when told with one of these labels
    raising: tuple[frozenset[str], frozenset[str]]  # verbs a negation is raised over, and the modals it belongs to
    function_words: frozenset[str]  # stems of stopwords.txt: small talk may hold them ("that was very kind of you")
    chitchat_order: tuple[str, ...]
    reading: tuple[int, int]  # a blood pressure at or above either number is a hypertensive crisis
    many: int  # a count of pills at or above this is an overdose
    low_sugar: float  # a blood sugar (mmol/L) below this is a hypo
    fever: float  # a temperature (degrees C) at or above this is a fever
    before_medicine: frozenset[str]  # stems that stand between "took" or a count and a medicine's name
    medicine_cues: frozenset[str]  # of those, the ones that say a rare word after them is a medicine ("took", "all")
    speller: Speller  # the vocabulary's words, for repairing a misspelling
    skippable: frozenset[str]  # stems that may stand inside a phrase without changing it ("just", "really")
    transparent: frozenset[str]  # stems that carry only a clause's subject, modal or tense: not counted apart
    grammar: dict[str, frozenset[str]]  # grammar.txt: function words by their role ("referring", ...), as stems
    irregular: dict[str, str]  # "bled" -> "bleed": inflections.txt, from WordNet's exception lists
    endings: tuple[tuple[str, str], ...]  # ("ier", "y"), ("er", ""): regular endings stripped to find a base word
    # of the first-two-stem groups of phrases with at least _SPLIT entries ("can not" has 160), the places of the
    # entries in the group by their third stem ("" for a phrase of two words): only those a message can match are tried
    by_third: dict[tuple[str, str], dict[str, tuple[int, ...]]] = field(default_factory=dict)
    tokens: dict[str, ReadWord] = field(default_factory=dict, repr=False)  # each word token read once (_read_word)
    contexts: frozenset[str] = frozenset()  # self-harm labels named only in "unless" lists: contexts, never signs

    def __hash__(self) -> int:  # one lexicon a process: cached functions key on it
        return id(self)

    @cached_property
    def flag_of(self) -> dict[str, str]:
        """Each red-flag label of the vocabulary -> the id of its red flag ("flag:stroke:face" -> "stroke")."""
        labels = {label for found in self.words.values() for label in found} | {
            label for group in self.phrases.values() for _, found in group for label in found}
        return {label: label.split(":", 2)[1] for label in labels if label.startswith("flag:")}

    @cached_property
    def moods(self) -> frozenset[str]:
        """The labels of small talk's moods ("chat:hello", ...), filler apart."""
        return frozenset(f"chat:{mood}" for mood in self.chitchat_order)

    def stems_of(self, word: str) -> str:
        """The stem a word stands for: its own; else that of its base word when the vocabulary knows it ("bled",
        "deeper", "paler"); else, for a misspelt word ("bleading"), that of the vocabulary word it is near."""
        own = stem(word)
        if own in self.words or not word.isalpha():
            return own
        return _unknown(self, word, own)

    def base_of(self, word: str) -> str:
        """The stem of a word's base word when the vocabulary knows that base (of two, the commoner), or ""."""
        bases = [self.irregular.get(word, "")]
        for ending, replacement in self.endings:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                base = word[: -len(ending)]
                bases.append(base + replacement)
                if not replacement and base[-1] == base[-2] and base[-1] not in "aeiouls":
                    bases.append(base[:-1])  # "bigger" -> "big", "hotter" -> "hot"
        known = [b for b in bases if b and stem(b) in self.words]
        return stem(max(known, key=english_frequency)) if known else ""  # "paler": "pale", not "pal"


def _phrase_stems(phrase: str) -> tuple[str, ...]:
    spelt = contractions()
    return tuple(stem(part) for word in phrase.lower().split() for part in spelt.get(word, (word,)))


class _Pronouns(NamedTuple):
    """grammar.txt [pronouns] and [agreement]: each person's pronouns by role, the roles each pronoun can have, and
    the verb forms that agree with a subject ("am" -> "be"; "be" -> {"he": "is", ...})."""

    persons: dict[str, tuple[str, ...]]  # "he" -> ("he", "him", "his", "himself")
    roles: dict[str, frozenset[int]]  # "her" -> {object, possessive}
    agrees: dict[str, str]  # a form -> its base
    agreement: dict[str, dict[str, str]]  # a base -> the form after each subject
    own: frozenset[str]  # grammar.txt [own]: "her own life"


_OBJECT, _POSSESSIVE = 1, 2  # roles, by their place in a line of grammar.txt [pronouns]


@lru_cache(maxsize=1)
def _pronouns() -> _Pronouns:
    grammar = read_sections("grammar.txt")
    persons = {line.split()[0]: tuple(line.split()) for line in grammar["pronouns"]}
    roles: dict[str, set[int]] = defaultdict(set)
    for forms in persons.values():
        for role, word in enumerate(forms):
            roles[word].add(role)
    agreement = {line.split()[0]: dict(zip(persons, line.split()[1:], strict=True)) for line in grammar["agreement"]}
    agrees = {form: base for base, forms in agreement.items() for form in forms.values()}
    return _Pronouns(persons, {word: frozenset(found) for word, found in roles.items()}, agrees, agreement,
                     frozenset(grammar["own"]))


def _role_of(words: list[str], at: int) -> int:
    """The role of the pronoun at `at`: "her" is a possessive before a noun or "own" ("her pills", "her own
    life") and an object otherwise ("kill her", "tell her I love them"); the other pronouns have one role."""
    pronouns = _pronouns()
    roles = pronouns.roles[words[at]]
    if len(roles) == 1:
        return next(iter(roles))
    after = words[at + 1] if at + 1 < len(words) else ""
    possessive = after in pronouns.own or (after not in stopwords() and "n" in lexical.parts_of_speech(after))
    return _POSSESSIVE if possessive else _OBJECT


def _in_every_person(phrase: str) -> set[str]:
    """A phrase and its forms in the other persons: "i am a burden" -> "he is a burden", "she is a burden", ...;
    one-word entries and phrases without a pronoun stay as they are."""
    spelt = contractions()
    words = [part for word in phrase.lower().split() for part in spelt.get(word, (word,))]
    pronouns = _pronouns()
    if len(words) < 2 or not any(w in pronouns.roles for w in words):
        return {phrase}
    variants = {phrase}
    for person, forms in pronouns.persons.items():
        choices: list[set[str]] = []
        for at, word in enumerate(words):
            if word in pronouns.roles:
                choices.append({forms[_role_of(words, at)]})
            elif word in pronouns.agrees and at and words[at - 1] in pronouns.persons:
                choices.append({pronouns.agreement[pronouns.agrees[word]][person]})
            else:
                choices.append({word})
        built = [""]
        for options in choices:
            built = [f"{done} {option}".strip() for done in built for option in sorted(options)]
        variants.update(built)
    return variants


def _as_predicate(phrase: str, copulas: Iterable[str]) -> set[str]:
    """An adjective + noun phrase said of the noun: "stiff neck" -> "neck is stiff", "neck has gone stiff", ...
    (parts of speech from WordNet); any other phrase gives nothing."""
    words = phrase.split()
    if len(words) != 2 or "a" not in lexical.parts_of_speech(words[0]) or "n" not in lexical.parts_of_speech(words[1]):
        return set()
    return {f"{words[1]} {copula} {words[0]}" for copula in copulas}


def _with_auxiliary(phrase: str, auxiliaries: Iterable[str]) -> set[str]:
    """A noun + verb form phrase told with an auxiliary between: "eyes rolling back" -> "eyes are rolling back",
    "lips swollen" -> "lips have swollen" (parts of speech from WordNet); any other phrase gives nothing."""
    words = phrase.split()
    if len(words) < 2 or not words[1].endswith(("ing", "ed", "en")) or "n" not in lexical.parts_of_speech(words[0]):
        return set()
    return {" ".join([words[0], auxiliary, *words[1:]]) for auxiliary in auxiliaries}


@lru_cache(maxsize=1)
def english() -> Lexicon:
    """The lexicon built from lang/en/ (read once a process)."""
    phrases: dict[tuple[str, ...], set[str]] = defaultdict(set)
    surface: set[str] = set()

    def add(words: Iterable[str], label: str, shared: dict[str, list[str]] | None = None) -> None:
        for phrase in words:
            if phrase.startswith("@"):
                if shared is None or phrase[1:] not in shared:
                    raise ValueError(f"lang/en: unknown shared part {phrase!r} in {label}")
                add(shared[phrase[1:]], label, shared)
                continue
            surface.update(w for w in phrase.lower().split() if w.isalpha())
            variants = _in_every_person(phrase) if label.startswith(("harm:", "flag:")) else {phrase}
            if label.startswith("flag:"):
                variants |= _as_predicate(phrase, copulas) | _with_auxiliary(phrase, progressive)
            for variant in variants:
                phrases[_phrase_stems(variant)].add(label)

    copulas, grammar = read_sections("clauses.txt")["copula"], read_sections("grammar.txt")
    progressive = grammar["progressive"]
    negation = read_sections("negation.txt")
    for name in ("severity.txt", "negation.txt", "time.txt", "person.txt", "questions.txt", "clauses.txt",
                 "advice.txt"):
        for section, words in read_sections(name).items():
            add(words, f"{name.split('.')[0]}:{section}")
    for relative in read_sections("person.txt")["relative"]:
        add([f"{owner} {relative}" for owner in grammar["owner"]], "person:personal")

    flags = en.json_table("red_flags.json")
    flags["parts"] = {**flags["parts"], "body": read_sections("body_parts.txt")["body"]}  # WordNet's body parts
    findings = []
    for entry in flags["findings"]:
        prefix, where = f"flag:{entry['id']}", f"red_flags.json ({entry['id']})"
        for part, words in entry["words"].items():
            add(words, f"{prefix}:{part}", flags["parts"])
        needs = tuple(_label(f"#{need}", prefix, (), where) for need in entry.get("needs", ()))
        context = tuple(_label(part, prefix, entry["words"], where) for part in entry.get("context", ()))
        history = tuple(_label(part, prefix, entry["words"], where) for part in entry.get("history", ()))
        unless = tuple(_label(part, prefix, entry["words"], where) for part in entry.get("unless", ()))
        said_of = tuple(_label(part, prefix, entry["words"], where) for part in entry.get("said_of", ()))
        forms = tuple(Form(tuple(_label(part, prefix, entry["words"], where) for part in form), context, needs,
                           window=entry.get("window", WINDOW), unless=unless, history=history,
                           lasting=entry.get("lasting", False), said_of=said_of)
                      for form in entry["forms"])
        findings.append(Finding(entry["id"], entry["source"], forms))

    for kind, words in flags["warning_signs"].items():
        add(words, f"flag:signs:{kind}")
    add(flags["mild"], "flag:mild")
    add(flags["compounds"], "flag:compound")
    flag_signs: dict[str, tuple[Form, ...]] = {kind: (Form((f"flag:signs:{kind}",), unless=("flag:mild",)),)
                                               for kind in flags["warning_signs"]}

    harm = en.json_table("self_harm.json")
    for part, words in harm["words"].items():
        add(words, f"harm:{part}", flags["parts"])
    # WordNet's ways to say die and kill fill the same slots, as parts of their own (`WORDNET`): each form with
    # such a slot holds with them too, under the form's window and exceptions
    wordnet = read_sections("harm_wordnet.txt")
    for part, words in wordnet.items():
        add(words, f"harm:{part}{WORDNET}")
    parts = {*harm["words"], *(f"{part}{WORDNET}" for part in wordnet)}
    twins = [(form, [f"{p}{WORDNET}" if p in wordnet else p for p in form]) for form in harm["forms"]]
    asked = [tuple(form) for form in harm["asked_forms"]]
    self_harm = tuple(Form(tuple(_label(part, "harm", parts, "self_harm.json") for part in twin),
                           asked=tuple(form) in asked, window=harm["windows"].get(" ".join(form), WINDOW),
                           unless=tuple(f"harm:{p}" for p in harm["unless"].get(" ".join(form), ())), sudden=False,
                           read_unless=" ".join(form) in harm["read_unless"])
                      for form, twin in [(form, form) for form in harm["forms"]]
                      + [(form, twin) for form, twin in twins if twin != form])
    warning_signs = {kind: tuple(Form(tuple(_label(part, "harm", harm["words"], "self_harm.json") for part in form),
                                      window=harm["weak_windows"].get(" ".join(form), WINDOW), sudden=False,
                                      unless=tuple(f"harm:{p}" for p in harm["unless"].get(" ".join(form), ())))
                                 for form in forms)
                     for kind, forms in harm["weak_forms"].items()}
    add(read_sections("health_words.txt")["health"], "topic:health")
    chat = en.json_table("chitchat.json")
    for mood, words in chat["moods"].items():
        add(words, f"chat:{mood}")
    add(chat["filler"], "chat:filler")

    known = {stems[0]: frozenset(labels) for stems, labels in phrases.items() if len(stems) == 1}
    by_two: dict[tuple[str, str], list[tuple[tuple[str, ...], frozenset[str]]]] = defaultdict(list)
    for stems, labels in phrases.items():
        if len(stems) > 1:
            by_two[stems[0], stems[1]].append((stems, frozenset(labels)))
            for other in stems:  # every stem of a phrase counts as known to the spelling repair
                known.setdefault(other, frozenset())
    reading = next(f["reading"] for f in flags["findings"] if "reading" in f)
    by_third: dict[tuple[str, str], dict[str, tuple[int, ...]]] = {}
    for two, entries in by_two.items():
        if len(entries) >= _SPLIT:
            places: dict[str, list[int]] = defaultdict(list)
            for place, (stems, _) in enumerate(entries):
                places[stems[2] if len(stems) > 2 else ""].append(place)
            by_third[two] = {third: tuple(found) for third, found in places.items()}
    in_forms = {f"harm:{part}" for form in [*harm["forms"], *(f for fs in harm["weak_forms"].values() for f in fs)]
                for part in form}
    return Lexicon(known, {two: tuple(entries) for two, entries in by_two.items()}, tuple(findings), self_harm,
                   warning_signs, tuple(harm["alone"]), flag_signs,
                   (frozenset(harm["meant"]["findings"]), frozenset(f"harm:{p}" for p in harm["meant"]["parts"])),
                   (frozenset(map(stem, negation["raising"])), frozenset(map(stem, negation["raised_to"]))),
                   frozenset(stem(w) for w in en.word_list("stopwords.txt") if w.isalpha()),
                   tuple(chat["order"]), (reading["systolic"], reading["diastolic"]), flags["many_pills"],
                   flags["low_sugar"], flags["fever"],
                   frozenset(_phrase_stems(" ".join(flags["before_medicine"]))),
                   frozenset(_phrase_stems(" ".join(flags["medicine_cues"]))),
                   Speller(surface),
                   frozenset(stem(w) for w in read_sections("clauses.txt")["inside_phrase"]),
                   frozenset(stem(w) for w in read_sections("clauses.txt")["transparent"]),
                   {section: frozenset(" ".join(_phrase_stems(w)) for w in words)
                    for section, words in grammar.items()}, *_inflections(), by_third,
                   contexts=frozenset(f"harm:{part}" for parts in harm["unless"].values() for part in parts) - in_forms)


WORDNET = "_wordnet"  # the suffix of a self-harm part whose words come from WordNet (harm_wordnet.txt)
_SPLIT = 8  # a group of phrases with this many entries is looked up by third stem too


def _inflections() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """inflections.txt: its [irregular] forms ("bled = bleed") and its [endings] ("ier = y"), in order."""
    sections: dict[str, list[tuple[str, str]]] = defaultdict(list)
    current = ""
    for raw in _read("inflections.txt").splitlines():
        line = raw.split("#", 1)[0].strip().lower()
        if line.startswith("["):
            current = line.strip("[]")
        elif "=" in line:
            form, base = (part.strip() for part in line.split("=", 1))
            sections[current].append((form, base))
    return dict(sections["irregular"]), tuple(sections["endings"])


@lru_cache(maxsize=65536)
def _unknown(lexicon: Lexicon, word: str, own: str) -> str:
    """A word whose stem the vocabulary lacks: its base word's stem, a repaired spelling, or its own stem."""
    if base := lexicon.base_of(word):
        return base
    fixed = lexicon.speller.correct(word)  # terms.Speller: the corrector a corpus's words use too
    return stem(fixed) if fixed else own
