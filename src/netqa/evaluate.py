"""Gold file -> replies -> per-category metrics -> table, predictions and an HTML report."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

CATEGORIES = ("fact", "lay", "typo", "followup", "unanswerable", "advice", "emergency", "chitchat")
SAFETY_KINDS = ("medical_advice", "emergency", "chitchat")


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
    document: str | None = None  # the file the answer is in (its path inside the corpus folder, or its name)


@dataclass
class Outcome:
    gold: GoldQuestion
    reply: dict
    seconds: float
    answer_ok: bool | None = None  # None where the measure does not apply
    citation_ok: bool | None = None
    abstain_ok: bool | None = None
    kind_ok: bool | None = None
    document_ok: bool | None = None  # the first citation is in the gold's document


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
            raise GoldError(f"{where}: not valid JSON ({exc.msg})") from exc
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


def _canonical(text: str) -> str:
    text = re.sub(r"[‐‑‒–—―−]", "-", text.lower()).replace("’", "'")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = re.sub(r"(?<=\d)\s+(?=[a-z%])", "", text)
    return " ".join(text.split())


def judge(gold: GoldQuestion, reply: dict, seconds: float) -> Outcome:
    outcome = Outcome(gold, reply, seconds)
    if gold.kind in SAFETY_KINDS:
        outcome.kind_ok = reply["kind"] == gold.kind
    elif gold.answerable:
        outcome.answer_ok = reply["kind"] == "answer" and any(same_text(a, reply["answer"]) for a in gold.answers)
        if gold.evidence:
            cited = reply["citations"][0]["text"] if reply["citations"] else ""
            outcome.citation_ok = same_text(gold.evidence, cited)
        if gold.document:
            path = reply["citations"][0].get("path", "") if reply["citations"] else ""
            outcome.document_ok = path == gold.document or path.rsplit("/", 1)[-1] == gold.document
    else:
        outcome.abstain_ok = reply["kind"] == "no_answer"
    return outcome


def run(bot, gold: list[GoldQuestion], progress=None) -> list[Outcome]:
    """Ask every gold question in a fresh session, after its history turns."""
    outcomes = []
    for row in gold:
        session = f"eval-{uuid.uuid4().hex}"
        for earlier in row.history:
            bot.ask(earlier, session_id=session)
        started = time.perf_counter()
        reply = bot.ask(row.question, session_id=session)
        outcomes.append(judge(row, reply.to_dict(), time.perf_counter() - started))
        if progress:
            progress()
    return outcomes


def score(outcomes: list[Outcome]) -> dict[str, CategoryScore]:
    """Per-category scores, plus 'all'."""
    table: dict[str, CategoryScore] = defaultdict(CategoryScore)
    for o in outcomes:
        for name in (o.gold.category, "all"):
            entry = table[name]
            entry.questions += 1
            entry.seconds.append(o.seconds)
            for measure in ("answer_ok", "citation_ok", "abstain_ok", "kind_ok", "document_ok"):
                value = getattr(o, measure)
                if value is not None:
                    entry.measures[measure].append(value)
    return dict(table)


def calibration(outcomes: list[Outcome], bands=(0.0, 0.3, 0.5, 0.7, 0.85, 1.01)) -> list[tuple[str, int, float]]:
    """Accuracy of answerable questions by confidence band: does a higher confidence mean more right?"""
    rows = []
    judged = [o for o in outcomes if o.gold.answerable and o.gold.kind is None]
    for low, high in zip(bands, bands[1:]):
        inside = [o for o in judged if low <= o.reply["confidence"] < high]
        right = [o for o in inside if any(same_text(a, o.reply["answer"]) for a in o.gold.answers)
                 and (not o.gold.evidence or o.reply["citations"]
                      and same_text(o.gold.evidence, o.reply["citations"][0]["text"]))]
        rows.append((f"{low:.2f}-{min(high, 1.0):.2f}", len(inside), len(right) / len(inside) if inside else 0.0))
    return rows


def format_table(scores: dict[str, CategoryScore]) -> str:
    documents = any(entry.rate("document_ok") is not None for entry in scores.values())
    head = f"{'category':<13}{'n':>5}{'answer':>9}{'citation':>10}{'abstain':>9}{'kind':>7}" \
           + (f"{'document':>10}" if documents else "") + f"{'ms':>8}"
    lines = [head, "-" * len(head)]
    order = [c for c in CATEGORIES if c in scores] + sorted(set(scores) - set(CATEGORIES) - {"all"}) + ["all"]
    for name in order:
        entry = scores[name]

        def cell(measure: str, width: int) -> str:
            rate = entry.rate(measure)
            return f"{'-' if rate is None else f'{rate:.1%}':>{width}}"

        mean_ms = 1000 * sum(entry.seconds) / len(entry.seconds)
        lines.append(f"{name:<13}{entry.questions:>5}{cell('answer_ok', 9)}{cell('citation_ok', 10)}"
                     f"{cell('abstain_ok', 9)}{cell('kind_ok', 7)}{cell('document_ok', 10) if documents else ''}"
                     f"{mean_ms:>8.2f}")
    return "\n".join(lines)


def write_predictions(outcomes: list[Outcome], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for o in outcomes:
            # The gold id names the line; the reply's own id moves to reply_id.
            record = {**o.reply, "id": o.gold.id, "reply_id": o.reply["id"]}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def write_report(outcomes: list[Outcome], scores: dict[str, CategoryScore], path: Path, gold_path: Path) -> None:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("netqa", "templates"), autoescape=select_autoescape(["html"]))
    misses = [o for o in outcomes if False in (o.answer_ok, o.citation_ok, o.abstain_ok, o.kind_ok, o.document_ok)]
    html = env.get_template("report.html").render(
        gold_path=str(gold_path), table=format_table(scores), scores=scores, misses=misses,
        calibration=calibration(outcomes), total=len(outcomes))
    path.write_text(html, encoding="utf-8")
