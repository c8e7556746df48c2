"""A question's text -> the kind of fact its answer must hold, and any unit it asks in (routing: netqa.safety)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from netqa.text import normalise

# Question type -> the pattern that recognises it. Order matters: the first match wins.
QUESTION_TYPES: tuple[tuple[str, re.Pattern], ...] = tuple((name, re.compile(pattern, re.IGNORECASE)) for name, pattern in (
    ("percent", r"\b(what|which)('s| is| was| are| were)?( the)? (percent|percentage|proportion|share|fraction|rate|odds|chances?|risk)\b"
                r"|\bhow (likely|common)\b|\b(percent|percentage|what share|what fraction|what proportion|how many percent)\b"),
    ("frequency", r"\bhow often\b|\bhow many times\b|\bhow frequently\b"),
    ("ratio", r"\bratio\b|\bhow were (they|patients|people|participants) (randomi[sz]ed|split|divided)\b"),
    ("amount", r"\b(what|which) (dose|dosage|amount of)\b|\bwhat('s| is| was| are)( the)? (dose|dosage)\b|\bhow much\b|\bdosage\b"),
    ("organisation", r"\b(which|what) (company|group|organi[sz]ation|institute|institution|agency|journal|foundation|"
                     r"sponsor|society|network|charity|university|cooperative|team)\b"
                     r"|\bwho (sponsored|funded|paid for|conducted|ran|runs|published|makes|made|manufactures)\b"),
    ("count", r"\bhow many\b|\bhow old\b|\bwhat age\b|\b(what|which) (is|was)( the)? (number|total|count|amount)\b|\bnumber of\b"),
    ("duration", r"\bhow long\b|\bfor how many (days|weeks|months|years)\b"),
    ("date", r"\bwhen\b|\b(what|which) (year|month|date|day|time)\b|\bhow soon\b|\bwhat time\b"),
    ("person", r"\bwho\b|\bwhose\b|\bwhat is (his|her) name\b|\b(which|what) (doctor|person|researcher|expert)\b"),
    ("place", r"\bwhere\b|\b(which|what) (hospital|institute|center|centre|city|country|place|organi[sz]ation)\b"),
    ("reason", r"\bwhy\b|\bwhat (makes|made)\b|\bfor what reason\b|\bhow come\b"),
    ("which", r"^\s*(which|what)\s+\w+\s+(is|are|was|were|did|does|do|has|have)\b|^\s*which\b"),
    ("definition", r"^\s*(what|who)('s| is| are| was| were)\b|\bwhat does .+ (mean|stand for)\b|\bdefin"),
    ("yesno", r"^\s*(is|are|was|were|does|do|did|can|could|has|have|had|will|would|should)\b"),
))

_UNIT = re.compile(r"\b(?:in|how many) (months|weeks|days|years|dollars|euros|mg|milligrams|hours)\b"
                   r"|\bhow many (months|weeks|days|years|hours)\b", re.IGNORECASE)
# The counted noun ends the phrase after "how many": "how many epNET patients were there" counts patients.
_COUNTED = re.compile(r"\bhow many (?!(?:were|are|was|is|did|do|does|have|has|had)\b)(?:[\w-]+ ){0,3}?([\w-]+)(?= (?:were|are|was|is|did|do|does|have|has|had|got|get|"
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
    type: str  # one of QUESTION_TYPES' names, or "other"
    unit: str | None  # "months" in "what is the median in months?": the answer must carry it
    counted: str | None  # "patients" in "how many patients ...": says what is counted, not which
    focus: tuple[str, ...]  # what is asked about: "price" in "what is the price of it?"


@lru_cache(maxsize=1)
def _chat_spellings() -> dict[str, str]:
    raw = resources.files("netqa.data").joinpath("chat_spellings.txt").read_text(encoding="utf-8")
    pairs = (line.split("=", 1) for line in raw.splitlines() if "=" in line and not line.startswith("#"))
    return {short.strip(): full.strip() for short, full in pairs}


def _spell_out(text: str) -> str:
    """'wat dose' -> 'what dose': chat spellings of question words, so the question type is seen."""
    spellings = _chat_spellings()
    return re.sub(r"[A-Za-z']+", lambda m: spellings.get(m.group().lower(), m.group()), text)


@lru_cache(maxsize=8192)  # a pure function of the text, and questions repeat: the web asks it every time
def understand(text: str) -> Question:
    """The question's type, unit, counted noun and focus."""
    normalised = _spell_out(normalise(text))
    lowered = normalised.lower().replace("’", "'")
    qtype = next((name for name, pattern in QUESTION_TYPES if pattern.search(lowered)), "other")
    unit = _UNIT.search(lowered)
    counted = _COUNTED.search(lowered) if qtype == "count" else None
    focus = _FOCUS.search(lowered)
    return Question(text=text, normalised=normalised, type=qtype,
                    unit=(unit.group(1) or unit.group(2)) if unit else None,
                    counted=counted.group(1) if counted else None,
                    focus=tuple(focus.group("focus").split()) if focus else ())
