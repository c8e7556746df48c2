"""Finding the passage: what a question is searched with (its story, its context) and how passages are ranked,
on small inline corpora."""

from __future__ import annotations

import pytest

import netqa
from netqa.documents.names import names_text
from netqa.evaluate import GoldQuestion, run
from netqa.followup import resolve
from netqa.message import questions_in, story_of
from netqa.records import Turn
from netqa.terms import Vocabulary
from small_corpus import bot_on


@pytest.fixture(scope="module")
def manual(tmp_path_factory):
    return bot_on(tmp_path_factory.mktemp("manual"), "manual.txt",
        "Squeeze manual\n\n"
        "Best compression\n\n"
        "Use the -9 option for the best compression.\n\n"
        "Small machines\n\n"
        "On a machine with little memory, use the -s option: it halves the memory squeeze needs.\n\n"
        "Speed\n\n"
        "Squeeze reads its input once, so it works on pipes.\n")


def test_the_rest_of_a_long_message_is_its_story():
    message = "My old laptop has hardly any memory. Which option should I use?"
    questions = questions_in(message)
    assert questions == ("Which option should I use?",)
    assert story_of(message, questions) == "My old laptop has hardly any memory."


def test_the_story_loses_the_question_however_it_is_written_and_keeps_every_other_word():
    message = "We call deflate in a loop. can INFLATE() and deflate()   handle that much data?"
    assert story_of(message, ("Can inflate() and deflate() handle that much data?",)) == "We call deflate in a loop."
    # a question's word cut from inside the sentence leaves the rest readable
    assert story_of("My dad, who is 70, asks: how long did it work?", ("how long did it work?",)) == \
        "My dad, who is 70, asks"
    # only whole words go: "When?" takes nothing out of "Whenever"
    assert story_of("Whenever she eats she feels sick. When?", ("When?",)) == "Whenever she eats she feels sick."


def test_a_long_message_is_searched_with_its_story(manual):
    assert "-9 option" in manual.top_passages("Which option should I use for the best compression?", 1)[0].text
    story = "My old laptop has hardly any memory."
    assert "-9 option" in manual.top_passages("Which option should I use?", 1)[0].text
    assert "little memory" in manual.top_passages("Which option should I use?", 1, story=story)[0].text
    reply = manual.ask(f"{story} Which option should I use?")
    assert "little memory" in reply.citations[0].text


def test_the_story_weighs_less_than_the_question(manual):
    # The question's own words still decide when the story is about something else.
    top = manual.top_passages("Does it work on pipes?", 1, story="My laptop has hardly any memory.")[0]
    assert "pipes" in top.text


def test_the_funnel_searches_a_follow_up_as_the_reply_did(manual):
    # "does it use the option?" carries the last turn's topic (small machines) as context; the funnel must too.
    gold = GoldQuestion(id="f", question="which option should I use for it?", category="followup",
                        answerable=True, answers=("-s",), evidence="use the -s option",
                        history=("what about a machine with little memory?",))
    outcome, = run(manual, [gold])
    assert outcome.retrieved_1 is True


def test_a_word_the_corpus_lacks_is_searched_by_the_words_wordnet_defines_it_with():
    vocabulary = Vocabulary({"machine", "compress", "exchange", "copies"}, {}, {})
    assert dict(vocabulary.expand("what computer do I need?").defined)["computer"] == ("machine",)
    assert "compress" in dict(vocabulary.expand("can I squash it?").defined)["squash"]
    assert "exchange" in vocabulary.expand("may I sell copies?").defined_added
    # A word the corpus uses is searched as it is, never widened.
    assert vocabulary.expand("how many copies?").defined == ()


def test_defining_words_find_the_passage_the_question_words_miss(tmp_path):
    (tmp_path / "terms.txt").write_text(
        "Terms\n\n"
        "Copies\n\nYou may accept compensation in exchange for copies.\n\n"
        "Printing\n\nPrinted copies must carry the notice on the cover.\n", encoding="utf-8")
    bot = netqa.load(tmp_path)
    assert "exchange" in bot.top_passages("can I sell copies?", 1)[0].text


def test_a_rare_document_word_a_lay_word_stands_for_weighs_no_more_than_its_common_one(tmp_path):
    # "people = patients, individuals": the question means patients, which the corpus says everywhere; the one
    # sentence saying "individuals" must not pull the search for being rare
    (tmp_path / "trial.txt").write_text(
        "Trial\n\nEnrolment\n\nThe trial enrolled 298 patients.\n\n"
        "Other trials\n\nIndividuals enrolled elsewhere are not counted.\n\n"
        "Results\n\nPatients lived longer on the drug than on placebo.\n\n"
        "Dosing\n\nPatients took one tablet a day with water.\n", encoding="utf-8")
    (tmp_path / "lexicon.txt").write_text("people = patients, individuals\n", encoding="utf-8")
    bot = netqa.load(tmp_path)
    usual, rarer = bot._alternatives(bot.vocabulary.expand("how many people were enrolled?").synonyms, 0.9)
    assert usual == ["patients"]
    (word, weight), = rarer
    assert word == "individuals" and weight * bot._idf_of("individu") == pytest.approx(0.9 * bot._idf_of("patient"))


