"""A message -> its route: emergency (crisis or not), medical_advice, chitchat, or a question to answer.

Why compositional: a list of whole phrases ("vomiting blood", "should I take") only knows the wordings someone
thought of, and fires on a word alone ("does the article mention suicide?"). Here a route is built from parts
kept as data in lang/en/, each matched by word stem; a form the lists never wrote by its base word (WordNet's
irregular forms and regular endings, inflections.txt: "bled", "paler"), and a misspelling by the vocabulary word
fewest edits away (terms.Speller, the corrector a corpus's words use too; a word English itself knows is never
"repaired" but for two swapped letters):

- a red-flag FINDING (red_flags.json: the parts of each sign in published "call the emergency number" guidance,
  with the source it comes from) stands in a sentence, with the SEVERITY or ONSET words it needs (severity.txt);
  an adjective + noun part is also known said of the noun ("stiff neck": "his neck is stiff"; WordNet's parts of
  speech), body parts come from WordNet (body_parts.txt), and weaker signs (dizzy, clammy, breathless) count when
  two kinds of them are reported together;
- it is a report, not something else: not denied by a NEGATION cue in its clause (negation.txt; "I don't think I
  can go on" is "I think I can not go on"), not OVER ("last year", "has healed"; time.txt; an age or time of life
  then, "when she was 16", grammar.txt [then]; an outcome that closes it, "turned out to be indigestion",
  negation.txt [outcome]; unless a word of now or of it coming back follows), not supposed ("what if",
  questions.txt), not a QUESTION ABOUT it ("how common was bleeding?"), and not about people in general (the
  SUBJECT, person.txt; a pronoun taking up someone in general is no relative: grammar.txt [taking_up]);
- scope and time are read from the sentence, not a word: words quoted after a person's verb of saying are a
  report, with no one saying them the text's own; "why did he collapse?" told in the past asks about an event
  that is over; "I want to know if he will die" is no wish; a complaint that comes and goes is new again told as
  a change ("this time"), and "since" a recent time dates a start, not an ending;
- self-harm is its own composition (self_harm.json: a wish or plan joined to an act against oneself, a goodbye,
  pills taken on purpose, no point x living; one group of forms for each category of the published warning-sign
  lists), about anyone, and sends the crisis line first; weaker warning signs
  (despair, withdrawal, means laid out) count only when two kinds of them stand in one message; an overdose or
  injury told with a word of intent or despair is self-harm too;
- a personal MEDICAL DECISION is a decision verb x a personal subject x a modal or evaluation (advice.txt), or a
  question whose modal has the writer or a relative as its subject ("could he be given it?"): only on a corpus
  about health;
- CHITCHAT is a message made up only of greetings, thanks, goodbyes, questions about the assistant, insults or
  frustration (chitchat.json), or a greeting followed only by telling, with no question and no health word.

New wordings then combine parts already known ("my nan's lips are swelling up" = a person x swelling x lips),
and each part is tested on its own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Generic, NamedTuple, TypeVar

from netqa import lexical, safety_model
from netqa.lang import en
from netqa.records import RouteKind
from netqa.terms import TYPO_MIN_LENGTH, Speller, english_frequency, is_english
from netqa.text import stem, stopwords

WINDOW = 8  # the parts of one finding stand at most this many words apart (words between them)
NEGATION_REACH = 4  # a negation cue denies a finding that starts at most this many words after it
ATTACHED = 3  # a person this close before a finding is the one it happens to ("is my dad coughing up blood?")
ADVICE_REACH = 3  # the person asked about stands this close to the modal ("should my husband ...")
SKIPPABLE = 2  # words of clauses.txt [inside_phrase] that may stand inside a known phrase

_TOKEN = re.compile(r"(?P<reading>\d{2,3}\s*(?:/|over)\s*\d{2,3})|(?P<decimal>\d+\.\d+)"
                    r"|(?P<word>[a-z0-9]+(?:'[a-z]+)?)"
                    r"|(?P<sentence>[.!?;\n]+)|(?P<clause>[,:()\-–—]+)|(?P<quote>\")")
_YEAR = re.compile(r"(?:19|20)\d\d")
_OLDEST = 120  # a number below this may be an age


@dataclass(frozen=True)
class Route:
    """Where a message goes. `reason` names what decided it (a finding's id, "self_harm", a decision form),
    for tests and logs; `mood` is the kind of small talk (hello, thanks, bye, identity, insult, frustration; referral: a
    request to speak to a person)."""

    kind: RouteKind
    crisis: bool = False
    reason: str = ""
    mood: str = ""


QUESTION = Route(RouteKind.QUESTION)

_T = TypeVar("_T")


class _once(Generic[_T]):  # a decorator, named like functools.cached_property
    """functools.cached_property without its lock: computed on first use and kept in the instance. Python 3.11's
    takes a lock on every first use, which costs microseconds on each of the thousands of messages routed."""

    def __init__(self, compute: Callable[[Any], _T]):
        self.compute = compute
        self.name = compute.__name__

    def __get__(self, instance: Any, owner: type | None = None) -> _T:
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


# ---------------------------------------------------------------- the vocabulary, from lang/en/

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


# The pronouns of each person by role, and the verb forms that agree with a subject: a phrase written in one
# person ("take my own life", "can not find his words") is known in all ("take her own life", "find my words").
_PERSONS = {"i": ("i", "me", "my", "myself"), "he": ("he", "him", "his", "himself"),
            "she": ("she", "her", "her", "herself"), "they": ("they", "them", "their", "themselves")}
_OBJECT, _POSSESSIVE = 1, 2  # roles, by their place in _PERSONS's tuples
_ROLES: dict[str, set[int]] = defaultdict(set)
for _forms in _PERSONS.values():
    for _role, _word in enumerate(_forms):
        _ROLES[_word].add(_role)
_AGREES = {"am": "be", "is": "be", "are": "be", "have": "have", "has": "have", "do": "do", "does": "do"}
_AGREEMENT = {"be": {"i": "am", "he": "is", "she": "is", "they": "are"},
              "have": {"i": "have", "he": "has", "she": "has", "they": "have"},
              "do": {"i": "do", "he": "does", "she": "does", "they": "do"}}


def _role_of(words: list[str], at: int) -> int:
    """The role of the pronoun at `at`: "her" is a possessive before a noun or "own" ("her pills", "her own
    life") and an object otherwise ("kill her", "tell her I love them"); the other pronouns have one role."""
    roles = _ROLES[words[at]]
    if len(roles) == 1:
        return next(iter(roles))
    after = words[at + 1] if at + 1 < len(words) else ""
    possessive = after == "own" or (after not in stopwords() and "n" in lexical.parts_of_speech(after))
    return _POSSESSIVE if possessive else _OBJECT


def _in_every_person(phrase: str) -> set[str]:
    """A phrase and its forms in the other persons: "i am a burden" -> "he is a burden", "she is a burden", ...;
    one-word entries and phrases without a pronoun stay as they are."""
    spelt = contractions()
    words = [part for word in phrase.lower().split() for part in spelt.get(word, (word,))]
    if len(words) < 2 or not any(w in _ROLES for w in words):
        return {phrase}
    variants = {phrase}
    for person, forms in _PERSONS.items():
        choices: list[set[str]] = []
        for at, word in enumerate(words):
            if word in _ROLES:
                choices.append({forms[_role_of(words, at)]})
            elif word in _AGREES and at and words[at - 1] in ("i", "he", "she", "they"):
                choices.append({_AGREEMENT[_AGREES[word]][person]})
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
        add([f"{owner} {relative}" for owner in ("my", "our", "his", "her", "their")], "person:personal")

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
        forms = tuple(Form(tuple(_label(part, prefix, entry["words"], where) for part in form), context, needs,
                           window=entry.get("window", WINDOW), unless=unless, history=history,
                           lasting=entry.get("lasting", False))
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
    # WordNet's ways to say die and kill fill the same slots, as parts of their own (`_WORDNET`): each form with
    # such a slot holds with them too, under the form's window and exceptions
    wordnet = read_sections("harm_wordnet.txt")
    for part, words in wordnet.items():
        add(words, f"harm:{part}{_WORDNET}")
    parts = {*harm["words"], *(f"{part}{_WORDNET}" for part in wordnet)}
    twins = [(form, [f"{p}{_WORDNET}" if p in wordnet else p for p in form]) for form in harm["forms"]]
    asked = [tuple(form) for form in harm["asked_forms"]]
    self_harm = tuple(Form(tuple(_label(part, "harm", parts, "self_harm.json") for part in twin),
                           asked=tuple(form) in asked, window=harm["windows"].get(" ".join(form), WINDOW),
                           unless=tuple(f"harm:{p}" for p in harm["unless"].get(" ".join(form), ())), sudden=False)
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
                    for section, words in grammar.items()}, *_inflections(), by_third)


_WORDNET = "_wordnet"  # the suffix of a self-harm part whose words come from WordNet (harm_wordnet.txt)
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


# ---------------------------------------------------------------- a message as marked words


_READ_AT_MOST = 65536  # word tokens kept read in the lexicon (a server meets new words without end)


def _read_word(lexicon: Lexicon, token: str) -> ReadWord:
    """A word token as the message reads it: the number labels it carries ("count:many", "fever_number"), and each
    word it stands for (contractions spelt out, "dad's" the person) with its stem and whether it is a rare word a
    medicine's name may be (a word the vocabulary and English seldom use: "took 30 zopiclone"). Read once a
    process: messages share most of their words."""
    read = lexicon.tokens.get(token)
    if read is None:
        if len(lexicon.tokens) >= _READ_AT_MOST:
            lexicon.tokens.clear()
        read = lexicon.tokens[token] = _reading_of(lexicon, token)
    return read


def _reading_of(lexicon: Lexicon, token: str) -> ReadWord:
    numbers = []
    if token.isdigit() and lexicon.many <= int(token) < 1900:
        numbers.append("count:many")
    if token.isdigit() and lexicon.fever <= int(token) < 43:
        numbers.append("fever_number")
    spelt = contractions()
    if token.endswith("'s") and token not in spelt:
        token = token[:-2]  # "dad's", "the patient's": the person
    return tuple(numbers), tuple(
        (word, lexicon.stems_of(word), len(word) >= TYPO_MIN_LENGTH and word.isalpha()
         and stem(word) not in lexicon.words and not is_english(word)) for word in spelt.get(token, (token,)))


def _match(stems: list[str], at: int, phrase: tuple[str, ...], skippable: frozenset[str], done: int = 0) -> int:
    """Where a phrase that starts at `at` ends, or 0; up to SKIPPABLE words such as "just" or "really" may
    stand inside it ("i just want to die", "never have to wake up" for "never wake up"). `done`: how many of its
    first words are known to stand at `at` and after, with none skipped (`at` is then where the rest starts)."""
    skipped = 0
    for word in phrase[done:] if done else phrase:
        while at < len(stems) and stems[at] != word and stems[at] in skippable and skipped < SKIPPABLE:
            at, skipped = at + 1, skipped + 1
        if at >= len(stems) or stems[at] != word:
            return 0
        at += 1
    return at


def _thirds(stems: list[str], at: int, skippable: frozenset[str]) -> set[str]:
    """The stems a phrase's third word can match when its first two stand right before `at` (as `_match` skips up to
    SKIPPABLE words such as "just" in it), and "" for a phrase of two words."""
    found = {""}
    for place in range(at, min(at + SKIPPABLE + 1, len(stems))):
        found.add(stems[place])
        if stems[place] not in skippable:
            break
    return found


class Mark(NamedTuple):  # a NamedTuple: messages make hundreds, and a frozen dataclass costs 5x to build
    label: str
    start: int
    end: int  # exclusive

    def overlaps(self, taken: set[int] | frozenset[int]) -> bool:
        return not taken.isdisjoint(range(self.start, self.end))


_mark = tuple.__new__  # _mark(Mark, (label, start, end)): a Mark without the Python call of its __new__ (hot loops)


_FRONTED_TIMES = ("time:now", "time:present", "time:over", "time:recent", "time:long_ago")  # "and today I ..."
_SPEECH_LEAD = 3  # a quote opens at most this many words after the verb of saying ("texted me:", "said to me")
_WISHES = ("harm:desire", "harm:intent", "harm:wanting", "harm:plan")  # labels of a wish or plan


class Message:
    """A message's words (stems), the sentence and clause of each, and every lexicon label found on them."""

    def __init__(self, text: str, lexicon: Lexicon):
        self.lexicon = lexicon
        self.stems: list[str] = []
        self.words: list[str] = []  # each stem's word as written (contractions spelt out): for its tense
        self.sentence: list[int] = []
        self.clause: list[int] = []
        self.quoted: list[bool] = []
        self.asks: set[int] = set()  # sentences that end with a question mark
        self.marks: dict[str, list[Mark]] = defaultdict(list)
        sentence = clause = 0
        in_quote = False
        rare: list[int] = []
        tokens = list(_TOKEN.finditer(text.lower().replace("’", "'").replace("“", '"').replace("”", '"')))
        add_stem, add_word, add_sentence = self.stems.append, self.words.append, self.sentence.append
        add_clause, add_quoted = self.clause.append, self.quoted.append
        read_words = lexicon.tokens
        for number, match in enumerate(tokens):
            kind, token = match.lastgroup, match.group()
            if kind == "word":  # most tokens
                numbers, read = read_words.get(token) or _read_word(lexicon, token)
                for label in numbers:
                    self.marks[label].append(Mark(label, len(self.stems), len(self.stems) + 1))
                for word, stemmed, rare_word in read:
                    if rare_word and self._cues_a_medicine(lexicon):
                        rare.append(len(self.stems))
                    add_stem(stemmed)
                    add_word(word)
                    add_sentence(sentence)
                    add_clause(clause)
                    add_quoted(in_quote)
                continue
            if kind == "sentence" and token == "." and number + 1 < len(tokens) \
                    and stem(tokens[number + 1].group()) in lexicon.grammar["continuing"]:
                kind = "clause"  # "i'm done. with all of it.": a fragment carrying on its sentence
            if kind == "sentence":
                if "?" in token:
                    self.asks.add(sentence)
                sentence, clause, in_quote = sentence + 1, clause + 1, False
                continue
            if kind == "clause":
                clause += 1
                continue
            if kind == "quote":
                in_quote = not in_quote
                continue
            at = len(self.stems)
            if kind == "reading":
                high, low = (int(n) for n in re.findall(r"\d+", token))
                if high >= lexicon.reading[0] or low >= lexicon.reading[1]:
                    self.marks["reading"].append(Mark("reading", at, at + 1))
                words: tuple[str, ...] = ("<reading>",)
            else:  # a decimal, "39.2", "1.8": one number, not two sentences
                if float(token) < lexicon.low_sugar:
                    self.marks["low_number"].append(Mark("low_number", at, at + 1))
                if lexicon.fever <= float(token) < 43:
                    self.marks["fever_number"].append(Mark("fever_number", at, at + 1))
                words = ("<number>",)
            for word in words:
                add_stem(word)
                add_word(word)
                add_sentence(sentence)
                add_clause(clause)
                add_quoted(in_quote)
        self._lower_negation(lexicon)
        stems, marks, sentences = self.stems, self.marks, self.sentence
        phrases, skippable, last = lexicon.phrases, lexicon.skippable, len(stems) - 1
        labelled, life_stage, by_third = lexicon.words, lexicon.grammar["life_stage"], lexicon.by_third
        for at, first in enumerate(stems):
            if labels := labelled.get(first):
                for label in labels:
                    marks[label].append(_mark(Mark, (label, at, at + 1)))
            if at < last:
                # the phrases whose first two words stand here side by side: the rest is matched after them
                two = (first, stems[at + 1])
                group = phrases.get(two, ())
                if group and (places := by_third.get(two)) is not None:
                    group = tuple(group[place] for place in sorted(
                        place for third in _thirds(stems, at + 2, skippable) for place in places.get(third, ())))
                for phrase, labels in group:
                    end = _match(stems, at + 2, phrase, skippable, 2) if len(phrase) > 2 else at + 2
                    if end and sentences[end - 1] == sentences[at]:
                        for label in labels:
                            marks[label].append(_mark(Mark, (label, at, end)))
                if stems[at + 1] in skippable:  # and those whose second word stands after "just", "really" ...
                    second = at + 1
                    while second < last and second - at <= SKIPPABLE and stems[second] in skippable:
                        second += 1
                    for phrase, labels in phrases.get((first, stems[second]), ()) \
                            if stems[second] != stems[at + 1] else ():
                        end = _match(stems, at, phrase, skippable)
                        if end and sentences[end - 1] == sentences[at]:
                            for label in labels:
                                marks[label].append(_mark(Mark, (label, at, end)))
            if first.isdigit():
                if _YEAR.fullmatch(first) and not (at and stems[at - 1] in ("sinc", "since")):
                    marks["time:over"].append(Mark("time:over", at, at + 1))
                if at:
                    self._mark_age(at, lexicon)
                    if int(first) < _OLDEST:
                        self._mark_then(at, lexicon)
            elif at and first in life_stage:
                self._mark_then(at, lexicon)
        if compounds := self.marks.get("flag:compound"):  # "blood pressure", "blood test": no blood
            inside = {at: m.end - m.start for m in compounds for at in range(m.start, m.end)}
            for label in [label for label in self.marks if label.startswith("flag:") and label != "flag:compound"]:
                self.marks[label] = [m for m in self.marks[label] if not all(
                    at in inside and m.end - m.start < inside[at] for at in range(m.start, m.end))]
        for at in rare:  # a word English seldom uses, after a count or "all her", is most often a medicine
            for label in ("harm:medicine", "flag:overdose:medicine"):
                if not any(m.start == at for m in self.marks.get(label, ())):
                    self.marks[label].append(Mark(label, at, at + 1))
        pills = {m.start for m in self.marks.get("harm:medicine", ())}
        def counts_pills(count: Mark) -> bool:  # "40 tablets", "20 of his heart tablets"; not "17 year old"
            at, other = count.end, 0
            while at < len(stems) and at - count.end < 5 and at not in pills and stems[at][0] != "<" \
                    and not stems[at].isdigit():
                other += stems[at] not in lexicon.before_medicine
                if other > 2 or (other and at == count.end):
                    return False
                at += 1
            return at in pills

        self.marks["count:many"] = [m for m in self.marks.get("count:many", ()) if counts_pills(m)]
        knowing = {at for m in self.marks.get("questions:embedding", ()) for at in range(m.start, m.end)}
        if knowing:  # "I want to know if he will die": wanting to know is asking, not a wish
            for label in _WISHES:
                self.marks[label] = [m for m in self.marks.get(label, ()) if not m.overlaps(knowing)]
        if decisions := self.marks.get("advice:decision"):  # "end up": a particle, not "up" the dose
            particles = lexicon.grammar["particle"]
            self.marks["advice:decision"] = [m for m in decisions if not (
                m.end - m.start == 1 and stems[m.start] in particles and m.start > 0
                and "v" in lexical.parts_of_speech(self.words[m.start - 1]))]
        breaks = {m.start for m in self.marks.get("clauses:break", ())} | self._joined_with_a_time(lexicon)
        self.opened: list[int] = [0] * len(self.clause)  # how many clause breaks stand before each word
        if breaks:  # "but", "now", "because" open a new clause
            for at in range(len(self.clause)):
                self.opened[at] = (self.opened[at - 1] if at else 0) + (at in breaks)
                self.clause[at] = self.clause[at] * 1000 + self.opened[at]
        self._unquote_speech()
        self.present = frozenset(self.marks) if all(self.marks.values()) else frozenset(
            label for label, found in self.marks.items() if found)
        self.found: dict[int, tuple[tuple[Form, ...], list[Instance]]] = {}  # _instances of each tuple of forms
        self._sentences: list[range] = []  # each a run of words with one sentence number
        start = 0
        for at in range(1, len(stems) + 1):
            if at == len(stems) or sentences[at] != sentences[start]:
                self._sentences.append(range(start, at))
                start = at

    def _joined_with_a_time(self, lexicon: Lexicon) -> set[int]:
        """Where "and" (grammar.txt [joining]) opens a clause of its own: before a time said first and then a subject
        ("I had a seizure in 2019 and today I feel fine": "today" dates "I feel fine"), as "and I", "and he" do
        without the time ([break])."""
        joining = lexicon.grammar["joining"]
        if not joining.intersection(self.stems):
            return set()
        times: dict[int, int] = {}
        for label in _FRONTED_TIMES:
            for m in self.marks.get(label, ()):
                times[m.start] = max(m.end, times.get(m.start, 0))
        subjects = {m.start for m in self.marks.get("person:personal", ())}
        return {at for at, word in enumerate(self.stems) if word in joining and times.get(at + 1, -1) in subjects}

    def _mark_age(self, at: int, lexicon: Lexicon) -> None:
        """A number that tells a person's age: "a 90 year old" is a person; "I'm 79" is one's own situation."""
        stems = self.stems
        if stems[at - 1] in lexicon.grammar["one"] and " ".join(stems[at + 1:at + 3]) in lexicon.grammar["aged"]:
            self.marks["person:personal"].append(Mark("person:personal", at - 1, at + 3))
        if at > 1 and stems[at - 1] in lexicon.grammar["perfect"] \
                and (at + 1 == len(stems) or self.clause[at + 1] != self.clause[at] or stems[at + 1] == "year"):
            self.marks["advice:situation"].append(Mark("advice:situation", at - 1, at + 1))

    def _mark_then(self, at: int, lexicon: Lexicon) -> None:
        """An age or a time of life that dates an event in the past (grammar.txt [then]): "when she was 16", "when I
        was a kid", "as a teenager", "at the age of 50", "aged 12"; marked time:then from its first word."""
        stems, grammar = self.stems, lexicon.grammar
        before = at - 1 if stems[at - 1] in ("a", "an") else at
        opens = [start for start in range(max(0, before - 4), before)
                 if " ".join(stems[start:before]) in grammar["then"] and stems[start] != "when"]
        if before >= 3 and stems[before - 1] in grammar["was"] and stems[before - 3] == "when":
            opens.append(before - 3)  # "when" + its subject + "was"
        if opens and (stems[opens[0]] != "as" or before < at):  # "as a teenager", not "as 16"
            self.marks["time:then"].append(Mark("time:then", min(opens), at + 1))

    def _unquote_speech(self) -> None:
        """Words quoted after a person's verb of saying are that person's, told by the writer: "my brother texted
        me "I'm going to end it tonight"" reports what he said. Quoted words with no person saying them are the
        text's own ("the article says "serious bleeding"", "what does "fistula" mean?") and stay quoted."""
        if True not in self.quoted:
            return
        verbs = [m for label in ("harm:said", "person:addressing") for m in self.marks.get(label, ())]
        if not verbs:
            return
        at = 0
        while at < len(self.quoted):
            if not self.quoted[at]:
                at += 1
                continue
            end = at
            while end < len(self.quoted) and self.quoted[end]:
                end += 1
            said = [v for v in verbs
                    if at - _SPEECH_LEAD <= v.end <= at and self.sentence[v.start] == self.sentence[at]]
            if said and self._speaker_is_a_person(min(v.start for v in said)):
                for inside in range(at, end):
                    self.quoted[inside] = False
            at = end

    def _speaker_is_a_person(self, verb: int) -> bool:
        """The nearest person named before a verb of saying, in its sentence, is someone (not the text, a study)."""
        sentence = self.sentence[verb]
        people = [(m.end, True) for m in self.marks.get("person:personal", ()) if m.end <= verb]
        people += [(m.end, False) for m in self.marks.get("person:generic", ()) if m.end <= verb]
        people = [(end, personal) for end, personal in people if self.sentence[end - 1] == sentence]
        return bool(people) and max(people)[1]

    def _cues_a_medicine(self, lexicon: Lexicon) -> bool:
        """Whether the words just read make the next rare word a medicine's name: "took", "all" or a count among
        the words that stand before a medicine ("took her", "all my", "30 of his"); "my" or "the" alone do not
        ("my dict")."""
        at = len(self.stems)
        while at and self.stems[at - 1] in lexicon.before_medicine:
            at -= 1
            if self.stems[at] in lexicon.medicine_cues:
                return True
        return at < len(self.stems) and at > 0 and self.stems[at - 1].isdigit()

    def _lower_negation(self, lexicon: Lexicon) -> None:
        """ "not" before a verb of opinion moves behind the modal of the clause it introduces, in the same clause:
        "i do not think i can go on" -> "i do think i can not go on"."""
        if "not" not in self.stems:
            return
        raising, modals = lexicon.raising
        at = 0
        while at < len(self.stems) - 2:
            if self.stems[at] == "not" and self.stems[at + 1] in raising:
                modal = next((to for to in range(at + 2, min(at + 6, len(self.stems)))
                              if self.stems[to] in modals and self.clause[to] == self.clause[at]), None)
                if modal is not None:
                    columns: tuple[list, ...] = (self.stems, self.words, self.sentence, self.clause, self.quoted)
                    for column in columns:
                        column.insert(modal, column.pop(at))
            at += 1

    def __len__(self) -> int:
        return len(self.stems)

    @_once
    def _transparent_before(self) -> list[int]:
        counts = [0]
        for word in self.stems:
            counts.append(counts[-1] + (word in self.lexicon.transparent))
        return counts

    def transparent(self, start: int, stop: int) -> int:
        """How many of the words from start to stop only carry a clause's subject, modal or tense (clauses.txt)."""
        if stop <= start:
            return 0
        return self._transparent_before[stop] - self._transparent_before[start]

    @_once
    def signs(self) -> frozenset[int]:  # "away" is a part of giving things away, no sign: "it has gone away"
        return frozenset(m.start for label, found in self.marks.items()
                         if label.startswith(("flag:", "harm:")) and label != "harm:away" for m in found)

    def becomes(self, cue: Mark) -> bool:
        """An ending cue that goes on to a sign in its clause says what someone has become, not that it is over:
        "his arm has gone numb", "she has gone very pale", "he has stopped breathing"."""
        clause = self.clause_span(cue.start)
        return any(at in self.signs for at in range(cue.end, min(cue.end + 2, clause.stop)))

    def has(self, label: str) -> bool:
        return label in self.present

    @_once
    def flag_ids(self) -> frozenset[str]:
        """The ids of the red flags some part of which stands in the message."""
        ids = self.lexicon.flag_of
        return frozenset(ids[label] for label in self.present.intersection(ids))

    def starts(self, label: str, at: int) -> bool:
        """Whether a mark of the label starts at this word."""
        found = self.marks.get(label)
        return found is not None and any(m.start == at for m in found)

    def within(self, label: str, span: range) -> list[Mark]:
        found = self.marks.get(label)
        return [m for m in found if m.start in span] if found else []

    def sentence_span(self, at: int) -> range:
        return self._sentence_at[at]

    def clause_span(self, at: int) -> range:
        return self._clause_at[at]

    @_once
    def _sentence_at(self) -> list[range]:  # the sentence of each word
        return [span for span in self._sentences for _ in span]

    @_once
    def _clause_at(self) -> list[range]:  # the clause of each word
        return [span for span in self._clauses for _ in span]

    def sentences(self) -> list[range]:
        return self._sentences

    @_once
    def _clauses(self) -> list[range]:
        spans, start = [], 0
        for at in range(1, len(self.clause) + 1):
            if at == len(self.clause) or self.clause[at] != self.clause[start]:
                spans.append(range(start, at))
                start = at
        return spans

    def clauses(self) -> list[range]:
        """The message's clauses in order, each a run of words with one clause number."""
        return self._clauses


@dataclass(frozen=True)
class Instance:
    """One form found: where it starts and ends, and the words its parts took."""

    start: int
    end: int
    taken: frozenset[int]
    asked: bool = False
    also: range = range(0)  # the next sentence, when the severity it needs stands there ("Today it won't stop.")
    sudden: bool = True
    history: frozenset[int] = frozenset()  # the words of its parts told as past by nature
    lasting: bool = False


_NEAR_ACROSS = 4  # a form's parts may stand in two sentences when this close ("I've taken them. 40 of them.")


def _nearest(marks: list[Mark], anchor: Mark, longer: bool = True) -> Mark:
    """The mark nearest the anchor; of two as near, the longer (or, when the longer leaves a later part without
    words of its own, the shorter: "took every pill": "every", not "every pill", so "pill" is the medicine)."""
    return min(marks, key=lambda m: (abs(m.start - anchor.start), (m.start - m.end) * (1 if longer else -1)))


def _choose(choices: list[list[Mark]], anchor: Mark) -> list[Mark]:
    """One mark a part, each taking words of its own ("not understand" is one part), nearest the anchor."""
    for longer in (True, False):
        chosen = [anchor]
        for candidates in choices[1:]:
            free = [m for m in candidates if not any(m.start < c.end and c.start < m.end for c in chosen)]
            if not free:
                break
            chosen.append(_nearest(free, anchor, longer))
        if len(chosen) == len(choices):
            return chosen
    return []


_BY_FIRST_PART: dict[int, tuple[tuple[Form, ...], frozenset[str], dict[str, tuple[Form, ...]]]] = {}


def _could_hold(message: Message, forms: tuple[Form, ...]) -> list[Form]:
    """Of a tuple of the lexicon's forms, those whose first part the message holds: looked up by that label
    instead of every form being tried (the self-harm forms are a hundred, and most messages hold no part of most
    findings). Their order does not matter: callers ask whether any holds, or whether there are any."""
    entry = _BY_FIRST_PART.get(id(forms))
    if entry is None or entry[0] is not forms:
        index: dict[str, list[Form]] = defaultdict(list)
        for form in forms:
            index[form.parts[0]].append(form)
        entry = _BY_FIRST_PART[id(forms)] = (forms, frozenset(index), {k: tuple(v) for k, v in index.items()})
    _, firsts, by_label = entry
    return [form for label in message.present & firsts for form in by_label[label]]


def _instances(message: Message, forms: tuple[Form, ...]) -> list[Instance]:
    """Every form whose parts all stand in one sentence (or two, very close), at most WINDOW words apart (the
    closest such set), with its needs in that sentence or the next and its context anywhere. Kept with the message
    for each tuple of the lexicon's forms: self-harm, a finding's forms and the weaker signs are each asked about
    several times (routed, said alone, ruled out)."""
    known = message.found.get(id(forms))
    if known is not None and known[0] is forms:
        return known[1]
    candidates = _could_hold(message, forms)
    found = _find_instances(message, candidates) if candidates else []
    message.found[id(forms)] = (forms, found)
    return found


def _find_instances(message: Message, forms: list[Form]) -> list[Instance]:
    found = []
    sentences = message.sentences()
    for form in forms:
        if not message.present.issuperset(form.labels):
            continue
        for number, span in enumerate(sentences):
            reach = range(span.start, sentences[number + 1].stop if number + 1 < len(sentences) else span.stop)
            if any(not message.within(need, reach) for need in form.needs) or \
                    any(message.within(label, span) for label in form.unless):
                continue
            choices = [message.within(label, reach) for label in form.parts]
            if any(not c for c in choices) or not any(m.start in span for c in choices for m in c):
                continue
            best = None
            for anchor in choices[0]:  # the first part may stand in the next sentence ("overdose on it? I want to")
                chosen = _choose(choices, anchor)
                if not chosen or not any(m.start in span for m in chosen):
                    continue
                if len({message.opened[m.start] for m in chosen}) > 1 and any(
                        m.end - m.start == 1 and message.starts("negation:cue", m.start) for m in chosen):
                    continue  # "he is not pale and is breathing fine": a "not" of another clause is no part of it
                start, end = min(m.start for m in chosen), max(m.end for m in chosen)
                gap = max(m.start for m in chosen) - min(m.end for m in chosen)  # words between the parts
                if not form.sudden:  # "i wish i could just fall asleep and never wake up": the subject and modal
                    gap -= message.transparent(min(m.end for m in chosen), max(m.start for m in chosen))
                across = any(m.start not in span for m in chosen)
                if gap <= (min(_NEAR_ACROSS, form.window) if across else form.window) and (
                        best is None or end - start < best[1] - best[0]):
                    best = (start, end, chosen)
            if best is not None:
                taken = {at for m in best[2] for at in range(m.start, m.end)}
                for label in form.needs + ("severity:severity",):  # "won't stop" is severity, not a negation
                    taken.update(at for m in message.within(label, reach) for at in range(m.start, m.end))
                needs_next = any(not message.within(need, span) for need in form.needs)
                history = frozenset(at for m in best[2] if m.label in form.history for at in range(m.start, m.end))
                found.append(Instance(best[0], best[1], frozenset(taken), form.asked,
                                      range(span.stop, reach.stop) if needs_next else range(0), form.sudden, history,
                                      form.lasting))
    return found


# ---------------------------------------------------------------- is a finding reported, now, by someone?


def _free(message: Message, label: str, span: range, taken: frozenset[int]) -> list[Mark]:
    found = message.marks.get(label)
    return [m for m in found if m.start in span and not m.overlaps(taken)] if found else []


def _denied(message: Message, found: Instance) -> bool:
    """A negation cue shortly before the finding, or between its parts, in its clause ("no chest pain", "my
    chest does not hurt"); or a word after it saying it is over ("the bleeding has stopped")."""
    clause = message.clause_span(found.start)
    not_cues = {m.start for m in message.marks.get("negation:not_a_cue", ())}
    unable = {m.end for m in message.marks.get("negation:inability", ())}
    for cue in _free(message, "negation:cue", clause, found.taken):
        if cue.end in not_cues or cue.start in unable:
            continue
        if found.start - NEGATION_REACH <= cue.start < found.end:
            return True
    moved = {m.start for m in message.marks.get("negation:moved", ())}  # "he's gone into the woods"
    ended = [m for m in _free(message, "negation:after", message.sentence_span(found.start), found.taken)
             if m.start > found.start and not message.becomes(m) and m.end not in moved
             and (m.start in clause or message.stems[m.start - 1] in message.lexicon.grammar["referring"])]
    if ended and not _free(message, "time:now", clause, found.taken):
        return not _comes_back(message, found, min(m.end for m in ended))
    return _closed(message, found)


def _closed(message: Message, found: Instance) -> bool:
    """An outcome told after the finding closes it (negation.txt [outcome]: "turned out to be indigestion", "...,
    never since"): of a sudden sign, in its clause or a clause by itself, naming no sign after it in its clause,
    and with no word of now or of the sign coming back after it."""
    if not found.sudden:  # an attempt or a wish is not closed by how it turned out ("turns out I can't even ...")
        return False
    clause = message.clause_span(found.start)
    for cue in _free(message, "negation:outcome", message.sentence_span(found.start), found.taken):
        own = message.clause_span(cue.start)
        if cue.start > found.start and (cue.start in clause or own == range(cue.start, cue.end)) \
                and not _names_a_sign(message, range(cue.end, own.stop)) \
                and not any(_free(message, label, range(cue.end, len(message)), found.taken)
                            for label in ("time:now", "time:present")) and not _comes_back(message, found, cue.end):
            return True
    return False


def _names_a_sign(message: Message, span: range) -> bool:
    """A whole red-flag finding stands in the span ("turned out to be a heart attack"), not one word of one
    ("indigestion" is a word of chest pain, no sign alone)."""
    return any(found.start in span and found.end <= span.stop for finding in message.lexicon.findings
               for found in _instances(message, finding.forms))


def _comes_back(message: Message, found: Instance, after: int) -> bool:
    """A word of the sign coming back (time.txt [again]) after this word in its sentence or the next, not denied
    ("never again", "I never want to feel that way again"), or the state taken up in a clause told as now (time.txt
    [same]: "I feel the same way now"; not "I don't feel that way now"): what was over is new again."""
    sentences = message.sentences()
    number = next(n for n, span in enumerate(sentences) if found.start in span)
    reach = range(after, sentences[min(number + 1, len(sentences) - 1)].stop)
    if any(not _denied_in_its_clause(message, m) and not _of_another_doing(message, m, after)
           for m in message.within("time:again", reach)):
        return True
    compared = message.lexicon.grammar["compared"]

    def told_now(m: Mark) -> bool:  # in its clause or the one it runs into ("... the same way | now")
        clause = range(message.clause_span(m.start).start, message.clause_span(min(m.end, len(message) - 1)).stop)
        return any(message.within(label, clause) for label in ("time:now", "time:present"))

    return any(not _denied_in_its_clause(message, m) and not (m.end < len(message) and message.stems[m.end] in compared)
               and told_now(m) for m in message.within("time:same", reach))


def _of_another_doing(message: Message, again: Mark, after: int) -> bool:
    """A word of coming back said of something else being done: between `after` and it in its clause an -ing form of
    a verb (its base a verb by WordNet's parts of speech) that is no light verb (grammar.txt [light]) and no part of
    a sign, with no word referring back as its object ("he had a heart attack in 2018 and this week he's out
    playing golf again", "she's walking again"; not "it's happening again", "I'm thinking about it again", "he is
    vomiting again")."""
    grammar = message.lexicon.grammar
    words = range(max(after, message.clause_span(again.start).start), again.start)
    # a word of a red flag, or of a self-harm form found ("walking" is one only in "walking into the sea")
    signs = {at for label, marks in message.marks.items() if label.startswith("flag:")
             for m in marks if m.end > words.start and m.start < words.stop for at in range(m.start, m.end)}
    signs.update(at for found in _instances(message, message.lexicon.self_harm) for at in found.taken)
    return any(message.words[at].endswith("ing") and message.stems[at] not in grammar["light"] and at not in signs
               and any("v" in lexical.parts_of_speech(base) for base in lexical.base_forms(message.words[at]))
               and not grammar["referring"].intersection(message.stems[at + 1:again.start]) for at in words)


def _denied_in_its_clause(message: Message, said: Mark) -> bool:
    """A negation cue stands before the words in their clause, a cue that denies (negation.txt [not_a_cue]: "can't
    stop" does not): "never again", "I never want to feel that way again", "I don't feel that way now"."""
    not_cues = {m.start for m in message.marks.get("negation:not_a_cue", ())}
    return any(cue.start < said.start and cue.end not in not_cues
               for cue in message.within("negation:cue", message.clause_span(said.start)))


_SINCE_REACH = 4  # "since starting cabozantinib two weeks ago": the time dates a start when this close after it


def _over(message: Message, found: Instance) -> bool:
    """Said to be in the past or to come and go, and not now: "last year", "in 2019", "has healed", "used to",
    "on and off", "for months"."""
    sentence = message.sentence_span(found.start)
    starts = [m.end for m in message.within("time:since", sentence)]  # not "since my stroke two years ago"
    long_ago = {at for m in message.within("time:long_ago", sentence) for at in range(m.start, m.end)}
    over = [m for m in _free(message, "time:over", sentence, found.taken) if not _dates(m, found)
            and not _dates_its_own_clause(message, m, found)
            and not (not m.overlaps(long_ago) and any(0 <= m.start - end <= _SINCE_REACH
                                                      and found.start not in range(end, m.start) for end in starts))]
    if found.lasting:  # an overdose two days ago still harms: only a time longer ago than days ends it
        recent = {at for m in message.within("time:recent", sentence) for at in range(m.start, m.end)}
        over = [m for m in over if not m.overlaps(recent)]
    if found.sudden and not _free(message, "time:change", sentence, frozenset()):  # "often, but this time ..."
        over += _free(message, "time:habitual", sentence, found.taken)  # self-harm that goes on is no less urgent
    if _then(message, found):
        return True
    if not over:
        return False
    inside = {at for m in over for at in range(m.start, m.end)}  # "now" in "now and then" is not now

    first = min(m.end for m in over)
    others = {m.start for m in message.marks.get("time:again", ()) if _of_another_doing(message, m, first)}

    def now(span: range) -> bool:  # "again" said of something else being done is no now ("out playing golf again")
        return any(not m.overlaps(inside) and m.start not in others for label in ("time:present", "time:now")
                   for m in _free(message, label, span, found.taken))

    return not (now(message.clause_span(found.start)) or now(found.also) or _going_on(message, found)
                or _comes_back(message, found, first) or _taken_up_now(message, found))


def _taken_up_now(message: Message, found: Instance) -> bool:
    """A later clause of the sentence told as now names a part of the same red flag: "my dad had a stroke 2 years
    ago and today he can't lift his arm" (the time said first dates that clause, which tells the sign now); "... and
    today I feel fine" names none."""
    if not found.sudden:  # self-harm shares words with red flags ("dose"): it has its own ways back (time.txt)
        return False
    ids = {label.split(":", 2)[1] for label, marks in message.marks.items() if label.startswith("flag:")
           for m in marks if m.start in found.taken}
    after = range(message.clause_span(found.start).stop, message.sentence_span(found.start).stop)
    for clause in message.clauses():
        if clause.start not in after or not (message.within("time:now", clause)
                                             or message.within("time:present", clause)):
            continue
        if any(label.startswith("flag:") and label.split(":", 2)[1] in ids and message.within(label, clause)
               for label in message.present):
            return True
    return False


def _dates_its_own_clause(message: Message, cue: Mark, found: Instance) -> bool:
    """A time in another clause than the finding's, one with a person of its own, dates that clause's event when the
    finding's clause is not told in the past: "I feel like I did as a child, I want to end it all" ("as a child"
    dates "did"). A time with no one of its own ("that was last year") still dates the finding, and so does any
    time before a clause told in the past ("I was admitted last month, I had bleeding")."""
    clause = message.clause_span(found.start)
    if cue.start in clause or any(_past_form(word) for word in message.words[clause.start:found.start]):
        return False
    words = set(range(cue.start, cue.end))
    return any(not person.overlaps(words) for label in ("person:personal", "person:relative")
               for person in message.within(label, message.clause_span(cue.start)))


def _then(message: Message, found: Instance) -> bool:
    """Dated by an age or a time of life that is past ("when she was 16", "as a teenager"; grammar.txt [then]) in
    the finding's clause or in a clause of its own right before it ("As a teenager, I ..."), with no word of now
    after it in the message ("... and I feel the same way now"; "she's 40 now" tells an age, "fine now" an ending,
    "never again" denies it) and nothing of the sign coming back."""
    clause = message.clause_span(found.start)
    then = [m for m in _free(message, "time:then", message.sentence_span(found.start), found.taken)
            if not _dates(m, found) and (m.start in clause or (
                message.clause_span(m.start) == range(m.start, m.end) and m.end <= clause.start
                and message.clause[clause.start - 1] == message.clause[m.start]))]
    if not then:
        return False
    first = min(m.end for m in then)
    closing = {at for label in ("negation:after", "negation:outcome") for m in message.marks.get(label, ())
               for at in range(m.start, m.end)}
    for label in ("time:now", "time:present"):
        for m in _free(message, label, range(first, len(message)), found.taken):
            age = m.start > 0 and message.stems[m.start - 1].isdigit()
            denied = m.start > 0 and message.starts("negation:cue", m.start - 1)  # "never again"
            if not (age or denied or m.overlaps(closing)):
                return False
    return not _comes_back(message, found, first)


def _going_on(message: Message, found: Instance) -> bool:
    """Told in the perfect progressive, which reaches up to now: "has been calling everyone to say goodbye", "keeps
    saying he won't need it" (an auxiliary of time.txt [ongoing], then an -ing form, before the finding in its
    clause); "has been fine since" is no finding."""
    clause = message.clause_span(found.start)
    return any(m.end <= found.start and m.start in clause and message.words[m.end].endswith("ing")
               for m in message.marks.get("time:ongoing", ()))


def _dates(cue: Mark, found: Instance) -> bool:
    """A time cue nearer a part told as past by nature than the finding's other words: it dates that part only."""
    if not found.history:
        return False
    others = found.taken - found.history

    def distance(words: frozenset[int]) -> int:
        return min((abs(at - cue.start) for at in words), default=len(found.taken) + 99)

    return distance(found.history) < distance(others)


def _supposed(message: Message, found: Instance) -> bool:
    """Only supposed or foretold: "what if", "in case" before it in its clause, or "will" right before it; unless
    "right now", or judged as it goes on ("is it serious if I'm vomiting blood?" tells that I am; "what should I do
    if he is bleeding?" still supposes)."""
    clause = message.clause_span(found.start)
    grammar = message.lexicon.grammar
    going_on = found.start and message.words[found.start].endswith("ing") \
        and message.stems[found.start - 1] in grammar["perfect"]
    if going_on and any(message.stems[m.start - 1] in grammar["judging"] for m in message.within(
            "questions:hypothetical", clause) if 0 < m.start < found.start):
        return False
    asking = {m.end for m in message.marks.get("questions:not_hypothetical", ())}
    supposes = [m for m in _free(message, "questions:hypothetical", clause, found.taken)
                if m.start <= found.start and m.start not in asking and m.start - 1 not in asking]
    supposes += [m for m in _free(message, "questions:future", clause, found.taken) if m.end == found.start
                 and message.stems[found.start] not in ("not", "never")]
    return bool(supposes) and not _free(message, "time:now", message.sentence_span(found.start), found.taken)


def _opens_question(message: Message, clause: range) -> Mark | None:
    """The question word a clause opens with (after filler such as "so", "ok"), if the clause asks: it opens
    its sentence or its sentence ends with a question mark ("he is pale, has chest pain" does not ask)."""
    at = clause.start
    sentence = message.sentence[at]
    if at > 0 and message.sentence[at - 1] == sentence and sentence not in message.asks:
        return None
    fillers = {m.start: m.end for m in message.marks.get("questions:filler", ())}
    while at in fillers and at < clause.stop:
        at = fillers[at]
    opener = next((m for m in message.marks.get("questions:opener", ()) if m.start == at), None)
    if opener is not None and sentence not in message.asks and opener.end < len(message) \
            and message.stems[opener.end] == "not":
        return None  # "can't breathe properly", "doesn't want to wake up": a statement with its subject left out
    return opener


def _people(message: Message, span: range, found: Instance, skip: Mark | None) -> list[tuple[Mark, bool]]:
    """The persons named in a span: (mark, personal?), in order, none of them part of the finding; of two
    overlapping names the longer ("the patient", not "patient")."""
    taken = found.taken | (frozenset(range(skip.start, skip.end)) if skip else frozenset())
    people = [(m, True) for m in _free(message, "person:personal", span, taken)]
    owners = {m.end for m, _ in people}  # "my patients", "our family": the writer's own people
    spoken_to = {m.end for m in message.marks.get("person:addressing", ())}  # "she messaged everyone": not her
    people += [(m, m.start in owners) for m in _free(message, "person:generic", span, taken)
               if m.start not in spoken_to]
    people = [(m, personal) for m, personal in people
              if not any(o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start
                         for o, _ in people)]
    return sorted(people, key=lambda p: p[0].start)


def _asked_about(message: Message, found: Instance) -> bool:
    """A question about the finding, not a report of it: "does the article mention suicide?", "how common was
    bleeding?", "can it make me bleed?". A person it is happening to keeps it a report ("why is my dad
    vomiting blood?")."""
    if found.asked:
        return False
    clause = message.clause_span(found.start)
    before = range(clause.start, found.start)
    opener = _opens_question(message, clause)
    if found.sudden and _asks_what_happened(message, found, clause, opener):  # an attempt told in the past is one
        return True
    if _how_to_know(message, found, clause, opener):
        return True
    causes = _free(message, "questions:cause", before, found.taken)
    if causes:
        last = max(causes, key=lambda m: m.start)
        asks = opener is not None or message.sentence[found.start] in message.asks
        told = message.words[last.start].endswith("ing") or (
            last.start > 0 and message.stems[last.start - 1] in message.lexicon.grammar["perfect"])
        if asks and not told:  # "can it make me cough up blood?": whether it would; "is it making me ...?" tells
            return True
        return not any(personal and m.start > last.start and found.start - m.end <= ATTACHED
                       for m, personal in _people(message, before, found, opener))
    if opener is None:
        return False
    anyone = {m.start for m in message.within("person:indefinite", clause)}  # "what if someone swallows it?" asks
    people = [(m, personal and m.start not in anyone) for m, personal in _people(message, clause, found, opener)]
    if any(personal and 0 <= found.start - m.end <= ATTACHED for m, personal in people):
        return False
    if not found.sudden and not anyone and all(personal for _, personal in people) and (
            _holds(message, found, _WISHES) or (
            _holds(message, found, ("harm:took",)) and _holds(message, found, ("count:many", "harm:large")))
            or any(message.words[at].endswith(("ed", "ing")) for m in message.marks.get("harm:overdosed", ())
                   if m.overlaps(found.taken) for at in range(m.start, m.end))):
        return False  # "is it normal to want to die?", "too late after taking 40?", "I overdosed, is it too late?":
        # with no one else named, the asker's
    if _free(message, "questions:info", clause, found.taken):
        return True
    return not any(personal for _, personal in people)


def _asks_what_happened(message: Message, found: Instance, clause: range, opener: Mark | None) -> bool:
    """A question why or whether something happened, told in the past ("why did he collapse?", "I want to know
    why he collapsed"): it asks about an event that is over. The clause asks (it opens as a question, or its
    sentence ends with a question mark) or the why-word follows a word of knowing ("no idea why", "know whether")."""
    whys = _free(message, "questions:why", range(clause.start, found.start), found.taken)
    if not whys:
        return False
    knowing = {m.end for label in ("questions:not_hypothetical", "questions:embedding")
               for m in message.marks.get(label, ())}
    asks = opener is not None or message.sentence[found.start] in message.asks
    if not asks and not any(m.start in knowing or m.start - 1 in knowing for m in whys):
        return False
    return _told_as_past(message, found, range(whys[-1].end, found.start))


def _told_as_past(message: Message, found: Instance, before: range) -> bool:
    """The finding is told in the simple past with no word of now in its sentence: a past auxiliary between the
    question word and it ("why did she ..."), or its first word a past form ("collapsed", "bled") with no "has" or
    "is" between ("why has he collapsed?" is now)."""
    sentence = message.sentence_span(found.start)
    if any(_free(message, label, sentence, found.taken) for label in ("time:now", "time:present")):
        return False
    if message.within("questions:past", before):
        return True
    perfect = message.lexicon.grammar["perfect"]
    return _past_form(message.words[found.start]) and not any(
        word in perfect for word in message.stems[before.start:found.start])


def _past_form(word: str) -> bool:
    """A past form by its shape: a regular "-ed" or one of WordNet's irregular forms that is not a comparative."""
    return word.endswith("ed") or (word in english().irregular and not word.endswith(("er", "est")))


def _holds(message: Message, found: Instance, labels: Iterable[str]) -> bool:
    """Whether one of the finding's parts carries one of these labels."""
    return any(m.overlaps(found.taken) for label in labels for m in message.marks.get(label, ()))


def _how_to_know(message: Message, found: Instance, clause: range, opener: Mark | None) -> bool:
    """A question how to know a sign ("how do I recognise a clot?", "signs of sepsis?"): no one named between
    the asking and the sign but the asker supposed ("how do I know if I'm having a severe allergic reaction?", "... if
    my stomach pain is serious?"), nor
    as its subject before it ("my dad has signs of sepsis?" tells one), and not now."""
    if opener is None and message.sentence[found.start] not in message.asks:
        return False
    knowing = _free(message, "questions:knowing", range(clause.start, found.start), found.taken)
    if not knowing or _free(message, "time:now", message.sentence_span(found.start), found.taken):
        return False
    first = min(m.start for m in knowing)

    def tells(person: Mark) -> bool:  # of the one asking, only what follows the asking unsupposed ("if I")
        grammar = message.lexicon.grammar
        # the asker's own body or complaint ("if my stomach pain is serious"), of a sudden sign: a wish or an
        # attempt supposed is still a warning sign, and "my dad" is someone else
        own = found.sudden and person.end - person.start == 1 and message.stems[person.start] in grammar["asker_own"]
        if message.stems[person.start] not in grammar["asker"] and not own:
            return True
        return person.start > first and message.stems[person.start - 1] not in grammar["supposition"]

    return not any(personal and tells(m) for m, personal in _people(message, range(clause.start, found.start), found,
                                                                    opener))


def _about_others(message: Message, found: Instance) -> bool:
    """About people in general, a study's patients ("patients in the trial had serious bleeding") or an animal; a
    person named inside the finding itself ("better off without her") is the one it is about."""
    if any(m.overlaps(found.taken) for m in message.marks.get("person:personal", ())):
        return False
    clause = message.clause_span(found.start)
    people = _people(message, range(clause.start, found.start), found, None)
    animals = _free(message, "person:animal", range(clause.start, found.start), found.taken)
    if animals and (not people or animals[-1].start > people[-1][0].start):
        return True  # "my dog is vomiting blood": for a vet
    if people:
        return not people[-1][1]
    sentence = _people(message, message.sentence_span(found.start), found, None)
    if any(personal for _, personal in sentence):
        return False
    return bool(sentence)


def _reported(message: Message, found: Instance, health: bool = True) -> bool:
    """The finding is said to be happening to someone now (the checks of the module docstring). Off a health
    corpus a person must be named in its sentence: in a manual "the list collapses" or "zlib chokes" is not one."""
    if all(message.quoted[at] for at in found.taken if at < len(message)):
        return False
    if not health and not message.within("person:personal", message.sentence_span(found.start)):
        return False
    # a sign even when asked ("how many would it take to not wake up?") is one also when supposed ("what if")
    # nor is it about people in general: "can you die from 20 paracetamol?" asks for oneself. Self-harm (not a
    # sudden illness) supposed is still a warning sign (988 Lifeline): "what if I just took them all?"
    supposed = found.sudden and not found.asked and _supposed(message, found)
    return not (_denied(message, found) or _over(message, found) or supposed
                or _asked_about(message, found) or (_about_others(message, found) and (
                    not found.asked or _of_people_in_general(message, found))))


def _of_people_in_general(message: Message, found: Instance) -> bool:
    """A sign asked about people in general, named before it in its clause ("why do people want to kill
    themselves?"); the impersonal "you" is the asker ("can you die from 20 paracetamol?")."""
    clause = message.clause_span(found.start)
    people = _people(message, range(clause.start, found.start), found, None)
    return bool(people) and not people[-1][1] and message.stems[people[-1][0].start] not in ("you", "u", "one")


WARNING_SIGNS = 2  # kinds of weaker warning signs in one message that together are a crisis or an emergency


def _warning_signs(message: Message, kinds: dict[str, tuple[Form, ...]], health: bool) -> bool:
    """Weaker warning signs of at least WARNING_SIGNS kinds reported in the message (despair and pills laid out;
    dizzy and clammy), each of which alone may be about something milder."""
    standing = [found for found in (_instances(message, forms) for forms in _kinds_held(message, kinds)) if found]
    if len(standing) < WARNING_SIGNS:  # the reading below costs more than finding them
        return False
    return sum(any(_reported(message, found, health) and not _proposed_by_modal(message, found)
                   for found in kind) for kind in standing) >= WARNING_SIGNS


_KINDS_BY_FIRST_PART: dict[int, tuple[dict[str, tuple[Form, ...]], dict[str, list[tuple[Form, ...]]]]] = {}


def _kinds_held(message: Message, kinds: dict[str, tuple[Form, ...]]) -> list[tuple[Form, ...]]:
    """The kinds of weaker signs (their forms) of which the message holds a first part: most messages hold none
    of the dozen kinds, and trying each costs more than looking them up."""
    entry = _KINDS_BY_FIRST_PART.get(id(kinds))
    if entry is None or entry[0] is not kinds:
        index: dict[str, list[tuple[Form, ...]]] = defaultdict(list)
        for forms in kinds.values():
            for first in dict.fromkeys(form.parts[0] for form in forms):
                index[first].append(forms)
        entry = _KINDS_BY_FIRST_PART[id(kinds)] = (kinds, dict(index))
    held = {id(forms): forms for label in message.present if label in entry[1] for forms in entry[1][label]}
    return list(held.values())


def _proposed_by_modal(message: Message, found: Instance) -> bool:
    """A weaker sign asked as a decision ("should I stop my tablets?"): a modal just before it in its clause."""
    clause = message.clause_span(found.start)
    return any(0 <= found.start - m.end <= ADVICE_REACH and message.stems[m.end] != "not"  # "won't feed" refuses
               for label in ("advice:modal", "advice:obligation") for m in message.within(label, clause))


SAID_ALONE = 8  # a message of at most this many words may be a weaker warning sign and nothing else
# what may stand beside a sign said alone: the person, "feel", "am", a word of now ("i feel so hopeless right now")
_ALONGSIDE = ("person:personal", "harm:being", "clauses:copula", "time:now", "time:present")


def _said_alone(message: Message, lexicon: Lexicon, health: bool) -> bool:
    """A weaker sign of despair or of the unbearable that is the whole message: a short statement by or about a
    person, with no question and no one addressed, whose other words only name the person, a feeling or now, or
    are function words ("i can't anymore", "it's over for me", "my mum can't cope"; not "you're hopeless", "I
    can't cope with this heat"): there is nothing else it can be about."""
    if len(message) > SAID_ALONE or message.asks or message.starts("questions:opener", 0) \
            or not message.has("person:personal") or "you" in message.stems:
        return False
    plain = {at for label in _ALONGSIDE for m in message.marks.get(label, ()) for at in range(m.start, m.end)}

    def whole(found: Instance) -> bool:
        return all(at in found.taken or at in plain or word in lexicon.function_words or word in lexicon.skippable
                   for at, word in enumerate(message.stems))

    return any(whole(found) and _reported(message, found, health) for kind in lexicon.alone
               for found in _instances(message, lexicon.warning_signs[kind]))


def _self_harm(message: Message, lexicon: Lexicon, health: bool) -> bool:
    """A self-harm form reported, weaker warning signs of two kinds, or one said alone."""
    return any(_reported(message, found, health) for found in _instances(message, lexicon.self_harm)) or \
        _warning_signs(message, lexicon.warning_signs, health) or _said_alone(message, lexicon, health)


def _red_flag(message: Message, lexicon: Lexicon, health: bool) -> str:
    """The id of the first red flag reported in the message, or ""."""
    named = message.flag_ids
    for finding in lexicon.findings:
        if finding.id in named and any(_reported(message, found, health)
                                       for found in _instances(message, finding.forms)):
            return finding.id
    return ""


# ---------------------------------------------------------------- personal decisions and small talk


_DECISION_PARTS = ("decision", "care_verb", "evaluation", "opinion", "eligibility", "proposal", "obligation_decision",
                   "concern", "situation")
_DECISION_LABELS = frozenset(f"advice:{kind}" for kind in _DECISION_PARTS)


def _decision(message: Message) -> str:
    """Which form of personal decision the message holds ("modal", "evaluation", ...), or ""."""
    if message.present.isdisjoint(_DECISION_LABELS):
        return ""
    clauses = message.clauses()
    for clause in clauses:
        if form := _decision_in(message, clause):
            return form
    asking = [c for c in clauses if message.within("questions:opener", range(c.start, c.start + 1))
              or message.sentence[c.start] in message.asks]
    if any(message.within("advice:evaluation", c) or message.within("advice:opinion_weak", c) for c in asking):
        if any(_proposed(message, c) for c in clauses):
            return "proposal"
        if any(_own_situation(message, c) for c in clauses):
            return "situation"
        if any(_own_plan(message, c) for c in clauses):
            return "plan"  # "I'm thinking about asking to go on it, good idea?"
    if any(_bare_modal_question(message, c) for c in asking) and any(_own_plan(message, c) or _proposed(message, c)
                                                                      for c in clauses):
        return "plan"  # "I'm scared to start it. Should I?", "my oncologist wants me to start it, should I?"
    if message.asks and any(_bare_decision(message, c) for c in clauses):
        return "bare_decision"
    return ""


def _bare_decision(message: Message, clause: range) -> bool:
    """A question that opens with a decision verb, its subject and modal left out as in a chat: "skip tonight's
    dose?", "missed a dose, take it now or wait?": the verb opens a clause of an asking sentence, in its base form,
    and what follows names the writer's own (a person, "it", "tonight"); "use in children?" asks what the text says."""
    at = clause.start
    if message.sentence[at] not in message.asks or message.starts("questions:opener", at):
        return False  # "do you have feelings?": an auxiliary opening a question
    if not message.starts("advice:decision", at) or message.words[at].endswith(("ed", "ing", "en")):
        return False
    after = range(at + 1, clause.stop)
    return any(message.stems[to] in message.lexicon.grammar["referring"] for to in after) or any(
        message.within(label, after) for label in ("person:personal", "time:present", "time:now"))


def _own_plan(message: Message, clause: range) -> bool:
    """The writer tells a plan or worry of their own (or a relative's) about a treatment: a person, then an
    intent or concern word, then a decision verb ("I'm thinking about asking to go on it", "I'm scared to start")."""
    people = message.within("person:personal", clause)
    intents = message.within("advice:intent", clause) + message.within("advice:concern", clause)
    knowing = {at for m in message.marks.get("questions:embedding", ()) for at in range(m.start, m.end)}
    decisions = message.within("advice:decision", clause)
    return any(0 <= i.start - p.end <= 3 and not i.overlaps(knowing)
               and any(0 <= d.start - i.end <= 4 for d in decisions) for p in people for i in intents)


def _bare_modal_question(message: Message, clause: range) -> bool:
    """A question of a modal and a person only, which asks about the sentence before it: "Should I?", "Can he?",
    "Would you?"."""
    modal = message.within("advice:modal", clause) or message.within("advice:obligation", clause)
    asked = bool(message.within("person:personal", clause)) or bool(message.within("advice:ask_you", clause))
    return len(clause) <= 3 and bool(modal) and asked and clause.start > 0  # also "Would you?" of the assistant


def _own_situation(message: Message, clause: range) -> bool:
    """The writer tells their own (or a relative's) situation: "I'm breastfeeding", "my dad is on warfarin"."""
    people = message.within("person:personal", clause)
    return any(0 <= s.start - p.end <= 2 for s in message.within("advice:situation", clause) for p in people)


def _proposed(message: Message, clause: range) -> bool:
    """The writer's care team proposes a treatment: "my oncologist wants to switch me", "she was prescribed it"."""
    if not message.within("person:personal", clause):
        return False
    team = message.within("advice:care_team", clause)
    return any(any(0 <= p.start - t.end <= 3 for t in team) or message.starts("advice:team_only", p.start)
               for p in message.within("advice:proposal", clause))


def _asks_for_someone(message: Message, clause: range) -> bool:
    """A request to speak to a person, not a medical decision: the writer (or a relative), then a verb of getting in
    touch with someone of the care team or a person, and no decision verb after it ("can I talk to a real nurse?",
    "could I speak to someone"; not "can I ask my doctor to lower the dose?")."""
    people = message.within("advice:someone", clause)
    askers = message.within("person:personal", clause)
    return any(any(0 <= p.start - verb.end <= 3 for p in people) and any(a.end <= verb.start for a in askers)
               and not any(d.start >= verb.end for d in message.within("advice:decision", clause))
               and not _naming(message, clause, verb) for verb in message.within("advice:reach", clause))


def _naming(message: Message, clause: range, verb: Mark) -> bool:
    """The verb gives a name, it does not get in touch: "what do they call the person who ...?" ("what" as its
    second object, right before an auxiliary) or the passive ("the nurse who is called ...")."""
    grammar = message.lexicon.grammar
    passive = verb.start > 0 and message.words[verb.start].endswith("ed") \
        and message.stems[verb.start - 1] in grammar["perfect"]
    return passive or any(message.stems[at] in grammar["naming"] and message.stems[at + 1] in grammar["auxiliary"]
                          for at in range(clause.start, verb.start - 1))


def _in_general(message: Message, clause: range) -> set[int]:
    """Where the clause names a person in general: someone not named ("someone", person.txt [indefinite]), or a
    pronoun (grammar.txt [taking_up]) whose nearest person before it in its sentence is someone not named or people
    in general ("what should someone do if they ...", "if a patient misses a dose, should they ...")."""
    indefinite = {m.start for m in message.marks.get("person:indefinite", ())}
    found = {at for at in indefinite if at in clause}
    pronouns = [m for m in message.within("person:personal", clause)
                if m.end - m.start == 1 and message.stems[m.start] in message.lexicon.grammar["taking_up"]]
    if not pronouns:
        return found
    personal = {m.start: m.end for m in message.marks.get("person:personal", ())}
    named = sorted([(m.start, m.end, m.start in indefinite or m.start not in personal)
                    for label in ("person:personal", "person:generic") for m in message.marks.get(label, ())])
    for pronoun in pronouns:
        sentence = message.sentence_span(pronoun.start)
        before = [(end - start, general) for start, end, general in named
                  if start in sentence and end <= pronoun.start
                  and start == max(s for s, e, _ in named if s in sentence and e <= pronoun.start)]
        if before and max(before)[1]:
            found.add(pronoun.start)
    return found


def _decision_in(message: Message, clause: range) -> str:
    def marks(label: str) -> list[Mark]:
        return message.within(label, clause)

    indefinite = _in_general(message, clause)  # "what if someone takes too many?" asks in general
    personal = [m for m in marks("person:personal") if m.start not in indefinite]
    care = marks("advice:care_team")
    turning = [verb for verb in marks("advice:care_verb") if any(0 <= c.start - verb.end <= 3 for c in care)]
    chosen_by = {False: marks("advice:decision"), True: marks("advice:decision") + turning
                 + marks("advice:obligation_decision")}  # "should I see a doctor?"; "can I see a doctor?" asks for one
    decisions = marks("advice:decision") + turning
    things = message.lexicon.grammar["thing"]
    for modal, obliged in [(m, False) for m in marks("advice:modal")] + \
            [(m, True) for m in marks("advice:obligation")]:
        chosen = chosen_by[obliged]
        # a person right after the modal is its subject, and no one after it is ("would I know if my gums ...?")
        subject = [person for person in personal if person.start == modal.end]
        for person in subject or personal:
            # "should I", "can my husband"; for obligations also "I should", "do I need to"; the person is the
            # modal's subject, so no word for a thing stands between ("can it make me cough?" asks what the
            # medicine does: "me" is its object)
            near = (0 <= person.start - modal.end <= ADVICE_REACH
                    and not things.intersection(message.stems[modal.end:person.start])) or \
                (obliged and 0 <= modal.start - person.end <= ADVICE_REACH)
            last = max(modal.end, person.end)
            if near and any(0 <= d.start - last <= 6 for d in chosen):
                return "modal"
            if near and not obliged and message.within("advice:concurrent", message.sentence_span(person.start)):
                return "concurrent"  # "can I have the flu jab while I'm on it?"
            if person.start == modal.end and modal.start == clause.start and not obliged \
                    and message.stems[modal.start] not in message.lexicon.grammar["auxiliary"] \
                    and not message.within("questions:info", clause) and not _asks_for_someone(message, clause) \
                    and not _chitchat(message, message.lexicon):
                return "personal_modal"  # "could my son be given it?", "can I still have it?"; not "can I ask you?"
    evaluations = marks("advice:evaluation")
    openers = [m for m in marks("questions:opener") if m.start == clause.start]
    asks = message.sentence[clause.start] in message.asks
    if openers or (asks and any(e.start == clause.start for e in evaluations)):  # "ok if I double up?": no "is it"
        addressed = {m.end for m in message.marks.get("person:generic", ()) if message.stems[m.start] == "you"}
        opened = openers[0].end if openers else clause.start
        subjects = [p for p in personal if p.start == opened]  # "is she too old?", "would he cope?"
        if subjects and any(0 <= e.start - subjects[0].end <= 3 for e in evaluations):
            return "evaluation"
        for evaluation in evaluations:
            if any(0 <= f.start - evaluation.end <= 6 for f in marks("advice:for_person")) or any(
                    p.start == evaluation.end + 1 and message.stems[evaluation.end] == "for" for p in personal):
                return "evaluation"
            if evaluation.start not in addressed and any(p.start == evaluation.end for p in personal):
                return "evaluation"  # "would it help me", not "can you help me"
            to = evaluation.end
            after = decisions + marks("advice:obligation_decision")
            if to < clause.stop and message.stems[to] == "to" and any(0 <= d.start - to <= 3 for d in after):
                return "evaluation_to"
            if any(d.start == to for d in decisions):
                return "evaluation_to"  # "is it worth trying?", "is it safe taking it with food?"
            if to + 1 < clause.stop and message.stems[to] == "if" and any(p.start == to + 1 for p in personal) \
                    and any(0 <= d.start - to - 2 <= 3 for d in decisions):
                return "evaluation_if"  # "would it be ok if I took it at night?"
        if personal and marks("advice:eligibility"):
            return "eligibility"
    if marks("advice:opinion"):
        return "opinion"
    for ask in marks("advice:ask_you"):
        if any(0 <= d.start - ask.end <= 4 for d in decisions + evaluations):
            return "opinion"
    # A plan or a worry told ("he is going to start it next week") asks for a decision only when its sentence
    # asks, or nothing else in the message does: "..., how many patients were in the trial?" is a question.
    if message.sentence[clause.start] in message.asks or not message.asks:
        for person in personal:
            asking = {m.start for m in marks("questions:not_hypothetical")}  # "I want to know the dose used"
            for intent in marks("advice:intent") + marks("advice:concern"):
                if 0 <= intent.start - person.end <= 3 and any(
                        0 <= d.start - intent.end <= 3 and not asking.intersection(range(intent.end, d.start))
                        for d in decisions):
                    return "intent"
    return ""


def _chitchat(message: Message, lexicon: Lexicon) -> str:
    """The mood of a message made up only of small talk, or ""."""
    if not len(message) or message.present.isdisjoint(lexicon.moods):  # no small talk at all: most messages
        return ""
    covered: set[int] = set()
    moods = []
    for mood in lexicon.chitchat_order + ("filler",):
        for mark in message.marks.get(f"chat:{mood}", ()):
            covered.update(range(mark.start, mark.end))
            if mood != "filler":
                moods.append(mood)
    openers = {m.start for m in message.marks.get("questions:opener", ())  # "when does it start?" asks
               if m.start == message.clause_span(m.start).start}
    # "can you repeat that?", "why are you so useless?": it asks the assistant (an insult only when it names the
    # assistant: "is it useless?" may ask about the medicine)
    asks_about_me = bool({"identity", "frustration"} & set(moods)) or (
        "insult" in moods and any(word in _OF_THE_ASSISTANT for word in message.stems))
    covered.update(at for at, word in enumerate(message.stems)
                   if word in lexicon.function_words and (at not in openers or asks_about_me))
    if asks_about_me and len(covered) < len(message):  # "this is the most useless thing I have ever used"
        covered.update(at for at in range(len(message)) if at not in covered and _only_says_what(message, at))
    if len(covered) < len(message) or not moods:
        return "hello" if _greets_and_tells(message) else ""
    if message.within("questions:opener", range(1)) and set(moods) <= {"ack", "thanks"}:
        return ""  # "is it right?", "is that good?" ask about the text
    return moods[0]


_NAMING_A_SIGN = ("flag:", "topic:", "advice:")  # label prefixes of a sign, a health word or a decision


def _only_says_what(message: Message, at: int) -> bool:
    """The word only says what something is like (an adjective or adverb by WordNet's parts of speech: "most",
    "pretty", "clever") and is no part of a sign, a health word or a decision ("dizzy", "better" are)."""
    parts = lexical.parts_of_speech(message.words[at])
    return bool(parts) and bool(set(parts) & _SAYING_WHAT) and not any(
        label.startswith(_NAMING_A_SIGN) and any(m.start <= at < m.end for m in marks)
        for label, marks in message.marks.items())


_OF_THE_ASSISTANT = ("you", "u")  # the subject of a message said of the assistant
_SAYING_WHAT = frozenset("ar")  # WordNet's parts of speech that only say what something is like: adjective, adverb


def _said_of_the_assistant(message: Message, lexicon: Lexicon) -> bool:
    """A short message that only says what the assistant is, or asks whether it is: "you" as its subject (first,
    or after a copula: "are you awake?"), and besides it only words that say what something is like (adjectives
    and adverbs by WordNet's parts of speech), a copula, small talk or function words ("you're pretty clever",
    "you there?", "u still awake?", "are you for real?"); at most one noun, after "a" ("you are a genius"). Nothing
    about health, a sign, a decision or the writer ("you're better off without me" is read by the rules)."""
    stems = message.stems
    if not 1 < len(message) <= SAID_ALONE or any(label.startswith(("flag:", "advice:", "topic:"))
                                               for label in message.present) \
            or message.has("person:personal") or message.has("questions:info"):
        return False
    joining = {at for label in ("clauses:copula", "clauses:transparent", "chat:filler") + tuple(
        f"chat:{mood}" for mood in lexicon.chitchat_order) for m in message.marks.get(label, ())
        for at in range(m.start, m.end)}  # "are", "must", "have been"; small talk
    subject = 1 if stems[0] in lexicon.grammar["auxiliary"] or stems[0] in ("are", "r") else 0
    if stems[subject] not in _OF_THE_ASSISTANT:
        return False
    nouns = 0
    for at, word in enumerate(message.words):
        if at == subject or (at in joining and word not in _OF_THE_ASSISTANT) or stems[at] in lexicon.function_words:
            continue
        if _only_says_what(message, at):
            continue
        if "n" in lexical.parts_of_speech(word) and at and stems[at - 1] in ("a", "an") and not nouns:
            nouns += 1
            continue
        return False
    return True


def _greets_and_tells(message: Message) -> bool:
    """A greeting, then only telling: no question mark, no sentence opening as a question, no request ("I want
    to know"), no word about health, a medicine or a sign ("good evening, I am 87 and my grandson set this up")."""
    if not any(m.start == 0 for m in message.marks.get("chat:hello", ())) or message.asks:
        return False
    starts = {message.clause_span(at).start for at in range(len(message))}  # every sentence opens a clause too
    if any(m.start in starts for m in message.marks.get("questions:opener", ())):
        return False
    return not any(message.has(label) for label in ("questions:not_hypothetical", "questions:info", "topic:health",
                                                    "harm:medicine")) and not any(label.startswith("flag:")
                                                                                  for label in message.present)


# ---------------------------------------------------------------- the route


@lru_cache(maxsize=8192)  # a pure function of the text, and messages repeat
def route(text: str, health: bool = True, model: bool = True) -> Route:
    """Where a message goes. Emergencies are looked for on every corpus; personal medical decisions only when
    the corpus is about health (on a software manual "can I use break in a loop?" is a question). Where the rules
    find nothing on a health corpus, and no sign they read was ruled out (asked about, denied, over, someone else's),
    the learned net of safety_model.py may still route it (reason "model"); `model=False`: the rules alone."""
    lexicon = english()
    message = Message(text, lexicon)
    routed = _by_rules(message, lexicon, health)
    if routed is QUESTION and model and health:
        # asked before the check after it, which costs more; its signals say no sign was ruled out, as is so
        # wherever its verdict is used
        verdict = safety_model.shipped().verdict(message.stems, signals(message, ruled_out=False))
        if verdict.kind is not RouteKind.QUESTION and not ruled_out_a_sign(message):
            if verdict.kind is RouteKind.EMERGENCY:
                return Route(RouteKind.EMERGENCY, crisis=verdict.crisis, reason="model")
            if names_a_person(message):
                return Route(RouteKind.MEDICAL_ADVICE, reason="model")
    return routed


_SIGNAL: dict[str, str] = {}  # label -> its name as a feature of the net


# Labels of the past-event grammar (an age then, an outcome, a sign coming back) and of WordNet's words for the
# self-harm slots (harm_wordnet.txt: die, act_self) the rules read and the net does not: their verdict reaches it as
# "@ruled_out" or a route; as features of their own they would move the net's fitted thresholds with no row of its
# training sets routed differently.
_RULES_ONLY = frozenset({"time:then", "time:again", "time:same", "negation:outcome",
                         *(f"harm:{part}{_WORDNET}" for part in ("die", "act_self"))})


def signals(message: Message, ruled_out: bool) -> list[str]:
    """The router's reading of a message, as features of the net (safety_model.py): every label its word data
    found ("@flag:stroke:face", "@person:personal", "@time:over"), "@asks" when a sentence ends with a question
    mark, "@opens" when the message opens with a question word, "@ruled_out" when a sign stood in it and was
    ruled out (`ruled_out_a_sign`)."""
    # in the order the labels were found (deterministic, unlike a set's), each name made once a process
    found = [_SIGNAL.get(label) or _SIGNAL.setdefault(label, f"@{label}")
             for label, marks in message.marks.items() if marks and label not in _RULES_ONLY]
    if message.asks:
        found.append("@asks")
    if message.starts("questions:opener", 0):
        found.append("@opens")
    if ruled_out:
        found.append("@ruled_out")
    return found


def names_a_person(message: Message) -> bool:
    """The writer or someone of theirs is named: a decision the net finds is personal only then ("can children
    take it?" asks what the text says). Someone not named, and a pronoun taking up people in general, are no one's
    ("when patients miss a dose, can they take it later?"; `_in_general`, as the rules read them)."""
    return any(m.start not in _in_general(message, message.clause_span(m.start))
               for m in message.marks.get("person:personal", ()))


def ruled_out_a_sign(message: Message) -> bool:
    """A red flag or self-harm form stands in the message and the rules did not route it: it is asked about ("how
    common was vomiting blood in the trial?", "does the article mention suicide?"), denied ("I don't want to die"),
    over ("it has gone away") or about someone else (a study's patients, a dog). The rules read it on purpose; the
    net does not overrule them. (A single weaker warning sign is not ruled out: the rules wait for a second kind.)"""
    lexicon = message.lexicon
    named = message.flag_ids
    return bool(_instances(message, lexicon.self_harm)) or any(
        _instances(message, finding.forms) for finding in lexicon.findings if finding.id in named)


def _by_rules(message: Message, lexicon: Lexicon, health: bool) -> Route:
    """The route of the rules: self-harm, a red flag, weaker signs together, a decision, small talk, or a question."""
    if _self_harm(message, lexicon, health):
        return Route(RouteKind.EMERGENCY, crisis=True, reason="self_harm")
    if flag := _red_flag(message, lexicon, health):
        findings, intent = lexicon.meant
        if flag in findings and any(not message.quoted[m.start] for label in intent
                                    for m in message.marks.get(label, ())):
            return Route(RouteKind.EMERGENCY, crisis=True, reason=f"self_harm:{flag}")  # "took them all, no point"
        return Route(RouteKind.EMERGENCY, reason=flag)
    if _warning_signs(message, lexicon.flag_signs, health):
        return Route(RouteKind.EMERGENCY, reason="warning_signs")
    form = _decision(message) if health else ""
    # small talk is read only when it can still decide: no decision, or one "can I speak to a human?" may be
    if form:
        return Route(RouteKind.MEDICAL_ADVICE, reason=form)
    if message.has("advice:reach") and message.has("advice:someone") and any(
            _asks_for_someone(message, clause) for clause in message.clauses()):
        return Route(RouteKind.CHITCHAT, reason="chitchat", mood="referral")  # "can I talk to a real nurse?"
    if mood := _chitchat(message, lexicon):
        return Route(RouteKind.CHITCHAT, reason="chitchat", mood=mood)
    if _said_of_the_assistant(message, lexicon):
        return Route(RouteKind.CHITCHAT, reason="chitchat", mood="identity")
    return QUESTION


# ---------------------------------------------------------------- whether a corpus is about health

HEALTH_SHARE = 0.01  # share of a corpus's words from health_words.txt above which it is taken to be about health
_DOMAINS = ("health", "general")


def about_health(metadata: dict, texts: Iterable[str]) -> bool:
    """A corpus's metadata.json "domain" ("health" or "general"); when it is absent, health if at least
    HEALTH_SHARE of the words of its texts are health words (lang/en/health_words.txt)."""
    domain = metadata.get("domain")
    if domain is not None:
        if domain not in _DOMAINS:
            raise ValueError(f'metadata.json "domain" is {domain!r}: valid are {", ".join(_DOMAINS)}')
        return domain == "health"
    vocabulary = {w for w in read_sections("health_words.txt")["health"] if " " not in w}
    total = hits = 0
    for text in texts:
        found = re.findall(r"[a-z]+", text.lower())
        total += len(found)
        hits += sum(w in vocabulary for w in found)
    return total > 0 and hits / total >= HEALTH_SHARE
