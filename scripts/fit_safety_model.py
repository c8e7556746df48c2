"""The labelled safety sets -> src/netqa/lang/en/safety_model.json.gz: the learned net under the safety rules that
netqa/safety_model.py scores with (scikit-learn only here, never at run time).

    python scripts/fit_safety_model.py [--out PATH] [--date YYYY-MM-DD]

Trained on the safety sets read while building the rules (tests/safety/look, look2, engineer, engineer3,
engineer4, engineer4b, engineer5) and, as what ordinary questions on a health corpus look like, the built-in article's
tuning questions (corpus/gold.jsonl, the outside sample, article-look.jsonl; each as the kind it expects); never
score.jsonl, a score half or a held-out set. Features: the router's own words (safety.Message's stems:
contractions spelt out, base forms, typos repaired), unigrams and bigrams, and the router's reading of the message
(safety.signals: the labels found, a question, a sign ruled out), each seen in at least MIN_DF messages,
sublinear tf-idf, L2 norm over every feature of the message (safety_model.vector); one logistic regression per
label (C=C, classes balanced): emergency (the row expects an emergency), medical_advice (it expects a referral),
crisis (the crisis line first).

Thresholds come from out-of-fold probabilities (FOLDS stratified folds, shuffled with seed 0; each fold's model
fitted on the other folds alone), never from a held-out set. The net is consulted only where the rules route a
question on a health corpus and no sign they read was ruled out (safety.route), so a false alarm is a row the net
would be consulted on, of another kind, whose probability is above the threshold:
- emergency: the lowest p (a grid of 0.01 from 0.3: the folds decide, not a prior of 0.5) at which false alarms
  stay under FALSE_ALARMS of the rows that do not expect an emergency;
- medical_advice: the same, over the rows that expect a question or small talk (the net refers only a message
  that names the writer or someone of theirs);
- and never below the highest probability the shipped model itself gives a consulted row of another kind: on
  the sets it was fitted on, the net adds no false alarm and no referral;
- crisis: the lowest p at which at most WRONG_LINE of the other emergencies would get the crisis line first.
The output is deterministic for the same sets: sorted keys, rounded weights, no time in the gzip header; the
header of the JSON names the sets (rows, sha256), the date and the out-of-fold figures.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import hashlib
import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from netqa import safety
from netqa.safety_model import FILE, LABELS, Net, grams, vector

ROOT = Path(__file__).resolve().parent.parent
SETS = ("look", "look2", "engineer", "engineer3", "engineer4", "engineer4b", "engineer5")
# the built-in article's tuning questions: what ordinary questions on a health corpus look like
ARTICLE = ("corpus/gold.jsonl", "tests/gold/article/article-outside.jsonl", "tests/gold/article/article-look.jsonl")
MIN_DF = 2
C = 16.0
FOLDS = 5
FALSE_ALARMS = 0.01
WRONG_LINE = 0.05
GRID = [round(0.3 + 0.01 * i, 2) for i in range(70)]
DIGITS = 6  # significant digits kept of each weight


def _as_safety_row(row: dict) -> dict:
    """A gold question as a safety row: the kind it expects (an answer or no_answer: a question)."""
    return {"message": row["question"], "expected": row.get("kind", "question"), "crisis": False, "corpus": "health"}


def read_rows() -> tuple[list[dict], list[dict]]:
    rows, sources = [], []
    for name in [f"tests/safety/{name}.jsonl" for name in SETS] + list(ARTICLE):
        raw = (ROOT / name).read_bytes()
        found = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
        rows += found if name.startswith("tests/safety/") else [_as_safety_row(row) for row in found]
        sources.append({"file": name, "rows": len(found), "sha256": hashlib.sha256(raw).hexdigest()})
    return rows, sources


Read = tuple[list[str], list[str]]  # a message as the net reads it: its stems and the router's signals


@dataclass(frozen=True)
class Features:
    """The features (n-grams and signals) seen in at least MIN_DF messages and their idf, ln((1 + n) / (1 + df)) + 1,
    and the idf of one seen once (for the norm); each message's vector is safety_model.vector, the very code that
    runs in netqa."""

    idf: dict[str, tuple[float]]
    unknown_idf: float

    @classmethod
    def fit(cls, messages: list[Read]) -> Features:
        df = Counter(g for words, signals in messages for g in set(grams(words)) | set(signals))
        n = len(messages)
        idf = {g: (math.log((1 + n) / (1 + k)) + 1,) for g, k in sorted(df.items()) if k >= MIN_DF}
        return cls(idf, math.log((1 + n) / 2) + 1)

    def transform(self, messages: list[Read]) -> sparse.csr_matrix:
        column = {g: i for i, g in enumerate(self.idf)}
        data, rows, columns = [], [], []
        for row, (words, signals) in enumerate(messages):
            for gram, value in vector(words, self.idf, self.unknown_idf, signals).items():
                data.append(value)
                rows.append(row)
                columns.append(column[gram])
        return sparse.csr_matrix((data, (rows, columns)), shape=(len(messages), len(column)))


def _fit(words: list[Read], targets: np.ndarray) -> tuple[Features, list[LogisticRegression]]:
    features = Features.fit(words)
    x = features.transform(words)
    models = [LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(x, targets[:, k])
              for k in range(len(LABELS))]
    return features, models


def out_of_fold(words: list[Read], targets: np.ndarray) -> np.ndarray:
    """Each row's probabilities from the model fitted on the other folds (folds stratified by emergency)."""
    p = np.zeros(targets.shape)
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    for train, test in folds.split(words, targets[:, 0]):
        features, models = _fit([words[i] for i in train], targets[train])
        x = features.transform([words[i] for i in test])
        for k, model in enumerate(models):
            p[test, k] = model.predict_proba(x)[:, 1]
    return p


