"""The records handed from stage to stage: hits, evidence, citations, the reply and a conversation's turns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum

from netqa.corpus import Passage
from netqa.index import Hit, SentenceHit

__all__ = ["Citation", "Evidence", "Hit", "Reply", "ReplyKind", "SentenceHit", "Turn"]


class ReplyKind(str, Enum):
    """What a reply is; its value is the `kind` field of the JSON reply."""

    ANSWER = "answer"
    NO_ANSWER = "no_answer"
    MEDICAL_ADVICE = "medical_advice"
    EMERGENCY = "emergency"
    CHITCHAT = "chitchat"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Citation:
    passage_id: str
    document: str
    section: str
    text: str
    start: int
    end: int

    @classmethod
    def of(cls, passage: Passage) -> Citation:
        return cls(passage.id, passage.document, passage.section, passage.text, passage.start, passage.end)


@dataclass(frozen=True)
class Evidence:
    """The best sentence found for a question and what speaks for it; the input of the confidence."""

    sentence: SentenceHit
    short_answer: str | None
    passage_score: float
    runner_up_score: float
    sentence_score: float
    coverage: float  # idf-weighted share of the question's words (or their related words) found in the passage
    unknown: int  # question words the corpus never uses, weighted by how much they constrain the question
    focus_unknown: bool  # what the question asks about ("price", "hazard ratio") is never mentioned
    fact_found: bool  # the sentence holds a fact of the asked type (always True for open questions)
    quote: str = ""  # the sentence, and its neighbour in the passage when that matches about as well
    missing_constraint: bool = False  # a place, group, time or measure the question names is not in the passage

    def features(self) -> dict[str, float]:
        """The numbers the confidence is computed from (and calibrated on)."""
        return {"passage": self.passage_score, "sentence": self.sentence_score,
                "margin": self.passage_score - self.runner_up_score, "coverage": self.coverage,
                "unknown": float(min(self.unknown, 2)), "fact": float(self.fact_found)}


@dataclass(frozen=True)
class Reply:
    id: str
    question: str
    answer: str
    kind: ReplyKind
    confidence: float
    citations: tuple[Citation, ...]
    session_id: str
    short_answer: str | None = None
    quote: str | None = None
    question_type: str = "other"
    resolved_question: str = ""
    suggestions: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        data = asdict(self)
        data["kind"] = self.kind.value
        data["citations"] = [asdict(c) for c in self.citations]
        data["suggestions"] = list(self.suggestions)
        return data


@dataclass(frozen=True)
class Turn:
    """One answered (or not) question of a conversation, as the next follow-up needs it."""

    question: str  # as resolved, so a chain of follow-ups keeps its subject
    people: tuple[str, ...]  # people named in the reply, for "she" and "he"
    answered: bool
    context: str = ""  # earlier words this turn was searched with: "who ran it?" still means the trial
    question_type: str = "other"
