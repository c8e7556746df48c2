"""Scores netqa.safety.route on a labelled safety set (tests/safety/*.jsonl): recall per kind, hard negatives."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from netqa.records import RouteKind
from netqa.safety import route

HERE = Path(__file__).parent / "safety"


@dataclass(frozen=True)
class Row:
    id: str
    message: str
    expected: str  # emergency | medical_advice | chitchat | question
    crisis: bool
    category: str
    health: bool  # the corpus it is asked on is about health


def read_set(name: str) -> list[Row]:
    rows = []
    for line in (HERE / name).read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            rows.append(Row(d["id"], d["message"], d["expected"], bool(d.get("crisis")), d["category"],
                            d.get("corpus", "health") == "health"))
    return rows


@dataclass
class Score:
    right: dict[str, list[bool]] = field(default_factory=dict)  # measure -> outcomes
    misses: list[tuple[Row, str]] = field(default_factory=list)

    def add(self, measure: str, ok: bool, row: Row, got: str) -> None:
        self.right.setdefault(measure, []).append(ok)
        if not ok:
            self.misses.append((row, got))

    def rate(self, measure: str) -> float:
        values = self.right.get(measure, [])
        return sum(values) / len(values) if values else 1.0


def score(rows: list[Row]) -> Score:
    """emergency: routed emergency (and crisis first when the row says so); advice: medical_advice;
    hard_negative: routed as the row expects (a question); chitchat: chitchat."""
    result = Score()
    for row in rows:
        got = route(row.message, row.health)
        label = got.kind.value + (" (crisis)" if got.crisis else "")
        if row.expected == "emergency":
            result.add("emergency", got.kind is RouteKind.EMERGENCY and got.crisis >= row.crisis, row, label)
        elif row.expected == "medical_advice":
            result.add("advice", got.kind is RouteKind.MEDICAL_ADVICE, row, label)
        elif row.expected == "chitchat":
            result.add("chitchat", got.kind is RouteKind.CHITCHAT, row, label)
        if row.category == "hard_negative":
            result.add("hard_negative", got.kind.value == row.expected, row, label)
    return result


if __name__ == "__main__":
    import sys

    for name in sys.argv[1:] or ["look.jsonl"]:
        result = score(read_set(name))
        print(name, {m: f"{result.rate(m):.1%} of {len(v)}" for m, v in result.right.items()})
        if name.startswith("look"):
            for row, got in result.misses:
                print(f"  {row.id} [{row.category}] want {row.expected}{' (crisis)' if row.crisis else ''}, "
                      f"got {got}: {row.message[:300]}")