# ---------------------------------------------------------------- follow-ups: what a turn carries from the last


def _after(question: str) -> tuple[Turn, ...]:
    return (Turn(question, (), True),)


def test_a_follow_up_without_a_pronoun_still_carries_the_last_topic_as_context():
    resolved = resolve("did the grade matter?", _after("What was the main result of CABINET?"), {})
    assert resolved.text == "did the grade matter?" and "cabinet" in resolved.context.split()


def test_a_follow_up_naming_its_own_subject_carries_nothing():
    assert resolve("Who sponsored the STELLAR trial?", _after("What was the main result of CABINET?"), {}).context == ""
    # ...unless it points back as well: "it" is still the trial
    assert "cabinet" in resolve("How does it compare with PRRT?", _after("What is CABINET?"), {}).context


def test_two_questions_of_one_message_are_two_questions():
    assert resolve("who sponsored the trial?", _after("What is the survival?"), {}, same_message=True).context == ""


# ---------------------------------------------------------------- documents named in the question


@pytest.fixture(scope="module")
def licences(tmp_path_factory):
    folder = tmp_path_factory.mktemp("licences")
    clauses = ("You may use and copy the work under this License.", "You may change the work and share your changes.",
               "The License gives no warranty of any kind.", "The License ends if you break its terms.")
    for name, title in (("alpha.txt", "ALPHA PUBLIC LICENSE Version 2"), ("beta.txt", "BETA DOCUMENTATION LICENSE")):
        (folder / name).write_text(title + "\n\n" + "\n\n".join(clauses) + "\n", encoding="utf-8")
    (folder / "gamma1g-copyright.txt").write_text(
        "Files: *\n\n"
        "The gamma library was written by Ann Smith; its terms are permissive.\n\n"
        "Keep this notice in programs you sell.\n\n"
        "The authors give no warranty.\n\n"
        "The Debian package has the same license.\n", encoding="utf-8")
    return netqa.load(folder)


def test_a_package_file_is_also_named_by_the_letters_before_its_number():
    assert "zlib" in names_text("zlib1g-copyright", "zlib1g-copyright.txt").split()


def test_a_word_every_document_uses_names_none_of_them(licences):
    # "license" stands in two titles, but every document uses it: "gamma" is the name asked about.
    top = licences.top_passages("What license does gamma use?", 1)[0]
    assert top.path == "gamma1g-copyright.txt"


def test_a_question_naming_a_document_by_its_initialism_finds_it(licences):
    assert licences.top_passages("Under the BDL, may I change the work?", 1)[0].path == "beta.txt"
    assert licences.top_passages("Does APLv2 give a warranty?", 1)[0].path == "alpha.txt"


FROB = ("FROB LICENSE\nVersion 2.0, January 2004\n\n"
        "1. Definitions. \"Work\" shall mean the work of authorship made available under this License.\n\n"
        "2. Grant of Copyright License. Each Contributor grants You a copyright license to copy the Work.\n\n"
        "3. Grant of Patent License. Each Contributor grants You a patent license to make and sell the Work.\n\n"
        "4. Trademarks. This License does not grant permission to use the trade names of the Licensor.\n\n"
        "5. Redistribution. You may give copies of the Work to anyone, with a copy of this License.\n\n"
        "6. Submission of Contributions. A Contribution You submit is under the terms of this License.\n\n"
        "7. Disclaimer of Warranty. The Licensor provides the Work on an \"AS IS\" basis.\n\n"
        "8. Limitation of Liability. No Contributor is liable to You for damages of any kind.\n\n"
        "9. Accepting Warranty. You may offer support for a fee, on Your own behalf only.\n\n"
        "APPENDIX: How to apply the Frob License to your work.\n\n"
        "   Licensed under the Frob License, Version 2.0 (the \"License\"); you may not use this file except in\n"
        "   compliance with the License.\n")


def test_the_only_documents_name_says_which_document_not_which_passage(tmp_path):
    # The name's words (and its version) are only in the title and the notice of how to apply it, not in the clause
    # asked about; a number alone is no name ("section 2").
    bot = bot_on(tmp_path, "frob.txt", FROB)
    assert bot.top_passages("Does the Frob License 2.0 give a patent grant?", 1)[0].section == \
        "3. Grant of Patent License"
    assert bot.top_passages("What does section 2 of the Frob License Version 2.0 grant?", 1)[0].section == \
        "2. Grant of Copyright License"
    # a question that is only the name is still searched by it
    assert bot.top_passages("What is the Frob License?", 1)


def test_a_headline_is_no_name_its_words_are_what_the_text_is_about():
    from netqa.documents.names import is_name, name_proper

    assert is_name("Apache License Version 2.0, January 2004") and is_name("XZ Utils")
    assert not is_name("FDA Clears Cabozantinib as New Treatment Option for Advanced Neuroendocrine Tumors")
    assert not is_name("Frequently Asked Questions about zlib")
    proper = name_proper("Apache License Version 2.0, January 2004", "Apache-2.0").split()
    assert "Apache" in proper and "ALv2" in proper and "January" not in proper and "Version" not in proper
