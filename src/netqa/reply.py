"""Evidence -> the reply record (kind, short answer, quote, citations, suggestions), then its text from templates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import uuid_utils
from jinja2 import Environment, PackageLoader, StrictUndefined

from netqa.facts import people_in
from netqa.message import types_by_name
from netqa.records import Citation, Evidence, Hit, ReplyKind

SUGGEST_WITHIN = 0.92  # a runner-up this close to the best passage earns a "did you mean"
ALSO_CITED_WITHIN = 0.6  # other top passages this close to the best are listed as related sources
# A no_answer names (and cites) the passage nearest the question when that passage holds this share of the question's
# words: a fifth is a passage about the question that does not answer it (tuned on the look halves: below it, mostly
# unanswerable questions and passages that share a common word or two). The reply says plainly it is no answer.
CLOSEST_COVERAGE = 0.2


@dataclass(frozen=True)
class Names:
    """How replies name what they quote: "the article" only when the corpus's metadata says a document is one."""

    corpus: str  # "the article", '"GNU General Public License"', "these 5 documents"
    articles: frozenset[str]  # titles of documents the metadata calls an article

    def source(self, citation: Citation) -> str:
        return "The article" if citation.document in self.articles else f'"{citation.document}"'


@dataclass(frozen=True)
class Found:
    """A reply without its identity (id, session, question as typed): what the answer cache keeps."""

    answer: str
    kind: ReplyKind
    confidence: float
    citations: tuple[Citation, ...]
    short_answer: str | None
    quote: str | None
    question_type: str
    suggestions: tuple[str, ...]
    people: tuple[str, ...]
    evidence: Evidence | None
    lead: tuple[str, ...] = ()  # the reply's own words (see Text)
    safety_net: str = ""
    cited: str = ""  # the quote, its source line and suggestions as the template wrote them (see Text)


def compose(question_type: str, evidence: Evidence | None, score: float, hits: list[Hit], answered: bool,
            advice: bool, names: Names, health: bool = False, emergency_number: str = "") -> Found:
    """The reply to one question from its evidence; `answered`: the evidence holds up at its confidence.
    On a health corpus (`health`) a no_answer ends with the safety net: the emergency number to call."""
    kind = ReplyKind.MEDICAL_ADVICE if advice else ReplyKind.ANSWER if answered else ReplyKind.NO_ANSWER
    quote = None
    citations: tuple[Citation, ...] = ()
    if evidence is not None and (kind == ReplyKind.ANSWER or kind == ReplyKind.MEDICAL_ADVICE and answered):
        passage = evidence.sentence.passage
        quote = evidence.quote
        citations = (Citation.of(passage),) + tuple(
            Citation.of(h.passage) for h in hits[:3]
            if h.passage.id != passage.id and h.score >= ALSO_CITED_WITHIN * hits[0].score)
    # Not an answer, but where the text comes nearest, so a reader (or the staff) sees which document and section
    # is about the question: never a passage that shares only a word, nor when what is asked about is a word the
    # corpus never uses. No quote and no figure of it is given: the template names its section and cites it.
    closest = Citation.of(evidence.sentence.passage) if kind == ReplyKind.NO_ANSWER and evidence is not None \
        and not evidence.focus_unknown and evidence.coverage >= CLOSEST_COVERAGE else None
    if closest:
        citations = (closest,)
    nearby = tuple(dict.fromkeys(h.passage.section for h in hits[:2]))
    # What to ask next: a rival section an answer may have meant, or what the text covers near an unanswered question.
    suggestions = _suggestions(evidence, hits) if kind == ReplyKind.ANSWER and evidence else \
        nearby if kind == ReplyKind.NO_ANSWER else ()
    # advice keeps the fact the text gives ("60mg daily"), beside the referral to the care team
    short = evidence.short_answer if evidence and quote is not None else None
    verdict = evidence.verdict if kind == ReplyKind.ANSWER and evidence else None
    context = dict(short=short, quote=quote, verdict=verdict, citation=citations[0] if citations else None,
                   source=names.source(citations[0]) if citations else "", suggestions=suggestions,
                   document=names.corpus, nearby=list(nearby), closest=closest,
                   lacking=list(evidence.missing) if closest and evidence else [], health=health,
                   emergency_number=emergency_number)
    text = written(kind, question_type, **context)
    return Found(answer=text.whole, kind=kind, confidence=score, citations=citations,
                 short_answer=short, quote=quote, question_type=question_type, suggestions=suggestions,
                 people=people_in(quote or ""), evidence=evidence, lead=text.lead, safety_net=text.safety_net,
                 cited=text.cited)


