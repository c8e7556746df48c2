"""A message as the safety router reads it: its words as stems, the sentence and clause of each, every label of the
vocabulary found on them (safety_lexicon.py), and the forms (a red flag's, a self-harm composition's) whose parts all
stand close together in it."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from netqa import lexical
from netqa.safety_lexicon import Form, Lexicon, ReadWord, contractions
from netqa.terms import TYPO_MIN_LENGTH, is_english
from netqa.text import stem

SKIPPABLE = 2  # words of clauses.txt [inside_phrase] that may stand inside a known phrase

_TOKEN = re.compile(r"(?P<reading>\d{2,3}\s*(?:/|over)\s*\d{2,3})|(?P<decimal>\d+\.\d+)"
                    r"|(?P<word>[a-z0-9]+(?:'[a-z]+)?)"
                    r"|(?P<sentence>[.!?;\n]+)|(?P<clause>[,:()\-–—]+)|(?P<quote>\")")
_YEAR = re.compile(r"(?:19|20)\d\d")
_OLDEST = 120  # a number below this may be an age

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
WISHES = ("harm:desire", "harm:intent", "harm:wanting", "harm:plan")  # labels of a wish or plan


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
                if _YEAR.fullmatch(first) and not (at and stems[at - 1] in lexicon.grammar["since"]):
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
            for label in WISHES:
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
        self._mark_residing(lexicon)
        self.present = frozenset(self.marks) if all(self.marks.values()) else frozenset(
            label for label, found in self.marks.items() if found)
        self.found: dict[int, tuple[tuple[Form, ...], list[Instance]]] = {}  # _instances of each tuple of forms
        self.set_aside = False  # a form's words stood in it and an exception of it held (Form.read_unless)
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

    def _mark_residing(self, lexicon: Lexicon) -> None:
        """A verb of living that tells where or with whom one lives, marked harm:residing: followed by a word of
        company and a person ("live with my son", "live with us"; grammar.txt [company]) or by a word of place or
        company ([residing]: "live alone", "live abroad"). "I don't want to live with my parents forever" is about a
        home, not about being alive; "live with this pain" is not."""
        lives = self.marks.get("harm:live")
        if not lives:
            return
        grammar, stems = lexicon.grammar, self.stems
        people = {m.start for label in ("person:personal", "person:relative") for m in self.marks.get(label, ())}
        for live in list(lives):
            at = live.end
            if at < len(stems) and stems[at] in grammar["company"] and at + 1 in people:
                self.marks["harm:residing"].append(Mark("harm:residing", live.start, at + 2))
            elif any(" ".join(stems[at:at + n]) in grammar["residing"] for n in (1, 2, 3)):
                self.marks["harm:residing"].append(Mark("harm:residing", live.start, at + 1))

    def _mark_age(self, at: int, lexicon: Lexicon) -> None:
        """A number that tells a person's age: "a 90 year old" is a person; "I'm 79" is one's own situation."""
        stems = self.stems
        if stems[at - 1] in lexicon.grammar["article"] and " ".join(stems[at + 1:at + 3]) in lexicon.grammar["aged"]:
            self.marks["person:personal"].append(Mark("person:personal", at - 1, at + 3))
        if at > 1 and stems[at - 1] in lexicon.grammar["perfect"] \
                and (at + 1 == len(stems) or self.clause[at + 1] != self.clause[at]
                     or stems[at + 1] in lexicon.grammar["age_unit"]):
            self.marks["advice:situation"].append(Mark("advice:situation", at - 1, at + 1))

    def _mark_then(self, at: int, lexicon: Lexicon) -> None:
        """An age or a time of life that dates an event in the past (grammar.txt [then]): "when she was 16", "when I
        was a kid", "as a teenager", "at the age of 50", "aged 12"; marked time:then from its first word."""
        stems, grammar = self.stems, lexicon.grammar
        before = at - 1 if stems[at - 1] in grammar["article"] else at
        if before >= 2 and stems[before - 1] in grammar["owner"] and stems[before - 2] in grammar["of_age"]:
            before -= 2  # "when she was in her twenties"
        opens = [start for start in range(max(0, before - 4), before)
                 if " ".join(stems[start:before]) in grammar["then"] and stems[start] not in grammar["when_was"]]
        if before >= 3 and stems[before - 1] in grammar["was"] and stems[before - 3] in grammar["when_was"]:
            opens.append(before - 3)  # "when" + its subject + "was"
        if opens and (stems[opens[0]] not in grammar["then_article"] or before < at):  # "as a teenager", not "as 16"
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
        negations = lexicon.grammar["not"]
        if negations.isdisjoint(self.stems):
            return
        raising, modals = lexicon.raising
        at = 0
        while at < len(self.stems) - 2:
            if self.stems[at] in negations and self.stems[at + 1] in raising:
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
        contexts = self.lexicon.contexts  # nor is a word that only keeps a form from holding ("away" on a trip)
        return frozenset(m.start for label, found in self.marks.items()
                         if label.startswith(("flag:", "harm:")) and label != "harm:away" and label not in contexts
                         for m in found)

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


