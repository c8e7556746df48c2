"""A learned net under the safety rules: a message's words -> how likely it is an emergency, a personal medical
decision, a crisis (self-harm).

Why a net: the rules of safety.py compose parts of published guidance and stay explainable, but on messages
nobody wrote them for they miss a few emergencies and decisions in wordings no part covers, and adding parts has
stopped moving that. Word statistics fitted on the labelled safety sets catch part of the rest. They are asked
only where the rules found nothing (a `question`, on a corpus about health, with no sign the rules read and ruled
out: asked about, denied, over, someone else's), so they can add a route but never take one away, and a route they
add says "model".

The model is linear over the router's own words (safety.Message's stems: lower case, contractions spelt out,
base forms, typos repaired), their unigrams and bigrams, and over the router's own reading of the message
(safety.signals: every label its word data found, "flag:stroke:face", "person:personal", "time:over",
"negation:cue", ...; whether it asks; whether a sign stood in it and was ruled out). The reading carries what the
words alone do not: "his face has dropped" and "face drooping" share a label, and a sign asked about or told as
past weighs against a report wherever its words stand. It ships as data (lang/en/safety_model.json.gz, fitted by
scripts/fit_safety_model.py, whose header names the training sets, the date and the out-of-fold figures that chose
the thresholds). For each label k the probability is

    p_k = 1 / (1 + exp(-(b_k + sum_g w_kg * x_g))),   x_g = (1 + ln tf_g) * idf_g / ||(1 + ln tf) * idf||

over the features g the model knows, n-grams and signals (sublinear tf-idf, then logistic regression), computed
here with a dict and a sum: no scikit-learn at run time. The norm counts every feature of the message, an unknown
one at the idf of one seen once, so a short message of words the model never saw is not read from its one known
word ("and GI tract?" is not "and").
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import NamedTuple

from netqa.lang import en
from netqa.records import RouteKind

FILE = "safety_model.json.gz"
LABELS = ("emergency", "medical_advice", "crisis")


class Scores(NamedTuple):
    """The model's probabilities for one message."""

    emergency: float
    medical_advice: float
    crisis: float


class Verdict(NamedTuple):
    """What the net adds: an emergency (crisis first or not), a medical decision, or nothing (a question)."""

    kind: RouteKind
    crisis: bool = False


def grams(words: Sequence[str]) -> list[str]:
    """The unigrams and bigrams of a word sequence, bigrams written "a b"."""
    return list(words) + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def counted(words: Sequence[str], signals: Sequence[str] = ()) -> dict[str, float]:
    """Each feature of a message with its sublinear tf: the router's signals at 1 (each once; their names start with
    "@", so none is an n-gram), then its n-grams at 1 + ln n for one said n times, in the order they stand."""
    tf = dict.fromkeys(signals, 1.0)
    every = grams(words)
    once = dict.fromkeys(every, 1.0)
    if len(once) < len(every):  # a plain dict, not a Counter: this runs on every message
        counts: dict[str, int] = {}
        for gram in every:
            counts[gram] = counts.get(gram, 0) + 1
        once = {gram: 1.0 if n == 1 else 1.0 + math.log(n) for gram, n in counts.items()}
    tf.update(once)
    return tf


