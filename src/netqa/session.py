"""Conversation memory: recent turns per session, and follow-ups rewritten into whole questions."""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
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


class SessionStore:
    """Recent turns per session id; idle sessions expire and the oldest go first past the cap.

    One lock guards the whole table: the web server calls in from many threads.
    """

    def __init__(self, ttl_seconds: float = 1800.0, max_sessions: int = 10_000, max_turns: int = 6):
        self.ttl_seconds = ttl_seconds
        self.max_sessions = max_sessions
        self.max_turns = max_turns
        self._sessions: OrderedDict[str, tuple[float, tuple[Turn, ...]]] = OrderedDict()
        self._lock = threading.Lock()

    def history(self, session_id: str) -> tuple[Turn, ...]:
        with self._lock:
            self._expire(time.monotonic())
            entry = self._sessions.get(session_id)
            return entry[1] if entry else ()

    def remember(self, session_id: str, turn: Turn) -> None:
        with self._lock:
            now = time.monotonic()
            turns = self._sessions.pop(session_id, (now, ()))[1]
            self._sessions[session_id] = (now, (turns + (turn,))[-self.max_turns:])
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)

    def __len__(self) -> int:
        return len(self._sessions)

    def _expire(self, now: float) -> None:
        # Entries are in order of last use, so the stale ones are at the front.
        while self._sessions:
            session_id, (last_used, _) = next(iter(self._sessions.items()))
            if now - last_used <= self.ttl_seconds:
                break
            del self._sessions[session_id]
