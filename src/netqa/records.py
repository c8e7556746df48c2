"""The records handed from stage to stage: hits, evidence, citations, the reply and a conversation's turns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum

from netqa.documents import Passage
from netqa.index import Hit, SentenceHit

__all__ = ["Citation", "Evidence", "Hit", "Reply", "ReplyKind", "RouteKind", "SentenceHit", "Turn"]


class ReplyKind(str, Enum):
    """What a reply is; its value is the `kind` field of the JSON reply."""

    ANSWER = "answer"
    NO_ANSWER = "no_answer"
    MEDICAL_ADVICE = "medical_advice"
    EMERGENCY = "emergency"
    CHITCHAT = "chitchat"

    def __str__(self) -> str:
        return self.value


class RouteKind(str, Enum):
    """Where the safety router (safety.py) sends a message; a question is answered from the text."""

    EMERGENCY = "emergency"
    MEDICAL_ADVICE = "medical_advice"
    CHITCHAT = "chitchat"
    QUESTION = "question"


@dataclass(frozen=True)
class Citation:
    passage_id: str
    document: str
    section: str
    text: str
    start: int  # offsets of the passage in the document's text (for .txt and .md: the file)
    end: int
    doc_id: str = ""
    path: str = ""  # the file's path inside the corpus folder
    page: int | None = None  # PDF page

    @classmethod
    def of(cls, passage: Passage) -> Citation:
        return cls(passage.id, passage.document, passage.section, passage.text, passage.start, passage.end,
                   passage.doc_id, passage.path, passage.page)


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
    quote_coverage: float = 0.0  # the same share as `coverage`, in the quoted sentence(s) alone
    open_question: bool = False  # any sentence may answer (why, what is, yes/no): no fact of a shape to find
    verdict: str | None = None  # "Yes" or "No" when the quote plainly says so (yes/no questions only)
    answers_faq: bool = False  # the passage answers the question the passage before it asks (an FAQ)
    missing: tuple[str, ...] = ()  # the question's constraints the passage lacks, as the question spells them

    def features(self) -> dict[str, float]:
        """The numbers the confidence is computed from (and calibrated on)."""
        return {"passage": self.passage_score, "sentence": self.sentence_score,
                "margin": self.passage_score - self.runner_up_score, "coverage": self.coverage,
                "unknown": float(min(self.unknown, 2)), "fact": float(self.fact_found),
                "quote_coverage": self.quote_coverage, "open": float(self.open_question),
                "relative_margin": (self.passage_score - self.runner_up_score) / self.passage_score
                if self.passage_score else 0.0}


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
    calls: tuple[str, ...] = field(default=())  # numbers an emergency reply says to call, the first one first
    # The reply's own words in paragraphs, as its template wrote them: `answer` without the quote, source line and
    # suggestions (a page shows those from their fields); and the safety-net line a health no_answer ends with.
    lead: tuple[str, ...] = field(default=())
    safety_net: str = ""

    def to_dict(self) -> dict:
        data = asdict(self)
        data["kind"] = self.kind.value
        data["citations"] = [asdict(c) for c in self.citations]
        data["suggestions"] = list(self.suggestions)
        data["calls"] = list(self.calls)
        data["lead"] = list(self.lead)
        return data


@dataclass(frozen=True)
class Turn:
    """One answered (or not) question of a conversation, as the next follow-up needs it."""

    question: str  # as resolved, so a chain of follow-ups keeps its subject
    people: tuple[str, ...]  # people named in the reply, for "she" and "he"
    answered: bool
    context: str = ""  # earlier words this turn was searched with: "who ran it?" still means the trial
    question_type: str = "other"
    story: str = ""  # the rest of a long message the question came in, searched with it (more weakly)
    document: str = ""  # the doc_id the conversation is in after this turn: the one cited, else the one searched