def _lowest(p: np.ndarray, wrong: np.ndarray, allowed: float) -> float:
    """The lowest threshold of the grid above which fewer than `allowed` wrong rows stand."""
    return next(t for t in GRID if (p[wrong] > t).sum() < allowed)


def thresholds(p: np.ndarray, fitted: np.ndarray, rows: list[dict], consulted: np.ndarray, personal: np.ndarray
               ) -> tuple[dict[str, float], dict]:
    """The thresholds of the module docstring, and the out-of-fold figures at them. `p`: out-of-fold probabilities,
    `fitted`: the shipped model's own; `consulted`: the rows the net is asked about, `personal`: those that name a
    person (the net's referrals need one)."""
    expected = np.array([row["expected"] for row in rows])
    crisis = np.array([bool(row.get("crisis")) for row in rows])
    emergency = expected == "emergency"
    other = np.isin(expected, ("question", "chitchat"))
    alarms = consulted & ~emergency
    chosen = {"emergency": max(_lowest(p[:, 0], alarms, FALSE_ALARMS * (~emergency).sum()),
                               _lowest(fitted[:, 0], alarms, 1))}
    not_emergency = p[:, 0] <= chosen["emergency"]
    referable = consulted & personal & not_emergency
    chosen["medical_advice"] = max(
        _lowest(p[:, 1], referable & other, FALSE_ALARMS * other.sum()),
        _lowest(fitted[:, 1], consulted & personal & (fitted[:, 0] <= chosen["emergency"]) & other, 1))
    chosen["crisis"] = _lowest(p[:, 2], emergency & ~crisis, WRONG_LINE * (emergency & ~crisis).sum())
    advice = expected == "medical_advice"
    figures = {
        "rows": len(rows), "consulted": int(consulted.sum()),
        "emergency": {"recall_of_all": round(float((p[emergency, 0] > chosen["emergency"]).mean()), 3),
                      "false_alarms": int((consulted & ~emergency & ~not_emergency).sum()),
                      "out_of": int((~emergency).sum())},
        "medical_advice": {"recall_of_all": round(float((p[advice, 1] > chosen["medical_advice"]).mean()), 3),
                           "false_referrals": int((referable & other & (p[:, 1] > chosen["medical_advice"])).sum()),
                           "out_of": int(other.sum())},
        "crisis": {"recall_of_crisis_rows": round(float((p[crisis, 2] > chosen["crisis"]).mean()), 3),
                   "other_emergencies_flagged": round(float((p[emergency & ~crisis, 2] > chosen["crisis"]).mean()),
                                                      3)},
    }
    return chosen, figures


def _round(value: float) -> float:
    return float(f"{value:.{DIGITS}g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "netqa" / "lang" / "en" / FILE)
    parser.add_argument("--date", default=datetime.date.today().isoformat(), help="the fitting date in the header")
    args = parser.parse_args()

    rows, sources = read_rows()
    lexicon = safety.english()
    messages = [safety.Message(row["message"], lexicon) for row in rows]
    health = [row.get("corpus", "health") == "health" for row in rows]
    ruled_out = [safety.ruled_out_a_sign(message) for message in messages]
    words = [(message.stems, safety.signals(message, out)) for message, out in zip(messages, ruled_out, strict=True)]
    consulted = np.array([h and safety.route(row["message"], h, model=False) is safety.QUESTION and not out
                          for row, out, h in zip(rows, ruled_out, health, strict=True)])
    personal = np.array([safety.names_a_person(message) for message in messages])
    targets = np.array([[row["expected"] == "emergency", row["expected"] == "medical_advice", bool(row.get("crisis"))]
                        for row in rows], dtype=int)
    features, models = _fit(words, targets)
    table = {}
    for column, (gram, (idf,)) in enumerate(features.idf.items()):
        table[gram] = [_round(idf), *(_round(model.coef_[0, column]) for model in models)]
    intercepts = [_round(model.intercept_[0]) for model in models]
    shipped = Net.from_dict({"labels": LABELS, "grams": table, "unknown_idf": _round(features.unknown_idf),
                             "intercepts": intercepts, "thresholds": dict.fromkeys(LABELS, 0.5)})
    fitted = np.array([shipped.scores(*w) for w in words])
    chosen, figures = thresholds(out_of_fold(words, targets), fitted, rows, consulted, personal)
    data = {
        "about": "the learned net under netqa's safety rules (netqa/safety_model.py), fitted by "
                 "scripts/fit_safety_model.py",
        "fitted": args.date,
        "fitted_on": sources,
        "features": f"safety.Message stems, unigrams and bigrams, and safety.signals, each in at least {MIN_DF} "
                    "messages, sublinear tf-idf, L2 over every feature of the message (an unknown one at unknown_idf)",
        "model": f"logistic regression per label, C={C}, classes balanced",
        "thresholds_from": f"{FOLDS}-fold out-of-fold probabilities: false alarms where the net is consulted under "
                           f"{FALSE_ALARMS:.0%} of the rows of other kinds, and none by the shipped model on its own "
                           f"training rows; crisis: at most {WRONG_LINE:.0%} of the other "
                           "emergencies given the crisis line first",
        "out_of_fold": figures,
        "labels": list(LABELS),
        "unknown_idf": _round(features.unknown_idf),
        "intercepts": intercepts,
        "thresholds": chosen,
        "grams": table,
    }
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    with args.out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as packed:
        packed.write(text.encode("utf-8"))
    print(f"{args.out.name}: {len(table)} features, thresholds {chosen}")
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
