"""The answering engine through netqa.load(): figures, citations, abstentions, safety kinds, follow-ups."""

from __future__ import annotations

import re

import pytest

import netqa

PASSAGES_OF = {}


@pytest.fixture(scope="module")
def bot():
    return netqa.load()


def cited(reply) -> str:
    return reply.citations[0].passage_id if reply.citations else ""


def test_trial_size_is_answered_with_the_figure_the_quote_and_the_passage(bot):
    reply = bot.ask("How many patients were in the CABINET trial?")
    assert reply.kind == "answer"
    assert reply.short_answer == "298"
    assert "99 with pancreatic NET (pNET) and 199 with extra-pancreatic NET (epNET)" in reply.answer
    assert cited(reply) == "cabozantinib-net-approval-p04"
    assert reply.citations[0].section == "The CABINET Trial: Evidence-Based Breakthrough"


def test_reply_contract_fields_and_verbatim_citation_offsets(bot):
    data = bot.ask("What dose of cabozantinib was used?").to_dict()
    assert {"id", "question", "answer", "kind", "confidence", "citations", "session_id"} <= set(data)
    assert 0.0 <= data["confidence"] <= 1.0
    document = bot.corpus.documents[0]
    for citation in data["citations"]:
        assert document.text[citation["start"]:citation["end"]] == citation["text"]
    assert "60mg" in data["answer"]


def test_page_junk_is_never_a_passage(bot):
    text = " ".join(p.text for p in bot.corpus.passages)
    for junk in ("Disclaimer", "Repost", "Gate App", "qrCode", "简体中文", "0/400", "Trade Crypto"):
        assert junk not in text
    assert len(bot.corpus.passages) == 13


@pytest.mark.parametrize("question, figure", [
    ("does it raise blood pressure?", "hypertension"),
    ("how long do people with pancreas NET live?", "23%"),
    ("who paid for the study?", "National Cancer Institute"),
    ("what percent had bleeding events?", "5%"),
])
def test_lay_words_reach_the_clinical_text(bot, question, figure):
    reply = bot.ask(question)
    assert reply.kind == "answer", reply.answer
    assert figure in reply.answer


@pytest.mark.parametrize("question, figure", [
    ("how many pateints were enrolled", "298"),
    ("what dose of cabozantnib was used", "60mg"),
    ("whats the 5 year survivel for pancreatic net", "23%"),
])
def test_typos_are_corrected_against_the_corpus_vocabulary(bot, question, figure):
    reply = bot.ask(question)
    assert reply.kind == "answer", reply.answer
    assert figure in reply.answer


def test_abbreviations_are_linked_to_long_forms_from_the_text(bot):
    abbreviations = bot.vocabulary.abbreviations
    assert abbreviations["pnet"] == "pancreatic NET"
    assert abbreviations["epnet"] == "extra-pancreatic NET"
    assert abbreviations["nccn"].startswith("National Comprehensive Cancer Network")
    assert abbreviations["esmo"] == "European Society for Medical Oncology"


@pytest.mark.parametrize("question", [
    "How much does cabozantinib cost?",
    "What is the brand name of cabozantinib?",
    "What is the hazard ratio?",
    "What is the median progression-free survival in months?",
    "What is the overall survival?",
    "Will insurance cover it?",
    "What is the dose for children?",
    "How do I buy crypto on the app?",
    "What is the capital of France?",
])
def test_questions_the_article_does_not_answer_get_no_answer(bot, question):
    reply = bot.ask(question)
    assert reply.kind == "no_answer", reply.answer
    assert reply.answer.startswith("The article does not say.")
    assert reply.short_answer is None and reply.quote is None
    # at most the part that comes closest, said to be no answer
    assert len(reply.citations) <= 1
    assert not reply.citations or re.search(r"comes closest.* does not (answer this question|mention)", reply.answer)


@pytest.mark.parametrize("question", ["How do I buy crypto on the app?", "What is the capital of France?"])
def test_a_question_about_something_else_is_pointed_to_no_part_of_the_text(bot, question):
    reply = bot.ask(question)
    assert reply.kind == "no_answer" and reply.citations == () and "closest" not in reply.answer


@pytest.mark.parametrize("question", ["Should I take cabozantinib?", "can I stop everolimus?",
                                      "should I lower my dose?"])
def test_personal_decisions_are_referred_to_the_care_team(bot, question):
    reply = bot.ask(question)
    assert reply.kind == "medical_advice"
    assert "doctor" in reply.answer


def test_emergency_leads_with_the_number_to_call(bot):
    reply = bot.ask("I am vomiting blood")
    assert reply.kind == "emergency"
    assert reply.answer.startswith("Call 911 now")


