"""Fit the confidence model (a logistic regression over the evidence features) on gold sets of several corpora,
and report how it travels: fitted on all corpora but one, scored on the one left out.

Usage: python benchmarks/calibrate.py [--write] [--wrong-costs W]
The sets are the parts of tests/gold/ one may tune on (the examiners' `*-look` halves, their lay-worded
`*-lay-look` halves and the outside sample), the article's own gold set and the clinic policy fixture. The
`*-score` halves are never used here. --write stores the weights fitted on all of them in
src/netqa/data/confidence.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

import netqa
from netqa.evaluate import read_gold, stands_in

ROOT = Path(__file__).resolve().parents[1]
MODEL_FILE = ROOT / "src" / "netqa" / "data" / "confidence.json"
GOLD = ROOT / "tests" / "gold"
# (corpus name, corpus folder, gold files); None: the built-in article
SETS = [
    ("article", None, [ROOT / "corpus" / "gold.jsonl", GOLD / "article" / "article-look.jsonl",
                       GOLD / "article" / "article-outside.jsonl", GOLD / "article" / "article-lay-look.jsonl"]),
    ("clinic", ROOT / "tests" / "fixtures" / "clinic", [ROOT / "tests" / "fixtures" / "clinic" / "gold.jsonl"]),
    *[(name, GOLD / name / "docs", sorted((GOLD / name).glob(f"{name}*-look.jsonl")))
      for name in ("gpl2", "guide", "licences", "readme", "pyhtml", "pdf")],
]
BANDS = [(0, .3), (.3, .5), (.5, .7), (.7, .85), (.85, 1.01)]
ABSTAIN_BELOW = 0.55


def collect(bot, gold):
    """Features of the evidence for every question that reached the confidence, and whether it was right."""
    rows, labels = [], []
    for row in gold:
        if row.kind is not None:
            continue  # safety kinds never reach the confidence
        session = None  # a fresh session, issued by the bot at the first turn
        for earlier in row.history:
            session = bot.ask(earlier, session_id=session).session_id
        _, evidence = bot.explain(row.question, session_id=session)
        if evidence is None or evidence.focus_unknown or evidence.missing_constraint:
            continue  # these are 0 whatever the weights
        shown = f"{evidence.short_answer or ''} {evidence.quote}"
        right = row.answerable and any(stands_in(a, shown) for a in row.answers) and (
            not row.evidence or stands_in(row.evidence, evidence.sentence.passage.text))
        rows.append(evidence.features())
        labels.append(int(right))
    return rows, labels


def _fit(x, y, wrong_costs: float = 1.0) -> LogisticRegression:
    # Every question weighs the same, or a question whose quote is wrong weighs `wrong_costs` times a right one (a
    # wrong answer is the worst outcome for a patient, an abstention is not). (Weighing each corpus the same
    # answered more on the licences and the FAQ but abstained less on the article's held-out questions.)
    return LogisticRegression(C=1.0, max_iter=2000, class_weight={0: wrong_costs, 1: 1.0}).fit(x, y)


def _answers(p, y, fact) -> tuple[int, int]:
    """How many questions would be answered right and wrong at the cut."""
    answered = (p >= ABSTAIN_BELOW) & (fact > 0)
    return int((answered & (y == 1)).sum()), int((answered & (y == 0)).sum())


def _bands(p, y) -> str:
    lines = []
    for low, high in BANDS:
        inside = (p >= low) & (p < high)
        if inside.any():
            share = y[inside].mean()
            lines.append(f"    {low:.2f}-{min(high, 1):.2f}: {inside.sum():4d} questions, {share:4.0%} right")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="save the weights fitted on every corpus")
    parser.add_argument("--wrong-costs", type=float, default=1.0, metavar="W",
                        help="weigh a question whose quote is wrong W times a right one (default 1: the same)")
    args = parser.parse_args()
    data = {}
    for name, corpus, files in SETS:
        bot = netqa.load(corpus)
        rows, labels = [], []
        for path in files:
            r, lab = collect(bot, read_gold(path))
            rows += r
            labels += lab
        data[name] = (rows, labels)
    names = list(next(iter(data.values()))[0][0])
    matrix = {k: (np.array([[f[n] for n in names] for f in rows]), np.array(labels)) for k, (rows, labels) in
              data.items()}
    in_use = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    print("leave one corpus out: fitted on the others, judged on this one (and the weights in use, for comparison)")
    print("  (answers: right/wrong answers at the cut, as the bot gives them: only where the fact asked for was found)")
    print(f"  {'corpus':<10}{'n':>5}{'right':>7}{'decided well':>14}{'in use':>8}{'answers':>10}{'in use':>10}")
    fact = names.index("fact")
    totals = np.zeros(4, dtype=int)
    for held in matrix:
        others = [m for k, m in matrix.items() if k != held]
        x = np.vstack([m[0] for m in others])
        y = np.concatenate([m[1] for m in others])
        p = _fit(x, y, args.wrong_costs).predict_proba(matrix[held][0])[:, 1]
        truth = matrix[held][1]
        decided = ((p >= ABSTAIN_BELOW) == (truth == 1)).mean()
        z = in_use["bias"] + matrix[held][0] @ np.array([in_use["weights"].get(n, 0.0) for n in names])
        p_in_use = 1 / (1 + np.exp(-z))
        decided_in_use = ((p_in_use >= ABSTAIN_BELOW) == (truth == 1)).mean()
        answers = [_answers(q, truth, matrix[held][0][:, fact]) for q in (p, p_in_use)]
        totals += np.array([*answers[0], *answers[1]])
        print(f"  {held:<10}{len(truth):>5}{truth.mean():>7.0%}{decided:>14.0%}{decided_in_use:>8.0%}"
              + "".join(f"{f'{r}/{w}':>10}" for r, w in answers))
        print(_bands(p, truth))
    print(f"  {'all':<10}{'':>5}{'':>7}{'':>14}{'':>8}{f'{totals[0]}/{totals[1]}':>10}{f'{totals[2]}/{totals[3]}':>10}")
    x = np.vstack([m[0] for m in matrix.values()])
    y = np.concatenate([m[1] for m in matrix.values()])
    model = _fit(x, y, args.wrong_costs)
    fitted = {"bias": round(float(model.intercept_[0]), 3),
              "weights": {n: round(float(w), 3) for n, w in zip(names, model.coef_[0], strict=True)}}
    print("fitted on all:", json.dumps(fitted))
    print(_bands(model.predict_proba(x)[:, 1], y))
    if args.write:
        MODEL_FILE.write_text(json.dumps(fitted, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_FILE}")


if __name__ == "__main__":
    main()
