"""Follow-ups rewritten into whole questions from a conversation's recent turns (kept by netqa.store)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from netqa.text import content_words, words

_ELLIPSIS = re.compile(
    r"^(?:(?:and|but|so|ok|okay)[,]?\s+)?(?:(?:what|how)\s+about|what\s+of|same\s+for|and\s+for|and\s+in|and)\s+"
    r"(?:the\s+|for\s+|in\s+|with\s+)?(?P<subject>.+?)\s*[?.!]*$", re.IGNORECASE)
_PERSON_PRONOUN = re.compile(r"\b(she|her|hers|he|him|his)\b", re.IGNORECASE)
_THING_PRONOUN = re.compile(r"\b(it|its|this|that|these|those|they|them|their)\b", re.IGNORECASE)
_QUESTION_START = re.compile(r"^(?:what|who|when|where|why|how|which|is|are|was|were|do|does|did|can|could|"
                             r"will|would|should|has|have)\b", re.IGNORECASE)
_CONTINUES = re.compile(r"^(?:and|but|also|so|then|plus)\b", re.IGNORECASE)  # "and what did the other group get?"
_TRAILING_PHRASE = re.compile(r"\b(for|in|with|among|of|on|about|from)\s+(?P<phrase>[^?]+?)\s*[?.!]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Turn:
    question: str  # as resolved, so a chain of follow-ups keeps its subject
    people: tuple[str, ...]  # people named in the reply, for "she" and "he"
    answered: bool
    context: str = ""  # earlier words this turn was searched with: "who ran it?" still means the trial


@dataclass(frozen=True)
class Resolution:
    text: str  # the question to answer
    context: str  # earlier words that may help the search, weighted below the question's own


def resolve(question: str, history: tuple[Turn, ...], abbreviations: dict[str, str]) -> Resolution:
    """Rewrite an elliptical or pronoun follow-up using the last turn; leave other questions alone."""
    if not history:
        return Resolution(question, "")
    last = history[-1]
    ellipsis = _ELLIPSIS.match(question.strip())
    if (ellipsis and len(content_words(ellipsis.group("subject"))) <= 4
            and not _QUESTION_START.match(ellipsis.group("subject"))):
        return Resolution(_substitute(last.question, ellipsis.group("subject"), abbreviations), "")
    if _PERSON_PRONOUN.search(question) and last.people:
        return Resolution(_PERSON_PRONOUN.sub(last.people[0], question, count=1), "")
    if _THING_PRONOUN.search(question) or _CONTINUES.match(question):
        own = set(content_words(question))
        topic = " ".join(dict.fromkeys(w for w in content_words(f"{last.question} {last.context}") if w not in own))
        return Resolution(question, topic)
    return Resolution(question, "")


def _substitute(previous: str, subject: str, abbreviations: dict[str, str]) -> str:
    """Put the new subject where the old one stood: in place of a similar word, else of the closing phrase."""
    subject_forms = [subject.lower()] + [abbreviations[w].lower() for w in words(subject) if w in abbreviations]
    for word in words(previous):
        if len(word) > 2 and any(fuzz.ratio(word, form) >= 70 or fuzz.partial_ratio(word, form) >= 90
                                 and len(word) >= 4 for form in subject_forms):
            return re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", subject, previous, count=1, flags=re.I)
    trailing = _TRAILING_PHRASE.search(previous)
    if trailing:
        return previous[:trailing.start("phrase")] + subject + "?"
    return f"{previous.rstrip('?.! ')} {subject}?"
