"""A message -> the question(s) in it, each with its type, focus and the unit it asks in.

A long message is a story around a question: it is split into sentences, the question sentences are
kept (at most three), and a frame around a question ("I really want to know ...", "does the article say
how ...") is taken off. Question types are one data table (lang/en/question_types.json): the pattern
that recognises a type, the shapes of fact that answer it, and its template.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from netqa.lang import en
from netqa.text import normalise

MAX_QUESTIONS = 3  # a message asking more gets the first three answered


@dataclass(frozen=True)
class QuestionType:
    name: str
    pattern: re.Pattern | None
    shapes: tuple[str, ...]  # kinds of fact that answer it (facts.py); () for any sentence that bears on it
    near: bool  # the fact must stand near the question's own words
    required: bool  # no answer without such a fact
    template: str


@lru_cache(maxsize=1)
def question_types() -> tuple[QuestionType, ...]:
    rows = en.json_table("question_types.json")["types"]
    return tuple(QuestionType(r["type"], re.compile(r["recognise"], re.IGNORECASE) if r["recognise"] else None,
                              tuple(r["shapes"]), bool(r["near"]), bool(r["required"]), r["template"]) for r in rows)


@lru_cache(maxsize=1)
def types_by_name() -> dict[str, QuestionType]:
    return {t.name: t for t in question_types()}


_UNIT = re.compile(r"\b(?:in|how many) (months|weeks|days|years|dollars|euros|mg|milligrams|hours)\b"
                   r"|\bhow many (months|weeks|days|years|hours)\b", re.IGNORECASE)
# The counted noun ends the phrase after "how many": "how many epNET patients were there" counts patients.
_COUNTED = re.compile(r"\bhow many (?!(?:were|are|was|is|did|do|does|have|has|had)\b)(?P<modifiers>(?:[\w-]+ ){0,3}?)"
                      r"(?P<noun>[\w-]+)(?= (?:were|are|was|is|did|do|does|have|has|had|got|get|"
                      r"took|in|with|of|on|received|needed|need|can|could|will|would)\b|\s*[?.!]*$)", re.IGNORECASE)
# "what is the X": X names the thing asked about. ("which group", "what percent" name only the answer's type.)
_FOCUS = re.compile(r"^(?:so |and |but |ok )?(?:(?:what|how much)(?:'s| is| are| was| were| does| do)\s+"
                    r"(?:the |a |an |its |their |his |her )?"
                    # "how do I sign up": the action asked about is the focus
                    r"|how (?:do|can|could|should|would|will) (?:i|we|you|one|patients|people|my \w+) )"
                    r"(?P<focus>[\w-]+(?: [\w-]+)?)", re.IGNORECASE)


@dataclass(frozen=True)
class Question:
    text: str  # as asked
    normalised: str
    kind: str  # "question", "emergency", "medical_advice" or "chitchat"
    crisis: bool  # an emergency about self-harm: the crisis line comes first
    type: str  # a name from question_types()
    unit: str | None  # "months" in "what is the median in months?": the answer must carry it
    counted: str | None  # "patients" in "how many patients ...": says what is counted, not which
    focus: tuple[str, ...]  # what is asked about: "price" in "what is the price of it?"
    modifiers: tuple[str, ...] = ()  # "pNET" in "how many pNET patients": which of the counted is meant


# ---------------------------------------------------------------- safety (routing before any search)

@lru_cache(maxsize=1)
def _safety_patterns() -> dict[str, tuple[re.Pattern, ...]]:
    raw = json.loads(resources.files("netqa.data").joinpath("safety.json").read_text(encoding="utf-8"))
    return {name: tuple(re.compile(p, re.IGNORECASE) for p in patterns)
            for name, patterns in raw.items() if not name.startswith("_")}


def _safety_kind(lowered: str) -> tuple[str, bool]:
    """(kind, crisis) of a whole message: an emergency is never answered as a lookup."""
    patterns = _safety_patterns()
    crisis = any(p.search(lowered) for p in patterns["emergency_self_harm"])
    if crisis or any(p.search(lowered) for p in patterns["emergency"]):
        return "emergency", crisis
    if any(p.search(lowered) for p in patterns["medical_advice"]):
        return "medical_advice", False
    if any(p.search(lowered) for p in patterns["chitchat"]):
        return "chitchat", False
    return "question", False


# ---------------------------------------------------------------- chat spellings

# Initials ("U.S.", "M.D.") are kept whole: "U" is not "you" there.
_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|(?<![\w/])[A-Za-z]+/[A-Za-z]?(?![\w/])|[A-Za-z']+|\d+[A-Za-z]+\b")


def spell_out(text: str) -> str:
    """'wat dose', 'how many pts w/ pNET' -> 'what dose', 'how many patients with pNET' (lang/en/chat_spellings.txt).

    "5yr" -> "5-year": a number glued to a chat spelling of a unit.
    """
    spellings = en.table("chat_spellings.txt")

    def one(m: re.Match) -> str:
        token = m.group()
        if "." in token or (token.isupper() and len(token) > 1):
            return token  # initials and acronyms ("PT" may be a name) stay
        glued = re.fullmatch(r"(\d+)([A-Za-z]+)", token)
        if glued:
            unit = spellings.get(glued.group(2).lower())
            return f"{glued.group(1)}-{unit}" if unit and " " not in unit else token
        return spellings.get(token.lower(), token)

    return _TOKEN.sub(one, text)


# ---------------------------------------------------------------- sentences and questions of a message

# A sentence ends at . ! ? followed by a space and a capital, a digit or a quote; not after initials or titles.
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bvs)(?<!\be\.g)(?<!\bi\.e)"
                           r"([.!?]+)[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|([?!]+)\s+(?=\w)")
_QUESTION_START = re.compile(r"^(?:(?:so|and|but|also|ok|okay|well|then|plus|now)[,]?\s+)*"
                             r"(?:what|what's|whats|who|who's|whose|whom|when|where|why|how|which|is|are|was|were|"
                             r"do|does|did|can|could|will|would|should|has|have|had|isn't|aren't|doesn't|don't|"
                             r"didn't|whether)\b", re.IGNORECASE)
# Two questions in one sentence: "Who will test it, and when will that happen?"
_SECOND_QUESTION = re.compile(r",?\s+(?:and|or|also|plus)\s+(?=(?:what|who|when|where|why|how|which)\b\s+\w+)"
                              r"|[,;]\s+(?=(?:what|who|when|where|why|how|which)\b\s+(?:is|are|was|were|do|does|did|"
                              r"can|will|would|should|has|have|many|much|long|often)\b)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _frames() -> tuple[re.Pattern, ...]:
    return tuple(re.compile(line, re.IGNORECASE) for line in en.ordered_lines("question_frames.txt"))


def _unframed(sentence: str) -> str:
    for frame in _frames():
        m = frame.match(sentence)
        if m and m.end() < len(sentence):
            rest = sentence[m.end():]
            return rest[:1].upper() + rest[1:] if sentence[:1].isupper() else rest
    return sentence


def sentences_of(text: str) -> list[str]:
    parts, at = [], 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end(1) if m.group(1) else m.end(2)
        parts.append(text[at:end].strip())
        at = m.end()
    parts.append(text[at:].strip())
    return [p for p in parts if p]


def _is_question(sentence: str) -> bool:
    return sentence.rstrip().endswith("?") or bool(_QUESTION_START.match(sentence))


def questions_in(text: str) -> tuple[str, ...]:
    """The question(s) a message asks, in order, at most MAX_QUESTIONS; the message itself when it has none.

    A short message is its own question. In a longer one only sentences that ask something count,
    without the words framing them; a sentence asking two things ("who ..., and when ...?") gives two.
    """
    sentences = sentences_of(text)
    unframed = [_unframed(s) for s in sentences]
    asked = [s for s in unframed if _is_question(s)]
    if len(sentences) == 1:
        asked = [unframed[0]]
    if not asked:
        return (text,) if len(sentences) <= 1 else (unframed[-1],)
    split: list[str] = []
    for sentence in asked:
        pieces = [p.strip(" ,;") for p in _SECOND_QUESTION.split(sentence)]
        pieces = [p for p in pieces if p]
        if len(pieces) > 1 and all(len(p.split()) >= 2 for p in pieces):
            split.extend(p if p.endswith("?") else p + "?" for p in pieces)
        else:
            split.append(sentence)
    return tuple(dict.fromkeys(split))[:MAX_QUESTIONS]


def story_of(text: str, questions: tuple[str, ...]) -> str:
    """The sentences of a message that are not its questions (what the patient tells about themselves)."""
    return " ".join(s for s in sentences_of(text) if not any(q.rstrip("?") in _unframed(s) for q in questions))


# ---------------------------------------------------------------- one question

def question_type(lowered: str) -> str:
    return next((t.name for t in question_types() if t.pattern is not None and t.pattern.search(lowered)), "other")


@lru_cache(maxsize=8192)  # a pure function of the text, and questions repeat: the web asks it every time
def understand(text: str) -> Question:
    """Classify a question; safety comes first, so an emergency is never answered as a lookup."""
    normalised = spell_out(normalise(text))
    lowered = normalised.lower().replace("’", "'")
    kind, crisis = _safety_kind(lowered)
    qtype = question_type(lowered)
    unit = _UNIT.search(lowered)
    counted = _COUNTED.search(lowered) if qtype == "count" else None
    focus = _FOCUS.search(lowered)
    modifiers = tuple(w for w in counted.group("modifiers").split() if w not in en.word_list("stopwords.txt")
                      and w not in en.word_list("generic_words.txt")) if counted else ()
    return Question(text=text, normalised=normalised, kind=kind, crisis=crisis, type=qtype,
                    unit=(unit.group(1) or unit.group(2)) if unit else None,
                    counted=counted.group("noun") if counted else None,
                    focus=tuple(focus.group("focus").split()) if focus else (), modifiers=modifiers)
