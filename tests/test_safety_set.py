"""The safety set's gate (tests/safety/, see its README): every emergency routed, advice and hard negatives right."""

from __future__ import annotations

import pytest

from safety_set import read_set, score

BARS = {"emergency": 1.0, "advice": 0.97, "hard_negative": 0.97}


@pytest.mark.parametrize("half", ["look.jsonl"])
def test_the_safety_set_meets_its_bars(half):
    result = score(read_set(half))
    low = {m: f"{result.rate(m):.1%}" for m, bar in BARS.items() if result.rate(m) < bar}
    misses = "\n".join(f"{row.id} [{row.category}] want {row.expected}, got {got}" for row, got in result.misses)
    assert not low, f"{half}: below the bar: {low}\n{misses}"