def vector(words: Sequence[str], known: Mapping[str, Sequence[float]], unknown_idf: float,
           signals: Sequence[str] = ()) -> dict[str, float]:
    """The known features' tf-idf values (`known[g][0]` is g's idf), L2-normalised over all the message's features
    (`counted`), an unknown one at `unknown_idf`."""
    found, norm = {}, 0.0
    for gram, tf in counted(words, signals).items():
        entry = known.get(gram)
        value = (entry[0] if entry is not None else unknown_idf) * tf
        norm += value * value
        if entry is not None:
            found[gram] = value
    scale = 1.0 / math.sqrt(norm) if norm else 0.0
    return {gram: value * scale for gram, value in found.items()}


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True)
class Net:
    """The fitted model: per feature its idf and one weight per label; an intercept and a threshold per label."""

    weights: dict[str, tuple[float, float, float, float]]  # feature -> (idf, w_emergency, w_medical_advice, w_crisis)
    unknown_idf: float  # the idf of a feature seen in one training message (or none)
    intercepts: tuple[float, float, float]
    thresholds: dict[str, float]  # label -> the probability above which the net routes (or puts the crisis line first)

    def __post_init__(self) -> None:
        if missing := set(LABELS) - set(self.thresholds):
            raise ValueError(f"safety model: no threshold for {', '.join(sorted(missing))}")

    def _vector(self, words: Sequence[str], signals: Sequence[str]) -> dict[str, float]:
        return vector(words, self.weights, self.unknown_idf, signals)

    @cached_property
    def _terms(self) -> dict[str, tuple[float, float, float, float]]:
        """Per feature what one occurrence adds before the norm: (idf², idf·w_emergency, idf·w_medical_advice,
        idf·w_crisis)."""
        return {g: (idf * idf, idf * w0, idf * w1, idf * w2) for g, (idf, w0, w1, w2) in self.weights.items()}

    def scores(self, words: Sequence[str], signals: Sequence[str] = ()) -> Scores:
        """The probability of each label for a message's words and signals: the dot product of `vector` (the
        features the fitting script uses) with each label's weights, as sum(tf·idf·w) / ||tf·idf|| over the
        message's features (`counted`) in one pass (this runs on every message the rules leave as a question)."""
        terms, unknown_square = self._terms, self.unknown_idf * self.unknown_idf
        norm = z0 = z1 = z2 = 0.0
        for gram, tf in counted(words, signals).items():
            term = terms.get(gram)
            if term is None:
                norm += unknown_square * tf * tf
            else:
                norm += term[0] * tf * tf
                z0 += term[1] * tf
                z1 += term[2] * tf
                z2 += term[3] * tf
        scale = 1.0 / math.sqrt(norm) if norm else 0.0
        b = self.intercepts
        return Scores(_sigmoid(b[0] + z0 * scale), _sigmoid(b[1] + z1 * scale), _sigmoid(b[2] + z2 * scale))

    def verdict(self, words: Sequence[str], signals: Sequence[str] = ()) -> Verdict:
        """Emergency above its threshold (the crisis line first above the crisis threshold); else a personal
        medical decision above its threshold; else nothing."""
        p = self.scores(words, signals)
        if p.emergency > self.thresholds["emergency"]:
            return Verdict(RouteKind.EMERGENCY, crisis=p.crisis > self.thresholds["crisis"])
        if p.medical_advice > self.thresholds["medical_advice"]:
            return Verdict(RouteKind.MEDICAL_ADVICE)
        return Verdict(RouteKind.QUESTION)

    def explain(self, words: Sequence[str], label: str, top: int = 5, signals: Sequence[str] = ()
                ) -> list[tuple[str, float]]:
        """The features that weigh most towards a label, with their share of the score (for logs and tests)."""
        column = LABELS.index(label) + 1
        parts = [(g, v * self.weights[g][column]) for g, v in self._vector(words, signals).items()]
        return sorted(parts, key=lambda part: -part[1])[:top]

    @classmethod
    def from_dict(cls, data: dict) -> Net:
        """A model from its JSON form (see scripts/fit_safety_model.py)."""
        if tuple(data["labels"]) != LABELS:
            raise ValueError(f"safety model: labels {data['labels']} are not {list(LABELS)}")
        weights = {g: (float(v[0]), float(v[1]), float(v[2]), float(v[3])) for g, v in data["grams"].items()}
        b = data["intercepts"]
        return cls(weights, float(data["unknown_idf"]), (float(b[0]), float(b[1]), float(b[2])),
                   dict(data["thresholds"]))


@lru_cache(maxsize=1)
def shipped() -> Net:
    """The model shipped in lang/en/ (read once a process, on first use)."""
    with en.path_of(FILE).open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        return Net.from_dict(json.load(text))