def instances(message: Message, forms: tuple[Form, ...]) -> list[Instance]:
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


def _acted_on(message: Message, chosen: list[Mark], said_of: tuple[str, ...]) -> bool:
    """A part the others are said of (a body part) stands as the object of another part, a possessive between
    (grammar.txt [owner]): "I close my eyes" is done by someone, "her eyes are closing" happens to her."""
    owners = message.lexicon.grammar["owner"]
    return any(m.label in said_of and m.start > 0 and message.stems[m.start - 1] in owners
               and any(other.end == m.start - 1 for other in chosen if other is not m) for m in chosen)


def _find_instances(message: Message, forms: list[Form]) -> list[Instance]:
    found = []
    sentences = message.sentences()
    for form in forms:
        if not message.present.issuperset(form.labels):
            continue
        for number, span in enumerate(sentences):
            reach = range(span.start, sentences[number + 1].stop if number + 1 < len(sentences) else span.stop)
            if any(not message.within(need, reach) for need in form.needs):
                continue
            if any(message.within(label, span) for label in form.unless):
                if form.read_unless and all(message.within(label, span) for label in form.parts):
                    message.set_aside = True  # "I won't be around next week, I'm on holiday": read, and set aside
                continue
            choices = [message.within(label, reach) for label in form.parts]
            if any(not c for c in choices) or not any(m.start in span for c in choices for m in c):
                continue
            # a need only the next sentence holds is that sentence's own when it names the sign too: "she's worried
            # about bleeding. How often did serious bleeding happen?"
            needs_next = bool(form.needs) and any(not message.within(need, span) for need in form.needs)
            if needs_next and all(any(m.start >= span.stop for m in c) for c in choices):
                continue
            best = None
            for anchor in choices[0]:  # the first part may stand in the next sentence ("overdose on it? I want to")
                chosen = _choose(choices, anchor)
                if not chosen or not any(m.start in span for m in chosen):
                    continue
                if len({message.opened[m.start] for m in chosen}) > 1 and any(
                        m.end - m.start == 1 and message.starts("negation:cue", m.start) for m in chosen):
                    continue  # "he is not pale and is breathing fine": a "not" of another clause is no part of it
                if form.said_of and _acted_on(message, chosen, form.said_of):
                    continue
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
                history = frozenset(at for m in best[2] if m.label in form.history for at in range(m.start, m.end))
                found.append(Instance(best[0], best[1], frozenset(taken), form.asked,
                                      range(span.stop, reach.stop) if needs_next else range(0), form.sudden, history,
                                      form.lasting))
    return found



def free(message: Message, label: str, span: range, taken: frozenset[int]) -> list[Mark]:
    """The marks of a label that start in the span and take none of the words a form found took."""
    found = message.marks.get(label)
    return [m for m in found if m.start in span and not m.overlaps(taken)] if found else []
