"""Every starter question the page offers gets a right answer: the quote holds what the question asks for."""

from __future__ import annotations

import pytest

import netqa
from netqa.view import starter_questions

# What the quote must hold for each starter question in corpus/metadata.json (from reading the article).
EXPECTED = {
    "What did the FDA approve?": "granted approval to cabozantinib",
    "How many patients were in the CABINET trial?": "298 patients",
    "What is the five-year survival for pancreatic NET?": "23% for pancreatic",
    "What are the side effects of cabozantinib?": ("hypertension", "hemorrhagic"),  # either is a side effect
}


@pytest.fixture(scope="module")
def bot():
    return netqa.load()


def test_every_starter_question_has_an_expected_answer(bot):
    assert set(starter_questions(bot)) == set(EXPECTED)


@pytest.mark.parametrize("question", list(EXPECTED))
def test_a_starter_question_is_answered_right(bot, question):
    reply = bot.ask(question)
    assert reply.kind == "answer"
    expected = EXPECTED[question]
    assert any(e in (reply.quote or "") for e in ((expected,) if isinstance(expected, str) else expected))


def test_the_side_effects_follow_up_is_answered_right(bot):
    first = bot.ask("What did the FDA approve?")
    follow_up = bot.ask("what about side effects?", session_id=first.session_id)
    assert "hypertension" in (follow_up.quote or "") or "hemorrhagic" in (follow_up.quote or "")
