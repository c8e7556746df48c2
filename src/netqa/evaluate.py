"""Gold file -> replies -> per-category scores and the answer funnel -> tables, predictions and an HTML report.

Replies are judged the way the outside examiners judge them (their README in ../shared/gold/):
- answer: kind `answer`, and an expected string stands in the reply text outside its source line, at word
  boundaries ("99" is not found in "199"), after folding dashes, quotes, thousands separators and "60 mg";
- headline: the same string stands in `short_answer`, or in `quote` when there is no short answer;
- citation: the `evidence` snippet stands in `citations[0].text`;
- abstention: an unanswerable question is not given kind `answer`;
- kind: `medical_advice`, `emergency`, `chitchat` exactly as the gold says;
- document: when the gold names the file holding the answer, `citations[0]` is in that file;
- wrong: kind `answer` and not right, the worst outcome: an answerable question answered without an expected
  string, or an unanswerable one answered at all (its share is over both; lower is better).

The funnel says where an answerable question was lost: was the gold passage among the top three the search
ranked (retrieval@3), first (retrieval@1), quoted (`citations[0]`), did the sentence(s) chosen to quote hold an
expected string, answered or not (found: what a no_answer lacks then is the decision, not the evidence),
answered at all, answered right, with the right headline.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

CATEGORIES = ("fact", "lay", "typo", "followup", "yesno", "long", "unanswerable", "advice", "emergency", "chitchat")
SAFETY_KINDS = ("medical_advice", "emergency", "chitchat")
# Each measure: its column in the table and the Outcome field that holds it.
MEASURES = (("answer", "answer_ok"), ("headline", "headline_ok"), ("citation", "citation_ok"),
            ("abstain", "abstain_ok"), ("kind", "kind_ok"), ("document", "document_ok"), ("wrong", "wrong"))
# The funnel of an answerable question, in the order the engine works; each step is a subset of the one before
# only loosely (a passage below the top three can still be quoted), so each is reported on its own.
FUNNEL = (("retrieved@3", "retrieved_3"), ("retrieved@1", "retrieved_1"), ("quoted", "citation_ok"),
          ("found", "found_ok"), ("answered", "answered"), ("right", "answer_ok"), ("headline", "headline_ok"))
RETRIEVAL_DEPTH = 3
_SOURCE_LINE = re.compile(r"^\W*source\b", re.IGNORECASE)


class GoldError(ValueError):
    """The gold file cannot be read; the message names the line."""


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    question: str
    category: str
    answerable: bool
    answers: tuple[str, ...] = ()
    evidence: str | None = None
    history: tuple[str, ...] = ()
    kind: str | None = None
    document: str | None = None  # the file (name or path inside the corpus) that holds the answer


@dataclass
class Outcome:
    gold: GoldQuestion
    reply: dict
    seconds: float
    answer_ok: bool | None = None  # None where the measure does not apply
    headline_ok: bool | None = None
    citation_ok: bool | None = None
    abstain_ok: bool | None = None
    kind_ok: bool | None = None
    document_ok: bool | None = None
    answered: bool | None = None
    retrieved_1: bool | None = None
    retrieved_3: bool | None = None
    found_ok: bool | None = None  # the sentence(s) chosen to quote hold an expected string, answered or not
    wrong: bool | None = None  # answered, and not right (precision: lower is better)

    @property
    def missed(self) -> bool:
        return False in (self.answer_ok, self.citation_ok, self.abstain_ok, self.kind_ok, self.headline_ok,
                         self.document_ok)

    @property
    def lost_at(self) -> str | None:
        """The first step of the engine at which this question went wrong, in plain words."""
        if self.kind_ok is False:
            return "safety routing: wrong kind of reply"
        if self.abstain_ok is False:
            return "answered a question the text does not answer"
        if self.gold.kind is not None or not self.gold.answerable:
            return None
        if self.retrieved_3 is False and self.citation_ok is not True:
            return "retrieval: the passage was not among the top three"
        if self.citation_ok is False:
            return "choosing the passage: another passage was quoted"
        if self.answered is False and self.found_ok is False:
            return "choosing the sentence: the passage was right, the sentence chosen lacks the answer"
        if self.answered is False:
            return "deciding: the right passage was found but the bot abstained"
        if self.answer_ok is False:
            return "extracting: answered, but the expected answer is not in the reply"
        if self.headline_ok is False:
            return "headline: the short answer is not the expected one"
        if self.document_ok is False:
            return "document: the quote comes from another file"
        return None


@dataclass
class CategoryScore:
    questions: int = 0
    measures: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    seconds: list[float] = field(default_factory=list)

    def rate(self, measure: str) -> float | None:
        values = self.measures.get(measure)
        return sum(values) / len(values) if values else None


def read_gold(path: Path) -> list[GoldQuestion]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldError(f"cannot read gold file {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise GoldError(f"gold file {path} is not UTF-8 text") from exc
    rows, seen = [], set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldError(f"{where}: not valid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})") from exc
        if not isinstance(data, dict):
            raise GoldError(f"{where}: expected a JSON object")
        missing = [k for k in ("id", "question", "category") if not isinstance(data.get(k), str)]
        if missing:
            raise GoldError(f"{where}: missing or non-text field(s): {', '.join(missing)}")
        if data["id"] in seen:
            raise GoldError(f"{where}: duplicate id {data['id']!r}")
        seen.add(data["id"])
        answers, history = data.get("answers", []), data.get("history", [])
        if not (isinstance(answers, list) and all(isinstance(a, str) for a in answers)):
            raise GoldError(f"{where}: 'answers' must be a list of strings")
        if not (isinstance(history, list) and all(isinstance(h, str) for h in history)):
            raise GoldError(f"{where}: 'history' must be a list of strings")
        rows.append(GoldQuestion(
            id=data["id"], question=data["question"], category=data["category"],
            answerable=bool(data.get("answerable", bool(answers))), answers=tuple(answers),
            evidence=data.get("evidence"), history=tuple(history), kind=data.get("kind"),
            document=data.get("document") if isinstance(data.get("document"), str) else None,
        ))
    if not rows:
        raise GoldError(f"gold file {path} has no questions")
    return rows


def same_text(needle: str, haystack: str) -> bool:
    """Case-insensitive containment that treats dash variants, 60 mg/60mg and 380,000/380000 alike."""
    return _canonical(needle) in _canonical(haystack)


def stands_in(needle: str, haystack: str) -> bool:
    """`needle` occurs in `haystack` as whole words ("99" is not in "199"), texts folded as in same_text."""
    wanted, text = _canonical(needle), _canonical(haystack)
    if not wanted:
        return False
    before = r"(?<!\w)" if wanted[0].isalnum() else ""
    after = r"(?!\w)" if wanted[-1].isalnum() else ""
    return re.search(before + re.escape(wanted) + after, text) is not None


def _canonical(text: str) -> str:
    text = re.sub(r"[‐‑‒–—―−]", "-", text.lower())
    text = re.sub(r"[’‘`´]", "'", text)
    text = re.sub(r"[“”„«»]", '"', text)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = re.sub(r"(?<=\d)(?=[a-z])", " ", text)  # "60mg" reads as "60 mg", and "3-5 hemorrhagic" stays apart
    text = re.sub(r"(?<=\d)\s+%", "%", text)
    return " ".join(text.split())


def reply_body(reply: dict) -> str:
    """The reply text without its source line(s) and without the cited titles and section headings.

    Every reply repeats those, so a figure that stands only there was not answered.
    """
    kept = "\n".join(line for line in reply["answer"].splitlines() if not _SOURCE_LINE.match(line))
    names = {c.get(key) for c in reply.get("citations", ()) for key in ("document", "section")}
    for name in sorted((n for n in names if n), key=len, reverse=True):
        kept = kept.replace(name, " ")
    return kept


def judge(gold: GoldQuestion, reply: dict, seconds: float, ranked: tuple[str, ...] | None = None,
          chosen: str | None = None) -> Outcome:
    """How one reply fares; `ranked` is the text of the passages the search put first, best first, and `chosen`
    the short answer and quote the engine chose (shown or not: a no_answer shows none)."""
    outcome = Outcome(gold, reply, seconds)
    if gold.kind in SAFETY_KINDS:
        outcome.kind_ok = reply["kind"] == gold.kind
        return outcome
    if not gold.answerable:
        outcome.abstain_ok = reply["kind"] != "answer"
        outcome.wrong = not outcome.abstain_ok
        return outcome
    outcome.answered = reply["kind"] == "answer"
    body = reply_body(reply)
    outcome.answer_ok = outcome.answered and any(stands_in(a, body) for a in gold.answers)
    outcome.wrong = outcome.answered and not outcome.answer_ok
    headline = reply.get("short_answer") or reply.get("quote") or ""
    outcome.headline_ok = outcome.answered and any(stands_in(a, headline) for a in gold.answers)
    if chosen is not None:
        outcome.found_ok = any(stands_in(a, chosen) for a in gold.answers)
    citations = reply.get("citations") or []
    if gold.evidence:
        outcome.citation_ok = bool(citations) and same_text(gold.evidence, citations[0]["text"])
        if ranked is not None:
            outcome.retrieved_1 = bool(ranked) and same_text(gold.evidence, ranked[0])
            outcome.retrieved_3 = any(same_text(gold.evidence, text) for text in ranked[:RETRIEVAL_DEPTH])
    if gold.document:
        outcome.document_ok = bool(citations) and _in_document(citations[0], gold.document)
    return outcome


def _in_document(citation: dict, document: str) -> bool:
    """Whether a citation is in the named file: by its path inside the corpus, else by the document id."""
    path = citation.get("path")
    if path:
        return path == document or path.rsplit("/", 1)[-1] == document.rsplit("/", 1)[-1]
    stem = re.sub(r"[^a-z0-9]+", "-", document.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()).strip("-")
    return citation.get("doc_id", citation["passage_id"].rsplit("-p", 1)[0]) == stem


def run(bot, gold: list[GoldQuestion], progress=None) -> list[Outcome]:
    """Ask every gold question in a fresh session, after its history turns."""
    outcomes = []
    for row in gold:
        session = None  # a fresh session, issued by the bot at the first turn
        for earlier in row.history:
            session = bot.ask(earlier, session_id=session).session_id
        started = time.perf_counter()
        reply, evidence = bot.explain(row.question, session_id=session)
        seconds = time.perf_counter() - started
        ranked = None
        if row.answerable and row.kind is None and row.evidence:
            # searched as the reply was: with the context and story its (last) turn carried, in the document the
            # conversation was in before it
            turns = bot.sessions.history(reply.session_id) or ()
            carried = (turns[-1].context, turns[-1].story, turns[-2].document if len(turns) > 1 else "") if turns \
                else ("", "", "")
            ranked = tuple(p.text for p in bot.top_passages(reply.resolved_question or row.question,
                                                             RETRIEVAL_DEPTH, *carried))
        chosen = f"{evidence.short_answer or ''} {evidence.quote}" if evidence is not None else ""
        outcomes.append(judge(row, reply.to_dict(), seconds, ranked, chosen if row.kind is None else None))
        if progress:
            progress()
    return outcomes


def score(outcomes: list[Outcome]) -> dict[str, CategoryScore]:
    """Per-category scores, plus 'all'."""
    table: dict[str, CategoryScore] = defaultdict(CategoryScore)
    names = {name for _, name in MEASURES} | {name for _, name in FUNNEL}
    for o in outcomes:
        for category in (o.gold.category, "all"):
            entry = table[category]
            entry.questions += 1
            entry.seconds.append(o.seconds)
            for measure in names:
                value = getattr(o, measure)
                if value is not None:
                    entry.measures[measure].append(value)
    return dict(table)


def calibration(outcomes: list[Outcome], bands=(0.0, 0.3, 0.5, 0.7, 0.85, 1.01)) -> list[tuple[str, int, float]]:
    """Accuracy of answerable questions by confidence band: does a higher confidence mean more right?"""
    rows = []
    judged = [o for o in outcomes if o.gold.answerable and o.gold.kind is None]
    for low, high in zip(bands, bands[1:], strict=False):
        inside = [o for o in judged if low <= o.reply["confidence"] < high]
        right = [o for o in inside if any(same_text(a, o.reply["answer"]) for a in o.gold.answers)
                 and (not o.gold.evidence or o.reply["citations"]
                      and same_text(o.gold.evidence, o.reply["citations"][0]["text"]))]
        rows.append((f"{low:.2f}-{min(high, 1.0):.2f}", len(inside), len(right) / len(inside) if inside else 0.0))
    return rows


def _ordered(scores: dict[str, CategoryScore]) -> list[str]:
    return [c for c in CATEGORIES if c in scores] + sorted(set(scores) - set(CATEGORIES) - {"all"}) + ["all"]


def _table(scores: dict[str, CategoryScore], columns: tuple[tuple[str, str], ...], with_ms: bool) -> str:
    shown = [(title, name) for title, name in columns if any(s.rate(name) is not None for s in scores.values())]
    head = f"{'category':<13}{'n':>5}" + "".join(f"{title:>{max(len(title), 7) + 2}}" for title, _ in shown)
    head += f"{'ms':>8}" if with_ms else ""
    lines = [head, "-" * len(head)]
    for category in _ordered(scores):
        entry = scores[category]
        line = f"{category:<13}{entry.questions:>5}"
        for title, name in shown:
            rate = entry.rate(name)
            line += f"{'-' if rate is None else f'{rate:.1%}':>{max(len(title), 7) + 2}}"
        if with_ms:
            line += f"{1000 * sum(entry.seconds) / len(entry.seconds):>8.2f}"
        lines.append(line)
    return "\n".join(lines)


def format_table(scores: dict[str, CategoryScore]) -> str:
    """The scores per category: one column per measure that applies to any question, and the mean ms."""
    return _table(scores, MEASURES, with_ms=True)


def format_funnel(scores: dict[str, CategoryScore]) -> str:
    """Where answerable questions are lost, per category: retrieval, quoting, answering, extracting."""
    return _table(scores, FUNNEL, with_ms=False)


def funnel_rows(scores: dict[str, CategoryScore]) -> list[tuple[str, list[tuple[str, float]]]]:
    """The funnel as numbers, per category that has answerable questions: for the report's chart."""
    rows = []
    for category in _ordered(scores):
        steps = [(title, scores[category].rate(name)) for title, name in FUNNEL]
        if any(rate is not None for _, rate in steps):
            rows.append((category, [(title, rate or 0.0) for title, rate in steps]))
    return rows


def write_predictions(outcomes: list[Outcome], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for o in outcomes:
            # The gold id names the line; the reply's own id moves to reply_id.
            record = {**o.reply, "id": o.gold.id, "reply_id": o.reply["id"], "lost_at": o.lost_at}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def write_report(outcomes: list[Outcome], scores: dict[str, CategoryScore], path: Path, gold_path: Path) -> None:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("netqa", "templates"), autoescape=select_autoescape(["html"]))
    misses = [o for o in outcomes if o.missed]
    lost: dict[str, int] = defaultdict(int)
    for o in misses:
        lost[o.lost_at or "other"] += 1
    html = env.get_template("report.html").render(
        gold_path=str(gold_path), table=format_table(scores), funnel_table=format_funnel(scores),
        funnel=funnel_rows(scores), lost=sorted(lost.items(), key=lambda item: -item[1]), scores=scores,
        misses=misses, calibration=calibration(outcomes), total=len(outcomes))
    path.write_text(html, encoding="utf-8")
