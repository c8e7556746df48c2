"""Arbitrary text into the engine: a valid reply or a QuestionError for bad input, never anything else."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import netqa
from netqa.bot import QuestionError
from netqa.text import normalise

KINDS = {"answer", "no_answer", "medical_advice", "emergency", "chitchat"}
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def bot():
    return netqa.load()


def _corpus_words() -> list[str]:
    text = " ".join(p.text for p in netqa.load().corpus.passages)
    return sorted(set(re.findall(r"[\w'-]+", text)))


# Characters plain st.text() never or rarely draws: lone surrogates, controls and NUL, direction marks,
# zero-width characters, a byte-order mark, emoji, right-to-left script.
HOSTILE = st.sampled_from(["\x00", "\x07", "\x1b", "\r", "\t", "\u200b", "\u200d", "\u200e", "\u202e",
                           "\u2066", "\ufeff", "\ud800", "\udfff", "🙂", "⚕", "\ufe0f", "ا", "ש", "?", "-", "'"])
CHARACTERS = st.one_of(st.characters(), st.characters(categories=["Cs"]), HOSTILE)
# Words from the article make the engine go past its first checks into retrieval and answering.
CORPUS_WORDS = st.sampled_from(_corpus_words())
QUESTION_WORDS = st.sampled_from(["what", "how many", "who", "when", "is", "why", "and", "it", "she", "about",
                                  "should I", "help", "thanks", "dose", "?"])
TOKENS = st.one_of(CORPUS_WORDS, QUESTION_WORDS, st.text(CHARACTERS, min_size=1, max_size=4))
QUESTIONS = st.one_of(
    st.text(),
    st.text(CHARACTERS, max_size=80),
    st.lists(TOKENS, min_size=1, max_size=14).map(" ".join),
)


def assert_valid_reply(bot, reply) -> None:
    assert reply.kind in KINDS
    assert 0.0 <= reply.confidence <= 1.0
    assert isinstance(reply.answer, str) and reply.answer.strip()
    documents = {d.id: d for d in bot.corpus.documents}
    passages = {p.id: p for p in bot.corpus.passages}
    for citation in reply.citations:
        document = documents[passages[citation.passage_id].doc_id]
        assert citation.text == document.text[citation.start:citation.end]
    if reply.quote is not None:
        assert any(reply.quote in c.text for c in reply.citations)


def ask_or_reject(bot, question: str, session_id: str | None = None):
    """The reply, or None when the engine rejected the question, which it may only do for bad input."""
    try:
        return bot.ask(question, session_id=session_id)
    except QuestionError as exc:
        text = normalise(question)
        assert not text or len(text) > bot.settings.max_question_chars, f"rejected a valid question: {exc}"
        assert str(exc)
        return None


@FUZZ
@given(question=QUESTIONS)
def test_any_text_gets_a_valid_grounded_reply_or_a_question_error(bot, question):
    reply = ask_or_reject(bot, question)
    if reply is not None:
        assert_valid_reply(bot, reply)


@FUZZ
@given(conversation=st.lists(QUESTIONS, min_size=2, max_size=4))
def test_any_conversation_of_follow_ups_gets_valid_grounded_replies(bot, conversation):
    session = None
    for question in conversation:
        reply = ask_or_reject(bot, question, session_id=session)
        if reply is not None:
            assert_valid_reply(bot, reply)
            assert session is None or reply.session_id == session  # the session the bot issued carries on
            session = reply.session_id


@settings(max_examples=50, deadline=None)
@given(value=st.one_of(st.none(), st.integers(), st.floats(), st.binary(), st.lists(st.text()),
                       st.dictionaries(st.text(), st.text())))
def test_a_question_that_is_not_text_is_a_question_error(bot, value):
    with pytest.raises(QuestionError, match="text"):
        bot.ask(value)


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "\x00\x00", "\u200b\u200b", "\ufeff"])
def test_an_empty_question_is_a_question_error_saying_so(bot, question):
    with pytest.raises(QuestionError, match="empty"):
        bot.ask(question)


def test_a_question_over_the_limit_is_a_question_error_giving_the_limit(bot):
    limit = bot.settings.max_question_chars
    assert bot.ask("a" * (limit - 5) + " why?").kind in KINDS
    with pytest.raises(QuestionError, match=f"at most {limit}"):
        bot.ask("why " * limit)
