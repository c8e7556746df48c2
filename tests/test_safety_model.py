"""The learned net under the safety rules (netqa/safety_model.py): the scorer on tiny inline models, the shipped
weights against the sets they were fitted on, and the hook in safety.route end to end."""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from pathlib import Path

import pytest

from netqa import safety, safety_model
from netqa.lang import en
from netqa.records import RouteKind
from netqa.safety import route
from netqa.safety_model import LABELS, Net, grams, vector

ROOT = Path(__file__).resolve().parent.parent


def _net(**thresholds: float) -> Net:
    """A two-word model: "pain" leans to emergency, "dose" to a decision, "tonight" to a crisis."""
    return Net.from_dict({
        "labels": list(LABELS),
        "grams": {"pain": [2.0, 3.0, 0.0, 0.0], "dose": [1.0, 0.0, 4.0, 0.0], "chest pain": [3.0, 2.5, 0.0, 0.0],
                  "tonight": [1.5, 4.0, 0.0, 12.0]},
        "unknown_idf": 4.0, "intercepts": [-1.0, -2.0, -3.0],
        "thresholds": {"emergency": 0.7, "medical_advice": 0.7, "crisis": 0.5} | thresholds,
    })


def test_grams_are_the_words_and_their_neighbour_pairs():
    assert grams(["chest", "pain", "now"]) == ["chest", "pain", "now", "chest pain", "pain now"]
    assert grams(["pain"]) == ["pain"]
    assert grams([]) == []


def test_the_vector_is_sublinear_tf_idf_normalised_over_every_gram_of_the_message():
    known = {"pain": (2.0,), "chest pain": (3.0,)}
    got = vector(["chest", "pain", "pain"], known, unknown_idf=4.0)
    # pain twice: (1 + ln 2) * 2; chest pain: 3; unknown "chest" and "pain pain": 4 each, counted in the norm only
    pain, pair = (1 + math.log(2)) * 2.0, 3.0
    norm = math.sqrt(pain ** 2 + pair ** 2 + 4.0 ** 2 + 4.0 ** 2)
    assert got == pytest.approx({"pain": pain / norm, "chest pain": pair / norm})
    assert vector(["unseen"], known, 4.0) == {}
    assert vector([], known, 4.0) == {}


def test_scores_are_the_logistic_of_the_dot_product():
    net = _net()
    norm = math.sqrt(2.0 ** 2 + 4.0 ** 2 + 4.0 ** 2)  # "pain" known (idf 2); "bad" and "pain bad" unknown (idf 4)
    assert net.scores(["pain", "bad"]) == pytest.approx(
        (1 / (1 + math.exp(1.0 - 3.0 * 2.0 / norm)), 1 / (1 + math.exp(2.0)), 1 / (1 + math.exp(3.0))))
    assert net.scores([]) == pytest.approx([1 / (1 + math.exp(b)) for b in (1.0, 2.0, 3.0)])


def test_a_short_message_is_not_read_from_its_one_known_word():
    net = _net()
    assert net.scores(["pain"]).emergency > net.scores(["pain", "in", "the", "article"]).emergency


def test_the_verdict_routes_above_each_threshold_and_puts_the_crisis_line_first_above_its_own():
    net = _net()
    assert net.verdict(["chest", "pain"]) == (RouteKind.EMERGENCY, False)
    assert net.verdict(["pain", "tonight"]).crisis
    assert net.verdict(["dose"]) == (RouteKind.MEDICAL_ADVICE, False)
    assert net.verdict(["article"]) == (RouteKind.QUESTION, False)
    assert _net(emergency=0.99).verdict(["chest", "pain"]) == (RouteKind.QUESTION, False)


def test_explain_names_the_grams_that_weigh_most():
    assert [gram for gram, _ in _net().explain(["chest", "pain"], "emergency", top=2)] == ["chest pain", "pain"]


def test_a_model_with_other_labels_or_no_threshold_is_refused():
    data = {"labels": ["emergency"], "grams": {}, "unknown_idf": 1.0, "intercepts": [0, 0, 0], "thresholds": {}}
    with pytest.raises(ValueError, match="labels"):
        Net.from_dict(data)
    with pytest.raises(ValueError, match="no threshold for crisis"):
        Net.from_dict(data | {"labels": list(LABELS), "thresholds": {"emergency": 0.7, "medical_advice": 0.7}})


