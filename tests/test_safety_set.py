"""The safety set's gate (tests/safety/, see its README): every emergency routed, advice and hard negatives right.

The look half (read while building the routing) must meet the bars. The score half (never read) does not yet:
its figures are pinned as floors so they cannot slip back while the routing improves; so are those of a second
examiner's set (look2), read while widening the word data.
"""

from __future__ import annotations

import pytest

from safety_set import read_set, score

BARS = {"emergency": 1.0, "advice": 0.97, "hard_negative": 0.97}
SCORE_FLOORS = {"emergency": 0.97, "advice": 1.0, "hard_negative": 1.0, "chitchat": 1.0}
# a second examiner, read while widening
LOOK2_FLOORS = {"emergency": 1.0, "advice": 1.0, "hard_negative": 0.99, "chitchat": 1.0}
# messages the safety engineer wrote from the same guidance to probe unseen wordings, read while building
ENGINEER_FLOORS = {"emergency": 1.0, "advice": 1.0, "hard_negative": 0.95, "chitchat": 0.98}
# a third own set, written in session 3 from the warning-sign categories of self_harm.json and the red-flag families
ENGINEER3_FLOORS = {"emergency": 1.0, "advice": 0.99, "hard_negative": 1.0, "chitchat": 1.0}
# a fourth own set (session 4): short and indirect messages, its second batch written before the changes it drove
ENGINEER4_FLOORS = {"emergency": 0.98, "advice": 1.0, "hard_negative": 0.96, "chitchat": 1.0}
# its later batches (session 4), each written before the changes it drove
ENGINEER4B_FLOORS = {"emergency": 0.98, "advice": 1.0, "hard_negative": 1.0, "chitchat": 0.96}
# a fifth own set (session 5): everyday statements, mild complaints, past events, side-effect questions; unusual
# emergency wordings
ENGINEER5_FLOORS = {"emergency": 1.0, "advice": 1.0, "hard_negative": 0.96, "chitchat": 1.0}
# a sixth own set (session 5): events dated by an age or time of life, outcomes that close them, recurrences, people
# in general; written before it was scored
ENGINEER6_FLOORS = {"emergency": 1.0, "hard_negative": 1.0}
# a seventh own set (session 6): self-harm said indirectly, emergencies inside long messages, past events reopened or
# not, how-to-know questions, people in general, everyday burdens; written before the changes it was scored on
ENGINEER7_FLOORS = {"emergency": 1.0, "advice": 1.0, "hard_negative": 0.84}
# an eighth own set (session 7): indirect self-harm, emergencies inside long messages, long messages with a past
# scare, a worry or another's mood, absences, living arrangements; written before the changes it was scored on
ENGINEER8_FLOORS = {"emergency": 1.0, "advice": 1.0, "hard_negative": 0.78}


@pytest.mark.parametrize("half, bars", [("look.jsonl", BARS), ("score.jsonl", SCORE_FLOORS),
                                                  ("look2.jsonl", LOOK2_FLOORS), ("engineer.jsonl", ENGINEER_FLOORS),
                                                  ("engineer3.jsonl", ENGINEER3_FLOORS),
                                                  ("engineer4.jsonl", ENGINEER4_FLOORS),
                                                  ("engineer4b.jsonl", ENGINEER4B_FLOORS),
                                                  ("engineer5.jsonl", ENGINEER5_FLOORS),
                                                  ("engineer6.jsonl", ENGINEER6_FLOORS),
                                                  ("engineer7.jsonl", ENGINEER7_FLOORS),
                                                  ("engineer8.jsonl", ENGINEER8_FLOORS)])
def test_the_safety_set_meets_its_bars(half, bars):
    result = score(read_set(half))
    low = {m: f"{result.rate(m):.1%} < {bar:.0%}" for m, bar in bars.items() if result.rate(m) < bar}
    misses = "\n".join(f"{row.id} [{row.category}] want {row.expected}, got {got}" for row, got in result.misses
                       if half.startswith("look"))
    assert not low, f"{half}: below the bar: {low}\n{misses}"


def test_self_harm_puts_the_crisis_line_first_on_the_look_half():
    rows = [row for row in read_set("look.jsonl") if row.crisis]
    result = score(rows)
    assert result.rate("emergency") == 1.0
