"""Evidence -> a calibrated number: how likely the quoted sentence answers the question."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources

from netqa.records import Evidence


@lru_cache(maxsize=1)
def _model() -> dict:
    return json.loads(resources.files("netqa.data").joinpath("confidence.json").read_text(encoding="utf-8"))


def confidence(evidence: Evidence) -> float:
    """P(the quoted sentence answers the question) = 1 / (1 + exp(-(bias + sum w_i * feature_i))).

    The weights are a logistic regression fitted on gold sets of several corpora (data/confidence.json,
    refitted by `python benchmarks/calibrate.py --write`). Asking about something the corpus never
    mentions, or naming a constraint the passage lacks, is zero.
    """
    if evidence.focus_unknown or evidence.missing_constraint:
        return 0.0
    model = _model()
    features = evidence.features()
    z = model["bias"] + sum(weight * features[name] for name, weight in model["weights"].items())
    return round(1.0 / (1.0 + math.exp(-z)), 3)