def test_suicidal_crisis_leads_with_988(bot):
    reply = bot.ask("I have thoughts of ending my life")
    assert reply.kind == "emergency"
    assert reply.answer.index("988") < reply.answer.index("911")


@pytest.mark.parametrize("question", ["hi", "thanks!", "good morning"])
def test_greetings_and_thanks_are_chitchat(bot, question):
    assert bot.ask(question).kind == "chitchat"


def test_elliptical_follow_up_swaps_the_subject(bot):
    first = bot.ask("What is the five-year survival for pancreatic NET?")
    assert "23%" == first.short_answer
    follow = bot.ask("what about lung?", session_id=first.session_id)
    assert follow.kind == "answer"
    assert follow.short_answer == "55%"


def test_pronoun_follow_up_uses_the_person_just_named(bot):
    first = bot.ask("Who is the study chair?")
    assert "Jennifer Chan" in first.answer
    follow = bot.ask("where does she work?", session_id=first.session_id)
    assert "Dana-Farber" in follow.answer


def test_a_new_self_contained_question_is_not_pulled_to_the_old_topic(bot):
    first = bot.ask("Who is the study chair?")
    follow = bot.ask("How many patients were in the CABINET trial?", session_id=first.session_id)
    assert follow.short_answer == "298"


def test_sessions_do_not_share_history(bot):
    one = bot.ask("What is the five-year survival for pancreatic NET?")
    other = bot.ask("what about lung?", session_id=bot.ask("hello").session_id)
    assert other.resolved_question == "what about lung?"
    assert bot.ask("what about lung?", session_id=one.session_id).resolved_question != "what about lung?"


@pytest.mark.parametrize("chosen", ["attacker-chosen", "0" * 32, "x" * 128, ""])
def test_a_session_id_the_bot_never_issued_gets_a_fresh_session(bot, chosen):
    reply = bot.ask("What is the five-year survival for pancreatic NET?", session_id=chosen)
    assert reply.session_id != chosen
    follow = bot.ask("what about lung?", session_id=chosen)
    assert follow.resolved_question == "what about lung?" and follow.session_id not in (chosen, reply.session_id)


@pytest.mark.parametrize("bad", ["", "   ", "x" * 5000, None, 42])
def test_bad_questions_raise_a_clear_error(bot, bad):
    with pytest.raises(ValueError, match="question"):
        bot.ask(bad)


@pytest.mark.parametrize("question, figure", [
    ("how often did thrombotic events occur", "1-2%"),  # the figure in the clause that names them
    ("how many patients had bleeding", "5%"),
    ("what journal published the results", "The New England Journal of Medicine"),
    ("How many epNET patients were there?", "199"),
    ("when does STELLAR-311 start?", "the first half of 2025"),
])
def test_the_short_answer_is_the_figure_that_belongs_to_the_question(bot, question, figure):
    reply = bot.ask(question)
    assert reply.kind == "answer", reply.answer
    assert reply.short_answer == figure


@pytest.mark.parametrize("question", [
    "When was cabozantinib approved?",  # no date is given for the approval itself
    "How many patients got placebo?",  # only the 2:1 split is given
    "Is cabozantinib a pill?",
])
def test_a_figure_or_fact_that_is_only_nearby_is_not_given_as_the_answer(bot, question):
    assert bot.ask(question).kind == "no_answer"


def test_a_repeated_question_gets_a_new_reply_id_from_the_cache(bot):
    first, second = bot.ask("Who is the study chair?"), bot.ask("Who is the study chair?")
    assert first.answer == second.answer and first.id != second.id


def test_reply_ids_sort_in_the_order_the_replies_were_given(bot):
    ids = [bot.ask(question).id for question in ("Who is the study chair?", "What is NET?", "hello")]
    assert ids == sorted(ids) and all(len(id_) == 32 and int(id_, 16) for id_ in ids)


@pytest.mark.parametrize("question", ["is it ok to skip a dose?",
                                      "my oncologist suggested cabozantinib, is that a good idea?",
                                      "what should I do if I miss a dose?", "should my husband start this drug?"])
def test_other_ways_of_asking_for_a_personal_decision_are_referred(bot, question):
    assert bot.ask(question).kind == "medical_advice"


@pytest.mark.parametrize("question", ["my bp is 200/120 and i have a bad headache what do i do",
                                      "I think I'm having a heart attack",
                                      "im bleeding a lot and it wont stop", "I don't want to live anymore"])
def test_other_descriptions_of_an_emergency_get_the_number_first(bot, question):
    reply = bot.ask(question)
    assert reply.kind == "emergency"
    assert reply.answer.startswith("Call")
