"""Fit the confidence model (a logistic regression over the evidence features) on a gold set.

Usage: python benchmarks/calibrate.py [GOLD [CORPUS_DIR] ...] [--write]
Default: the article's gold set and the clinic policy test corpus, so the fit is not one document's.
Prints the fitted weights and, for the fitted model, answer accuracy per confidence band;
--write stores the weights in src/netqa/data/confidence.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

import netqa
from netqa.evaluate import read_gold, same_text

MODEL_FILE = Path(__file__).resolve().parents[1] / "src" / "netqa" / "data" / "confidence.json"


def collect(bot, gold):
    """Features of the evidence for every question that reached retrieval, and whether it was right."""
    names, rows, labels, current = None, [], [], []
    for row in gold:
        if row.kind is not None:
            continue  # safety kinds never reach the confidence
        session = None  # a fresh session, issued by the bot at the first turn
        for earlier in row.history:
            session = bot.ask(earlier, session_id=session).session_id
        reply, evidence = bot.explain(row.question, session_id=session)
        if evidence is None or evidence.focus_unknown:
            continue
        features = evidence.features()
        names = names or list(features)
        quote = evidence.quote
        right = row.answerable and any(same_text(a, quote) for a in row.answers) and (
            not row.evidence or same_text(row.evidence, evidence.sentence.passage.text))
        rows.append([features[n] for n in names])
        labels.append(int(right))
        current.append(reply.confidence)
    return names, np.array(rows), np.array(labels), np.array(current)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", metavar="GOLD CORPUS_DIR",
                        default=["corpus/gold.jsonl", "corpus", "tests/fixtures/clinic/gold.jsonl",
                                 "tests/fixtures/clinic"],
                        help="pairs of a gold file and its corpus folder")
    parser.add_argument("--write", action="store_true", help="save the fitted weights")
    args = parser.parse_args()
    pairs = list(zip(args.sets[::2], args.sets[1::2]))
    collected = [collect(netqa.load(corpus), read_gold(Path(gold))) for gold, corpus in pairs]
    names = collected[0][0]
    x = np.vstack([c[1] for c in collected])
    y = np.concatenate([c[2] for c in collected])
    model = LogisticRegression(C=10.0, max_iter=1000).fit(x, y)
    weights = {n: round(float(w), 3) for n, w in zip(names, model.coef_[0])}
    fitted = {"bias": round(float(model.intercept_[0]), 3), "weights": weights}
    print("fitted now:", json.dumps(fitted))
    for title, p in [("fitted now", model.predict_proba(x)[:, 1]),
                     ("model in use", np.concatenate([c[3] for c in collected]))]:
        print(f"accuracy by confidence, {title}:")
        for low, high in [(0, .3), (.3, .5), (.5, .7), (.7, .85), (.85, 1.01)]:
            inside = (p >= low) & (p < high)
            if inside.any():
                print(f"  {low:.2f}-{min(high, 1):.2f}: {inside.sum():3d} questions, {y[inside].mean():.0%} right")
    if args.write:
        MODEL_FILE.write_text(json.dumps(fitted, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_FILE}")


if __name__ == "__main__":
    main()