def _header() -> dict:
    with en.path_of(safety_model.FILE).open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        return json.load(text)


def test_the_shipped_model_was_fitted_on_the_sets_as_they_are_now():
    header = _header()
    stale = [source["file"] for source in header["fitted_on"]
             if hashlib.sha256((ROOT / source["file"]).read_bytes()).hexdigest() != source["sha256"]]
    assert not stale, f"re-run python scripts/fit_safety_model.py: changed since the fit: {stale}"
    assert "score" not in " ".join(source["file"] for source in header["fitted_on"])
    assert set(header["thresholds"]) == set(LABELS)


@pytest.mark.parametrize("message", ["i keep staring at the bridge on my way home from work",
                                     "i've got all of my pills counted out on the kitchen table"])
def test_a_paraphrase_of_a_held_in_warning_sign_routes_to_the_crisis_line_by_the_model(message):
    assert route(message, True, model=False).kind is RouteKind.QUESTION
    assert route(message) == safety.Route(RouteKind.EMERGENCY, crisis=True, reason="model")


def test_a_paraphrase_of_a_held_in_decision_is_referred_by_the_model():
    message = "wud it be ok 2 take my cabo in the evening instead"
    assert route(message, True, model=False).kind is RouteKind.QUESTION
    assert route(message) == safety.Route(RouteKind.MEDICAL_ADVICE, reason="model")


def test_the_net_is_asked_only_on_a_health_corpus():
    assert route("i keep staring at the bridge on my way home from work", False).kind is RouteKind.QUESTION


@pytest.mark.parametrize("question", ["how common was vomiting blood in the trial?",
                                      "does the article mention suicide as a side effect?"])
def test_a_question_about_a_sign_is_left_to_the_rules(question):
    assert safety.ruled_out_a_sign(safety.Message(question, safety.english()))
    assert route(question) is safety.QUESTION
    assert not safety.ruled_out_a_sign(safety.Message("i keep staring at the bridge", safety.english()))


@pytest.mark.parametrize("message", ["I won't be around next week, I'm on holiday", "I don't want to live with my son"])
def test_words_of_a_sign_the_rules_read_and_set_aside_are_left_to_the_rules(message):
    assert safety.ruled_out_a_sign(safety.Message(message, safety.english()))
    assert route(message) is safety.QUESTION


def _questions(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if "kind" not in row]  # an answer or no_answer expected: a question


@pytest.mark.parametrize("name", ["corpus/gold.jsonl", "tests/gold/article/article-outside.jsonl",
                                  "tests/gold/article/article-look.jsonl"])
def test_the_net_moves_no_ordinary_question_of_the_article(name):
    questions = _questions(ROOT / name)
    moved = [row["question"] for row in questions if route(row["question"]) != route(row["question"], True, False)]
    assert not moved
    assert all(route(row["question"]).kind is RouteKind.QUESTION for row in questions if row["answerable"])


@pytest.mark.parametrize("message", ["sorry, I won't be a bother, I'll wait for my appointment",
                                     "I want the swelling to be gone", "I have a headache", "my stomach aches",
                                     "my husband has a sore throat"])
def test_an_everyday_statement_or_a_mild_complaint_is_no_emergency(message):
    assert route(message).kind is RouteKind.QUESTION


def test_the_router_s_reading_is_among_the_net_s_features():
    message = safety.Message("my stomach hurts a bit?", safety.english())
    found = safety.signals(message, ruled_out=True)
    assert {"@person:personal", "@severity:mild", "@asks", "@ruled_out"} <= set(found)
    assert "@opens" in safety.signals(safety.Message("how is it taken?", safety.english()), ruled_out=False)
    assert "@ruled_out" not in safety.signals(message, ruled_out=False)


@pytest.mark.parametrize("text, personal", [("When patients miss a dose, can they take it later?", False),
                                            ("If someone forgets a tablet, can they take two?", False),
                                            ("When my mum misses a dose, can she take it later?", True),
                                            ("I missed a dose, can I take it later?", True)])
def test_the_net_refers_only_a_person_of_the_writers_not_a_pronoun_taking_up_people_in_general(text, personal):
    assert safety.names_a_person(safety.Message(text, safety.english())) is personal
    assert (route(text, True).kind is RouteKind.MEDICAL_ADVICE) is personal