def combine(parts: list[Found]) -> Found:
    """Two or three questions in one message: one reply holding each answer in turn."""
    if len(parts) == 1:
        return parts[0]
    answered = [p for p in parts if p.kind == ReplyKind.ANSWER]
    lead = answered[0] if answered else parts[0]
    citations = tuple({c.passage_id: c for p in (answered or parts) for c in p.citations}.values())
    shorts = [p.short_answer for p in answered if p.short_answer]
    return Found(answer="\n\n".join(dict.fromkeys(_texts(parts))), kind=lead.kind,
                 confidence=max(p.confidence for p in parts), citations=citations,
                 short_answer="; ".join(shorts) or None, quote=lead.quote, question_type=lead.question_type,
                 suggestions=tuple(dict.fromkeys(s for p in parts for s in p.suggestions)),  # as the text names them
                 people=tuple(dict.fromkeys(x for p in parts for x in p.people)),
                 evidence=lead.evidence, lead=tuple(dict.fromkeys(words for p in parts for words in p.lead)),
                 safety_net=next((p.safety_net for p in parts if p.safety_net), ""))


def _texts(parts: list[Found]) -> list[str]:
    """Each answer's text in turn, but the answers quoting the same sentence(s) as one: their own words, then the
    quote once (the longer quote where one holds the other: "How many patients ...? And how many had pNET?")."""
    groups: list[tuple[list[str], Found]] = []  # (the own words of the answers sharing a quote, the one quoting most)
    for part in parts:
        shared = next((i for i, (_, shown) in enumerate(groups) if _same_quote(part, shown)), None)
        if shared is None:
            groups.append(([*part.lead], part))
            continue
        words, shown = groups[shared]
        groups[shared] = ([*words, *part.lead], part if len(part.quote or "") > len(shown.quote or "") else shown)
    return ["\n\n".join([*dict.fromkeys(words), shown.cited]) if shown.cited else shown.answer
            for words, shown in groups]


def _same_quote(part: Found, shown: Found) -> bool:
    """Whether two answers quote the same passage and one quote holds the other."""
    if part.kind != ReplyKind.ANSWER or shown.kind != ReplyKind.ANSWER or not part.cited or not shown.cited \
            or not part.quote or not shown.quote or part.citations[:1] != shown.citations[:1]:
        return False
    return part.quote in shown.quote or shown.quote in part.quote


def _suggestions(evidence: Evidence, hits: list[Hit]) -> tuple[str, ...]:
    chosen = evidence.sentence.passage
    rivals = [h for h in hits if h.passage.id != chosen.id and h.passage.section != chosen.section
              and h.score >= SUGGEST_WITHIN * evidence.passage_score]
    return (rivals[0].passage.section,) if rivals else ()


# ---------------------------------------------------------------- the reply text


@lru_cache(maxsize=1)
def _templates() -> Environment:
    # auto_reload off: the templates ship with the package, so no file is checked for changes on every reply.
    return Environment(loader=PackageLoader("netqa", "templates"), undefined=StrictUndefined, auto_reload=False,
                       autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)


def template_for(kind: str, question_type: str) -> str:
    """The template file of a reply: one per kind, and for answers the question type's (message.question_types)."""
    if kind != ReplyKind.ANSWER:
        return f"{kind}.j2"
    row = types_by_name().get(question_type)
    return row.template if row else "answer_other.j2"


@dataclass(frozen=True)
class Text:
    """A reply's text, and the parts of it a page shows its own way, as the template wrote them (never found again
    in the text): `lead`, the reply's own words in paragraphs (without the quote, source line and suggestions;
    the whole text for a template that marks no lead), `safety_net`, the line a health no_answer ends with, and
    `cited`, an answer's quote with its source line and suggestions."""

    whole: str
    lead: tuple[str, ...]
    safety_net: str
    cited: str = ""


def written(kind: str, question_type: str, **context) -> Text:
    """The reply's text from its template, with the parts the template sets (`{% set lead %}`,
    `{% set safety_net %}`), in one rendering."""
    context.setdefault("source", "The article")
    context.setdefault("verdict", None)
    context.setdefault("closest", None)
    context.setdefault("lacking", [])
    module = _templates().get_template(template_for(kind, question_type)).make_module(context)
    whole = _tidy(str(module))
    lead = _tidy(str(getattr(module, "lead", whole)))
    return Text(whole, tuple(_PARAGRAPH.split(lead)) if lead else (), _tidy(str(getattr(module, "safety_net", ""))),
                _tidy(str(getattr(module, "cited", ""))))


def render(kind: str, question_type: str, **context) -> str:
    return written(kind, question_type, **context).whole


_PARAGRAPH = re.compile(r"\n\s*\n")


def _tidy(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def new_reply_id() -> str:
    """32 hex digits in time order (UUIDv7: a random counter each millisecond, then 32 random bits).

    In time order because the store logs replies by id: random ids (UUIDv4) land all over the log's
    primary-key index, and each batch of logged replies then rewrites about one index page per reply."""
    return uuid_utils.uuid7().hex
