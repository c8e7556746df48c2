"""Every starter question the page offers gets a right answer: the quote holds what the question asks for.

Two are not yet answered right (the engine's issue 11 / issue 14 item 2); they are marked xfail(strict=True), so
the day they are answered right this file fails until the mark is removed.
"""

from __future__ import annotations

import pytest

import netqa
from netqa.view import starter_questions

# What the quote must hold for each starter question in corpus/metadata.json (from reading the article).
EXPECTED = {
    "What did the FDA approve?": "granted approval to cabozantinib",
    "How many patients were in the CABINET trial?": "298 patients",
    "What is the five-year survival for pancreatic NET?": "23% for pancreatic",
    "What are the side effects of cabozantinib?": "hypertension",
}
NOT_YET = {"What did the FDA approve?": "quotes the five earlier approvals",
           "What are the side effects of cabozantinib?": "quotes the dose-change sentence"}


@pytest.fixture(scope="module")
def bot():
    return netqa.load()


def test_every_starter_question_has_an_expected_answer(bot):
    assert set(starter_questions(bot)) == set(EXPECTED)


@pytest.mark.parametrize("question", [
    pytest.param(q, marks=pytest.mark.xfail(strict=True, reason=NOT_YET[q])) if q in NOT_YET else q
    for q in EXPECTED])
def test_a_starter_question_is_answered_right(bot, question):
    reply = bot.ask(question)
    assert reply.kind == "answer"
    assert EXPECTED[question] in (reply.quote or "")


@pytest.mark.xfail(strict=True, reason="the follow-up is rewritten to 'side effects?' and quotes the dose changes")
def test_the_side_effects_follow_up_is_answered_right(bot):
    first = bot.ask("What did the FDA approve?")
    follow_up = bot.ask("what about side effects?", session_id=first.session_id)
    assert "hypertension" in (follow_up.quote or "") or "hemorrhagic" in (follow_up.quote or "")
