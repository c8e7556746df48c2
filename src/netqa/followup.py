"""A follow-up + the conversation so far -> the whole question to answer.

The new turn fills one slot of the last question and keeps the rest: a new group or measure replaces the
old one ("what about thrombotic events?" after "How often did hemorrhagic events occur?"), a bare
"when?" or "how many?" asks its kind of question about the last topic, and any other question keeps its own
words and carries the last topic as context only, weighed below them (see bot.py); a question that names its own
subject drops the old context.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from netqa import lexical
from netqa.lang import en
from netqa.message import QUESTION_WORDS, sentences_of
from netqa.records import Turn
from netqa.text import content_words, stem, words

if TYPE_CHECKING:
    from netqa.index import Hit

_ELLIPSIS = re.compile(
    r"^(?:(?:and|but|so|ok|okay)[,]?\s+)?(?:(?:what|how)\s+about|what\s+of|same\s+for|and\s+for|and\s+in|and)\s+"
    r"(?:the\s+|for\s+|in\s+|with\s+)?(?P<subject>.+?)\s*[?.!]*$", re.IGNORECASE)
_PERSON_PRONOUN = re.compile(r"\b(she|her|hers|he|him|his)\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"\b(her|his)\b(?=\s+(?!(?:a|an|the|to|in|on|at|for|with|about|from|by|of)\b)[a-z])",
                         re.IGNORECASE)
_THING_PRONOUN = re.compile(r"\b(it|its|this|that|these|those|they|them|their)\b", re.IGNORECASE)
_QUESTION_START = re.compile(r"^(?:what|who|when|where|why|how|which|is|are|was|were|do|does|did|can|could|"
                             r"will|would|should|has|have)\b", re.IGNORECASE)
_ASKS = re.compile(r"\b(?:what|who|when|where|why|how|which)\b", re.IGNORECASE)  # "and then how do I install it?"
_CONTINUES = re.compile(r"^(?:and|but|also|so|then|plus)\b", re.IGNORECASE)  # "and what did the other group get?"
_TRAILING_PHRASE = re.compile(r"\b(for|in|with|among|of|on|about|from)\s+(?P<phrase>[^?]+?)\s*[?.!]*$", re.IGNORECASE)
# A name or an initialism past the first word: "CABINET", "Cindy Lovelace", "GPLv3" (a question that names
# its own subject).
_NAMED = re.compile(r"(?<!^)(?<![.?!] )\b[A-Z][\w-]*|\b[A-Z][a-z]*[A-Z0-9][\w-]*")
_NAME_RUN = re.compile(r"(?<!^)(?<![.?!] )\b[A-Z][\w-]*(?:\s+[A-Z][\w-]*)+")
# A question word opening a turn, after "and" or a preposition belonging to it ("and for how long?")
_WH = re.compile(r"^(?:(?:and|but|so|ok|okay|then)[,]?\s+)?(?P<asked>(?:(?:for|since|until|till|from|to|by|in|at|"
                 rf"with)\s+)?{QUESTION_WORDS}\b)", re.IGNORECASE)


# A follow-up stays in the last turn's document unless that document's best passage scores below this share of the
# best passage anywhere: then the question is about something the document hardly speaks of (a change of topic).
TOPIC_SHARE = 0.25


@lru_cache(maxsize=4)
def _words(key: str) -> frozenset[str]:
    """The words of a lang/en/follow_ups.txt entry, with their stems."""
    written = en.table_words("follow_ups.txt", key)
    return frozenset(written) | frozenset(stem(w) for w in written)


def _asks_only(word: str) -> bool:
    """Whether a word asks rather than tells ("when", "times", "happen"): see follow_ups.txt."""
    return word in _words("asking") or stem(word) in _words("asking")


@dataclass(frozen=True)
class Resolution:
    text: str  # the question to answer
    context: str  # earlier words that may help the search, weighted below the question's own
    document: str = ""  # the doc_id the conversation was in: searched first (see stays_in)


def _topic(turn: Turn) -> list[str]:
    generic = en.word_list("generic_words.txt")
    return list(dict.fromkeys(w for w in content_words(f"{turn.question} {turn.context}")
                              if w not in generic and not _asks_only(w)))


def resolve(question: str, history: tuple[Turn, ...], abbreviations: dict[str, str],
            same_message: bool = False) -> Resolution:
    """Rewrite an elliptical, bare or pronoun follow-up using the last turn; give any other question the last
    topic as context, unless it names its own subject or the last turn was asked in the same message (two
    questions asked together are two questions). Either way the question is searched first in the document the
    conversation is in ("and what about patents?" after a question on the Apache licence; see stays_in)."""
    if not history:
        return Resolution(question, "")
    return dataclasses.replace(_rewrite(question, history[-1], abbreviations, same_message),
                               document=history[-1].document)


def stays_in(document: str, everywhere: Sequence[Hit], within: Sequence[Hit], named: str | None) -> bool:
    """Whether a follow-up is answered from the conversation's document (`within`: the hits of a search in it
    alone) rather than from the whole corpus (`everywhere`): yes, unless the question names another document
    (`named`, its doc_id) or the document's best passage scores below TOPIC_SHARE of the best anywhere (the
    question is about something else)."""
    if not document or not within or named not in (None, document):
        return False
    return named == document or not everywhere or within[0].score >= TOPIC_SHARE * everywhere[0].score


def points_back(question: str) -> bool:
    """Whether a question leans on what was said before: a pronoun ("does it apply to ...?", "who ran it?") or a
    word that goes on from it ("and what did the other group get?")."""
    return bool(_THING_PRONOUN.search(question) or _PERSON_PRONOUN.search(question) or _CONTINUES.match(question))


def _rewrite(question: str, last: Turn, abbreviations: dict[str, str], same_message: bool) -> Resolution:
    ellipsis = _ELLIPSIS.match(question.strip())
    if (ellipsis and len(content_words(ellipsis.group("subject"))) <= 4
            and not _ASKS.search(ellipsis.group("subject"))):
        subject = ellipsis.group("subject")
        rewritten = _substitute(last.question, subject, abbreviations)
        if rewritten is not None:
            return Resolution(rewritten, "")
        # Nothing in the last question to replace: ask about the new subject, in the old topic.
        return Resolution(f"{subject}?", " ".join(_topic(last)))
    own = [w for w in content_words(question) if not _asks_only(w)]
    if not own and (_QUESTION_START.match(question.strip()) or _WH.match(question.strip())):
        asked_again = _asked_again(question, last)
        if asked_again is not None:
            return Resolution(asked_again, last.context)
        # "how often does that happen?": this kind of question, about the last topic
        return Resolution(f"{question.strip().rstrip('?.! ')} {' '.join(_topic(last))}?", "")
    if _PERSON_PRONOUN.search(question) and last.people:
        name = last.people[0]
        text = _POSSESSIVE.sub(f"{name}'s", question, count=1)
        if text == question:
            text = _PERSON_PRONOUN.sub(name, question, count=1)
        return Resolution(text, "")
    mine = set(content_words(question))
    points_back = _THING_PRONOUN.search(question) or _CONTINUES.match(question)
    if not points_back and (same_message or any(name.lower() not in _topic(last)
                                                for name in _NAMED.findall(question.strip()) if name != "I")):
        return Resolution(question, "")  # it names its own subject ("Who sponsored the CABINET trial?")
    # Any other question still carries the last topic as context, which its own words outweigh: "did the grade
    # matter?" after the trial's results is about the trial; "who sponsored the trial?" still finds the sponsor.
    return Resolution(question, " ".join(w for w in _topic(last) if w not in mine))


def _asked_again(bare: str, last: Turn) -> str | None:
    """"when?" or "what year?" after "Where were the final data presented?": the last question again, with the new
    question word in place of its own ("When were the final data presented?"); after a yes/no question, before it
    ("how many?" after "Did the trial include pNET patients?"). None when the turn says more than its question
    word ("how often does that happen?")."""
    opening = _WH.match(bare.strip())
    if opening is None:
        return None
    asked = bare.strip().rstrip("?.! ")[opening.start("asked"):]
    rest = [w.lower() for w in asked[opening.end() - opening.start("asked"):].split()]
    # a question word with "many", "times" or "before" may stand in for the last one's; "does that happen" may not
    if len(rest) > 3 or not all(w in _words("degree") or w in en.word_list("stopwords.txt") or _asks_only(w)
                                and not lexical.parts_of_speech(w).startswith("v") for w in rest):
        return None
    if rest and rest[0] in _words("pro_forms"):  # "which ones?": the thing the last question asked about
        asked = asked[:opening.end() - opening.start("asked")]
    previous = last.question.strip()
    wh = _WH.match(previous)
    if wh is None:
        return f"{asked} {previous[:1].lower()}{previous[1:]}"
    after = previous[wh.end():]
    degree = re.match(r"\s+(\w+)", after)
    if degree and degree.group(1).lower() in _words("degree"):  # "How many patients ..." -> "when ... patients"
        after = after[degree.end():]
    return f"{asked}{after}" if after.rstrip().endswith("?") else f"{asked}{after}?"


def antecedent_of(message: str, question: str) -> str:
    """The sentence told right before a question of a long message that points back at it ("Someone suggested a
    file that stays in memory until it gets big. What decides when that kind of file switches over to disk?"): what
    its "it", "that" or "she" stands for, as a follow-up's pronoun stands for the last turn's topic. "" when the
    question names its own subject, opens the message or follows another question."""
    if not (_THING_PRONOUN.search(question) or _PERSON_PRONOUN.search(question)):
        return ""
    told = sentences_of(message)
    asked = question.rstrip("?").lower()
    at = next((i for i, sentence in enumerate(told) if asked in sentence.lower()), None)
    if not at or told[at - 1].rstrip().endswith("?"):
        return ""
    return told[at - 1]


def _substitute(previous: str, subject: str, abbreviations: dict[str, str]) -> str | None:
    """Put the new subject where the old one stood; None when the last question has no such slot.

    In order: the phrase with the same head word ("hemorrhagic events" -> "thrombotic events"), a name
    for a name, a similar word ("pNET" -> "epNET"), the closing phrase ("for pancreatic NET" -> "for lung").
    """
    tokens = list(re.finditer(r"[^\W_]+(?:[-'][^\W_]+)*", previous))
    new_words = words(subject)
    stop = en.word_list("stopwords.txt")
    if len(new_words) >= 2 and new_words[-1] in _words("pro_forms"):
        # "the thrombotic ones" after "How often did grade 3-5 hemorrhagic events occur?": the new words in place
        # of those before the last noun of the last question's topic ("How often did thrombotic events occur?")
        topic = [t for t in tokens if t.group().lower() not in stop and not _asks_only(t.group().lower())]
        run = _last_run(topic, tokens)
        while run and lexical.parts_of_speech(run[-1].group().lower()) in ("v", "r", "a", "vr", "ar"):
            run.pop()  # ("... events occur": a verb WordNet knows only as one ends no noun phrase)
        if len(run) >= 2:
            modifiers = subject[:subject.lower().rindex(new_words[-1])].strip()
            return previous[:run[0].start()] + modifiers + " " + previous[run[-1].start():]
    if len(new_words) >= 2:
        head = stem(new_words[-1])
        for i, token in enumerate(tokens):
            if stem(token.group().lower()) == head:
                first = i
                while first > 0 and tokens[first - 1].group().lower() not in stop \
                        and not _asks_only(tokens[first - 1].group().lower()):
                    first -= 1
                return previous[:tokens[first].start()] + subject + previous[token.end():]
    if subject[:1].isupper():
        names = list(_NAME_RUN.finditer(previous))
        if names:
            return previous[:names[-1].start()] + subject + previous[names[-1].end():]
    subject_forms = [subject.lower()] + [abbreviations[w].lower() for w in words(subject) if w in abbreviations]
    for word in words(previous):
        if len(word) > 2 and any(fuzz.ratio(word, form) >= 70 or fuzz.partial_ratio(word, form) >= 90
                                 and len(word) >= 4 for form in subject_forms):
            return re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", subject, previous, count=1, flags=re.I)
    trailing = _TRAILING_PHRASE.search(previous)
    if trailing:
        return previous[:trailing.start("phrase")] + subject + "?"
    return None


def _last_run(topic: list[re.Match], tokens: list[re.Match]) -> list[re.Match]:
    """The last run of topic words standing next to each other in the question ("grade 3-5 hemorrhagic events")."""
    place = {id(t): i for i, t in enumerate(tokens)}
    run: list[re.Match] = []
    for t in topic:
        run = run + [t] if run and place[id(t)] == place[id(run[-1])] + 1 else [t]
    return run
