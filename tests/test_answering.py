"""The answering stages, each on small inline examples: message -> question(s), word repair, facts, evidence,
follow-ups, yes/no, and how replies name what they quote."""

from __future__ import annotations

from importlib import resources

import pytest

import netqa
from netqa.facts import extract_fact, verdict
from netqa.followup import antecedent_of, resolve
from netqa.lang import en
from netqa.message import constraints_of, question_types, questions_in, spell_out, story_of, understand
from netqa.records import ReplyKind, Turn
from netqa.terms import Vocabulary
from small_corpus import bot_on


@pytest.fixture(scope="module")
def bot():
    return netqa.load()


@pytest.fixture(scope="module")
def pharmacy(tmp_path_factory):
    return bot_on(tmp_path_factory.mktemp("pharmacy"), "hours.txt",
        "Pharmacy hours\n\n"
        "The pharmacy is open Monday to Friday, 9 am to 5 pm. It is closed on public holidays.\n\n"
        "Prescriptions\n\n"
        "A prescription expires if it is not collected within 30 days of being issued. "
        "Repeat prescriptions are randomized across two collection points.\n")


# ---------------------------------------------------------------- message -> question(s)

def test_a_long_message_is_answered_on_its_question():
    message = ("My mother was diagnosed two years ago and she has been through chemo. I'm trying to understand "
               "things before her appointment. What I really want to know is how many patients were in the study?")
    assert questions_in(message) == ("How many patients were in the study?",)


def test_two_questions_in_one_sentence_are_two_questions():
    assert questions_in("Who will run the new trial, and what is it called?") == (
        "Who will run the new trial?", "what is it called (run new trial)?")  # "it": what the one before is about
    assert questions_in("Who ran the trial, and when was the drug approved?") == (
        "Who ran the trial?", "when was the drug approved?")
    assert questions_in("How many patients were in the trial and in which journal was it published?") == (
        "How many patients were in the trial?", "in which journal was it published (patients trial)?")


_STORY = ("My dad is 71 and his tumour started in the pancreas and has spread to his liver last spring. We read "
          "this news together at the kitchen table after his scan. ")


@pytest.mark.parametrize("request_, asked", [
    ("I'd like to know the dose they used in the trial.", "The dose they used in the trial."),
    ("I would love to find out the name of the next trial.", "The name of the next trial."),
    ("Could you let me know the dose used in the trial.", "The dose used in the trial."),
    ("I wonder about the dose they used in the trial.", "The dose they used in the trial."),
])
def test_a_request_to_know_something_is_the_question_wherever_it_stands(request_, asked):
    assert questions_in(_STORY + request_ + " He gets tired easily and my mum worries.") == (asked,)


def test_a_question_written_without_capital_or_mark_is_found_in_a_long_message():
    assert questions_in(_STORY + "how many patients had pnet He gets tired easily and my mum worries.") == (
        "how many patients had pnet",)
    assert questions_in(_STORY + "can children be given it I have a NET too.") == ("can children be given it",)
    assert questions_in(_STORY + "what should I do if I miss a dose") == ("what should I do if I miss a dose",)
    assert questions_in("Was it published in The Lancet") == ("Was it published in The Lancet",)


def test_a_clause_asking_after_a_comma_asks_and_what_is_told_before_it_frames_it():
    assert questions_in(_STORY + "His tumor started in his lungs, what are the odds of making it five years.") == (
        "what are the odds of making it five years (his tumor started in his lungs).",)
    assert questions_in(_STORY + "He takes a pill, which is small. How many patients were there?") == (
        "How many patients were there?",)


def test_and_before_a_question_word_that_opens_a_told_clause_joins_one_question():
    assert questions_in("Did you read the study and what the doctor said about it?") == (
        "Did you read the study and what the doctor said about it?",)


def test_a_word_that_only_goes_on_frames_nothing():
    assert questions_in("I read it on my phone. What was more common? Also, how often did bleeding happen?") == (
        "What was more common?", "how often did bleeding happen?")


def test_two_questions_in_a_long_message_get_two_short_answers(bot):
    reply = bot.ask("I was diagnosed last spring and I've been on monthly shots since then. A friend sent me this "
                         "article and I'm confused about one thing. Who is going to test cabozantinib against "
                         "everolimus next, and when is that supposed to happen?")
    assert reply.kind is ReplyKind.ANSWER and "first half of 2025" in (reply.short_answer or "")


def test_two_questions_answered_by_one_sentence_quote_it_once(bot):
    reply = bot.ask("How many patients were in the CABINET trial? And how many of them had pancreatic NET?")
    assert reply.lead == ("The number is 298.", "The number is 99.")
    assert reply.answer.count("The trial enrolled 298 patients") == 1  # the longer quote, holding the other, once
    assert reply.answer.index("The number is 99.") < reply.answer.index("The trial enrolled 298 patients")


def test_an_indirect_question_asked_of_the_reader_is_the_question():
    assert questions_in("My wife is on her third treatment and it has been a long road for us both. Could you "
                        "explain why the drug was approved?") == ("Why the drug was approved?",)
    assert questions_in("My wife is on her third treatment and it has been a long road for us both. Any idea what "
                        "dose they used in the trial?") == ("What dose they used in the trial?",)


def test_a_question_framed_by_the_article_is_the_question_itself():
    assert questions_in("Does the article say how often clots happened?") == ("How often clots happened?",)


def test_what_a_colon_introduces_is_the_question():
    message = ("My cousin and I argued about the study. So, settle it for us: how many of the people in the trial "
               "had the pancreas kind?")
    assert questions_in(message) == ("How many of the people in the trial had the pancreas kind?",)
    assert questions_in("Note: the trial was small. Was it blinded?") == ("Was it blinded?",)


def test_a_sentence_opening_like_a_question_may_only_tell():
    message = ("When I load the prices back I get numbers like 19.990000000000002. Is there a way to tell the "
               "loader to use exact values?")
    assert questions_in(message) == ("Is there a way to tell the loader to use exact values?",)
    assert questions_in("When I load the prices back. Which option.") == ("Which option.",)


def test_at_most_three_questions_are_taken():
    assert len(questions_in("What is NET? What is PRRT? What is CABINET? What is STELLAR?")) == 3


def test_a_topic_and_a_question_about_it_are_one_question():
    assert questions_in("what about clots in the blood, how often did people get those?") == (
        "how often did people get clots in the blood?",)


def test_a_phrase_framing_a_question_goes_with_it_as_an_aside():
    assert questions_in("Under the MPL, what is a Larger Work?") == ("what is a Larger Work (under the MPL)?",)
    assert questions_in("If I build a program for others, how do I spare them headaches?") == (
        "how do I spare them headaches (if I build a program for others)?",)


def test_an_indirect_question_of_the_writer_is_asked_without_a_question_mark():
    message = ("I am a pharmacist and patients ask me about this approval. I want to be accurate with them. I was "
               "wondering which journal published the final results, since I would like to read the paper myself.")
    assert questions_in(message) == ("Which journal published the final results",)  # the reason for asking is story


def test_a_question_told_of_someone_else_is_story_beside_the_one_asked():
    message = ("A caller wanted to know how the trial was run. She sounded very tired. What benefit did the drug "
               "show over placebo?")
    assert questions_in(message) == ("What benefit did the drug show over placebo?",)


def test_a_lead_in_naming_the_question_leaves_what_was_asked_before_it_as_story():
    message = ("Is it normal to feel this scared? My scan showed the tumour has grown. Anyway, here is my real "
               "question: how many patients were in the trial in total?")
    questions = questions_in(message)
    assert questions == ("How many patients were in the trial in total?",)
    assert "Is it normal to feel this scared?" in story_of(message, questions)


def test_a_message_written_without_capitals_is_still_read_sentence_by_sentence():
    message = ("my husband has been through two surgeries and we are both exhausted. our daughter printed this "
               "article for us. can you tell me what other cancers the drug is already approved for")
    assert questions_in(message) == ("what other cancers the drug is already approved for",)


def test_a_topic_or_a_supposition_before_the_question_asked_of_it_is_story():
    message = ("My boss worries restoring backups will take ages. I've read compression is slow at high settings, "
               "but what about getting the files back out? How does unpacking speed compare to bzip2?")
    assert questions_in(message) == ("How does unpacking speed compare to bzip2?",)
    message = ("My worry is this: what if the waiver does not hold up in some country? What kind of licence does "
               "the person grant in that case?")
    assert questions_in(message) == ("What kind of licence does the person grant in that case?",)


def test_an_aside_in_brackets_is_searched_but_binds_no_answer():
    asked = understand("what is the survival (in England)?")
    assert "england" not in asked.constraints and "england" in asked.normalised.lower()


@pytest.mark.parametrize("question, term", [
    ("What is a Larger Work?", ("larger", "work")), ("what does epNET mean", ("epnet",)),
    ("How does the LGPL define an Application?", ("application",)),
    ("What is the five-year survival for pancreatic NET?", ()),  # a description, not a term
])
def test_a_question_asking_what_a_term_means_names_the_term(question, term):
    assert understand(question).term == term


def test_a_long_message_question_pointing_back_takes_the_sentence_before_it_as_context():
    message = ("I keep a big report in memory. Someone suggested a file that stays in memory until it gets big. "
               "What decides when that kind of file moves to disk?")
    assert antecedent_of(message, "What decides when that kind of file moves to disk?") == (
        "Someone suggested a file that stays in memory until it gets big.")
    assert antecedent_of(message, "What decides when a spooled file moves to disk?") == ""  # names its own subject


def test_a_typo_inside_an_identifier_is_corrected_in_place():
    vocabulary = Vocabulary({"config", "error", "bz"}, {}, {})
    assert vocabulary.expand("what does BZ_CONFG_ERROR mean").text == "what does BZ_CONFIG_ERROR mean"


@pytest.mark.parametrize("question, counted", [
    ("how many lines for inline functions?", "lines"), ("how many pills per day?", "pills"),
    ("how many patients were in the study?", "patients"),
])
def test_the_counted_noun_ends_before_a_preposition(question, counted):
    assert understand(question).counted == counted


def test_chat_abbreviations_are_spelled_out_but_initials_are_kept():
    assert spell_out("how many pts w/ pNET in the U.S. in 5yr") == "how many patients with pNET in the U.S. in 5-year"


def test_a_spelled_out_word_keeps_its_capital_so_its_sentence_still_starts_there():
    assert spell_out("I read it twice. Wen was it updated") == "I read it twice. When was it updated"


@pytest.mark.parametrize("question, kind", [
    ("How many patients were enrolled?", "count"), ("How often did bleeding happen?", "frequency"),
    ("How long is the warranty valid?", "duration"), ("When does the licence terminate?", "date"),
    ("Who publishes new versions?", "person"), ("Did the doctors know who got the real medicine?", "yesno"),
    ("What does it mean when recv returns 0 bytes?", "definition"),  # "when" opens a clause, it asks no date
    ("So when will the results be out?", "date"),
    ("Which zlib version fixed the bug?", "version"), ("In what version was xz added?", "version"),
    ("and if the program doesn't say which version applies?", "other"),  # asks which, not for a release
])
def test_question_types_come_from_the_one_table(question, kind):
    assert understand(question).type == kind


def test_one_entry_of_a_table_file_reads_as_its_words_in_order():
    assert en.table_words("constraint_words.txt", "prepositions") == tuple(
        en.table("constraint_words.txt")["prepositions"].split())
    assert "in" in en.table_words("constraint_words.txt", "prepositions")


def test_every_question_type_has_its_template():
    names = {p.name for p in resources.files("netqa.templates").iterdir()}
    assert all(t.template in names for t in question_types())


@pytest.mark.parametrize("question, constraints", [
    ("What is the five-year survival in England?", ("england",)),
    ("What is the survival once it has spread to the liver?", ("liver",)),
    ("Is it approved in children?", ("children",)),
    ("Which foundation is mentioned in the article?", ()),  # framing, not a constraint
    ("Was it run at one site or at many sites?", ()),  # alternatives
    ("What percentage had grade 1-2 bleeding?", ("grade 1-2",)),
])
def test_constraints_are_the_place_group_time_or_label_a_question_names(question, constraints):
    assert constraints_of(question) == constraints


# ---------------------------------------------------------------- word forms

@pytest.fixture(scope="module")
def vocabulary():
    return Vocabulary({"randomized", "patients", "license", "tumor", "pnet", "trial"}, {}, {})


@pytest.mark.parametrize("typed, repaired", [
    ("were patients randomised", "were patients randomized"),
    ("the licence", "the license"),
    ("howmany patients", "how many patients"),
    ("I read it. Howmany patients", "I read it. How many patients"),
    ("wasit a trial", "was it a trial"),
    ("the U.S. trial", "the U.S. trial"),
    ("pnet tumour", "pnet tumor"),
    ("the liver trial", "the liver trial"),  # an English word is never rewritten
])
def test_word_forms_the_corpus_lacks_are_repaired(vocabulary, typed, repaired):
    assert vocabulary.repair(typed) == repaired


def test_a_word_the_corpus_lacks_finds_the_words_wordnet_relates_to_it():
    vocabulary = Vocabulary({"compare", "study"}, {}, {})
    assert "compare" in dict(vocabulary.expand("the comparison study").related)["comparison"]


def test_a_word_is_related_only_through_its_usual_senses():
    # "a run" = "a trial" is a sense of "run" WordNet's tag counts show hardly anyone means
    vocabulary = Vocabulary({"trial", "test"}, {}, {})
    assert vocabulary.expand("how long was the run").related == ()


def test_an_idiom_wordnet_relates_is_not_found_by_its_one_word_that_is_not_a_particle():
    # WordNet: "hand" = "turn over", "trick" = "fast one"; a text saying "turn" or "fast" says neither
    vocabulary = Vocabulary({"turn", "fast", "copies"}, {}, {})
    assert vocabulary.expand("can I hand out copies?").related == ()
    assert vocabulary.expand("is there a trick?").related == ()


def test_the_general_lay_vocabulary_links_patient_words_to_the_corpus_words():
    vocabulary = Vocabulary({"chemotherapy", "received"}, {}, {})
    assert ("chemo", ("chemotherapy",)) in vocabulary.expand("after chemo").synonyms


# ---------------------------------------------------------------- facts

SENTENCE = ("The trial enrolled 298 patients across two disease cohorts—99 with pancreatic NET (pNET) and 199 with "
            "extra-pancreatic NET (epNET)—randomizing them 2:1.")


def _fact(sentence: str, question: str) -> str | None:
    asked = understand(question)
    from netqa.text import content_words, stem
    query = {stem(w): 1.0 for w in content_words(asked.normalised)}
    return extract_fact(sentence, asked, query, lambda term: 1.0)


@pytest.mark.parametrize("question, figure", [
    ("How many patients had pNET?", "99"),
    ("How many patients were enrolled?", "298"),
    ("How many disease cohorts were there?", "two"),
    ("How many of the trial participants had pancreatic NET?", "99"),  # "of the trial": the whole, not which
])
def test_the_figure_is_the_one_bound_to_the_question(question, figure):
    assert _fact(SENTENCE, question) == figure


@pytest.mark.parametrize("question, figure", [
    ("What is the five-year survival when the tumor started in the lung?", "55%"),
    ("What is the five-year survival for pancreatic tumors?", "23%"),
])
def test_what_a_sentence_is_about_does_not_pick_its_figure(question, figure):
    sentence = ("The five-year survival varies by tumor location: only 23% for pancreatic cases compared to 55% for "
                "lung tumors.")
    assert _fact(sentence, question) == figure


def test_a_word_inside_a_name_does_not_bind_a_figure_to_the_question():
    sentence = "The January 2025 update to the National Comprehensive Cancer Network guidelines lists the drug."
    assert _fact(sentence, "When did the FDA first approve it for any cancer?") is None  # "Cancer" names a network
    assert _fact(sentence, "When did the Cancer Network update its guidelines?") == "January 2025"


@pytest.mark.parametrize("sentence, question, answer", [
    ("This License shall be governed by California law provisions.", "Which state's law governs the License?",
     "California"),  # a common word, and a place WordNet knows as a state
    ("The port for Windows was written by Yoshioka Tsuneo.", "Which country does Yoshioka Tsuneo live in?", None),
    ("A stream is IDLE or RUNNING.", "What states can a stream be in?", None),  # no place of any kind
])
def test_which_kind_of_place_is_answered_by_a_place_of_a_kind(sentence, question, answer):
    assert _fact(sentence, question) == answer


def test_how_much_more_or_less_is_answered_by_a_share():
    assert _fact("With typical files, xz creates about 30 % smaller files than gzip.",
                 "How much smaller are xz files than gzip files?") == "30 %"


@pytest.mark.parametrize("question, quote, said", [
    ("Do patients with advanced NET eventually progress?",
     "NET progression eventually develops in all patients with advanced disease.", "Yes"),
    ("Is NET a common cancer?", "NET are rare cancers, most commonly found in the gut.", None),  # not "common"
    ("Do I need genetic testing to get it?", "It eliminates the need for genetic testing.", "No"),
    ("Can I charge people for helping them?", "You may charge any fee you choose for support. You may not charge a "
     "fee for this Package itself.", None),  # it says both, each for its own case
    ("Will the socket module accept these objects?", "The socket module won’t accept objects from this module.",
     "No"),  # a typographic apostrophe
    ("Is this drug brand new or has it been approved before?", "The drug has been approved before.", None),
    ("Is the low-level part of the library thread-safe?", "The low-level part of the library has no global variables "
     "and is therefore thread-safe.", "Yes"),  # the negation denies another clause's words
    ("Is it thread-safe?", "It is thread-safe, but the gz functions are not.", None),  # "not" may deny it all
    ("Is it safe and effective?", "It is not safe and effective.", "No"),  # "and" before no verb goes on
])
def test_yes_or_no_only_when_the_quote_says_it_plainly(question, quote, said):
    from netqa.text import content_words, stem
    query = {stem(w): 1.0 for w in content_words(question.lower())}
    assert verdict(understand(question), quote, query, False) == said


@pytest.mark.parametrize("sentence, question, answer", [
    ("Versions 1.1.3 and before had a double-free bug; it was fixed in zlib 1.1.4.",
     "Which zlib version fixed the double-free bug?", "1.1.4"),
    ("It uses O_TMPFILE, which requires Linux kernel 3.11 or later.", "Which Linux kernel version is needed?", "3.11"),
    ("This License is version 3 of the GNU GPL, supplemented by the permissions below.",
     "Which version of the GNU GPL does it build on?", "version 3"),
    ("About 2.5% of the files and 1.5 MB of memory are used.", "Which version is used?", None),  # figures, not releases
])
def test_a_version_question_is_answered_by_a_release_number(sentence, question, answer):
    assert _fact(sentence, question) == answer


@pytest.mark.parametrize("question, figure", [
    ("How many patients were in the study that got this drug approved?", "298"),  # "drug" brought "cabozantinib"
    ("How many patients got placebo?", None),  # the question's own word, not the counted noun, binds the figure
])
def test_only_the_questions_own_words_keep_the_counted_noun_from_binding_a_figure(question, figure):
    from netqa.text import content_words, stem
    asked = understand(question)
    query = {stem(w): 1.0 for w in content_words(asked.normalised)} | {"cabozantinib": 0.6}
    sentence = ("The trial enrolled 298 patients across two cohorts—randomizing them to receive either cabozantinib "
                "or placebo.")
    assert extract_fact(sentence, asked, query, lambda term: 1.0) == figure


def test_ten_or_fewer_is_a_count():
    assert _fact("Inline functions ten or fewer lines in length may be used.",
                 "How many lines may an inline function have?") == "ten or fewer"


@pytest.mark.parametrize("sentence, question, answer", [
    ("Another name for it is the Schwartzian transform, after Randal L. Schwartz, who made it popular.",
     "Who is it named after?", "Randal L. Schwartz"),  # an initial is no common word
    ("Send your queries to him (but please Cc: the mailing list).", "Which country does he live in?", None),
])
def test_a_name_is_written_as_names_are(sentence, question, answer):
    assert _fact(sentence, question) == answer


@pytest.mark.parametrize("sentence, question, answer", [
    ("The translations are handled via the Translation Project.", "Who looks after the project?", None),
    ("The project is looked after by Lasse Collin.", "Who looks after the project?", "Lasse Collin"),
    ("It appeared in the New England Journal of Medicine.", "Which journal published it?",
     "New England Journal of Medicine"),  # the kind of name asked for may be its head
])
def test_a_name_of_what_is_asked_about_is_not_who_or_where(sentence, question, answer):
    assert _fact(sentence, question) == answer


def test_a_number_counting_something_else_is_not_the_answer():
    assert _fact(SENTENCE, "How many hospitals took part?") is None


def test_a_number_inside_a_compound_counts_nothing():
    assert _fact("The five-year survival is high for pancreatic cases.", "How many pancreatic cases?") is None


def test_when_can_be_a_span_of_days_and_hours(pharmacy):
    reply = pharmacy.ask("When is the pharmacy open?")
    assert reply.short_answer == "Monday to Friday, 9 am to 5 pm"


def test_when_can_be_a_condition(pharmacy):
    reply = pharmacy.ask("When does a prescription expire?")
    assert reply.kind == ReplyKind.ANSWER and "if it is not collected" in reply.short_answer


# ---------------------------------------------------------------- answer or abstain

@pytest.mark.parametrize("question", [
    "What is the five-year survival for pancreatic NET in England?",
    "How many patients died during the CABINET trial?",
    "When will the STELLAR-311 results be available?",
    "What percentage of patients had grade 1-2 bleeding?",
    "In which city was the 2024 ESMO Congress held?",
])
def test_a_constraint_the_text_lacks_sinks_the_answer(bot, question):
    assert bot.ask(question).kind == ReplyKind.NO_ANSWER


@pytest.mark.parametrize("question, figure", [
    ("What could the upcoming everolimus comparison study help refine?", "treatment sequencing"),
    ("how many pts were enrolled in CABINET", "298"),
    ("were patients randomised in CABINET", "randomized"),
    ("howmany patients had pNET", "99"),
    ("What share of the trial population was affected by thrombotic events?", "1-2%"),  # "share" names the answer
])
def test_a_generic_or_misspelt_word_does_not_sink_the_answer(bot, question, figure):
    reply = bot.ask(question)
    assert reply.kind == ReplyKind.ANSWER and figure in reply.answer


@pytest.fixture(scope="module")
def faq(tmp_path_factory):
    return bot_on(tmp_path_factory.mktemp("faq"), "faq.txt",
        "Project FAQ\n\n"
        "Will the maintainers sign our company's legal papers?\n\n"
        "No. Go away.\n\n"
        "The study\n\n"
        "The Free Software Foundation (FSF) ran a multicenter study of the library in 2020. "
        "Temporary files are removed when the process ends.\n")


def test_an_faq_answer_is_judged_with_the_question_it_answers(faq):
    reply, evidence = faq.explain("Will the maintainers sign our legal papers?")
    assert reply.kind == ReplyKind.ANSWER and reply.quote == "No. Go away." and evidence.answers_faq
    assert reply.answer.startswith("No.\n")  # the text's own answer to that question says no plainly


def test_initials_stand_for_the_name_the_text_spells_out(tmp_path):
    notes = bot_on(tmp_path, "notes.txt", "Exceptions\n\nFor software which is copyrighted by the Free Software "
                   "Foundation, write to the Free Software Foundation; we sometimes make exceptions for this.\n")
    _, evidence = notes.explain("What does the FSF do about exceptions?")
    assert evidence is not None and not evidence.missing_constraint and evidence.quote_coverage == 1.0


def test_in_a_folder_of_documents_the_quote_holds_the_name_of_its_document(tmp_path):
    (tmp_path / "artistic.txt").write_text("The Artistic License\n\nSupport\n\nYou may charge any fee you choose "
                                           "for support of this Package.\n", encoding="utf-8")
    (tmp_path / "mit.txt").write_text("The MIT License\n\nWarranty\n\nThe software is provided as is, without "
                                      "warranty of any kind.\n", encoding="utf-8")
    _, evidence = netqa.load(tmp_path).explain("Can I charge a fee for support under the Artistic License?")
    assert evidence is not None and evidence.quote_coverage == 1.0  # "Artistic License" is the quote's document


@pytest.mark.parametrize("question", [
    "Was the study run at many centers?",  # the head of "multicenter"
    "Are temp files removed at the end?",  # clipped from "temporary"
    "Did the FSF run a study of the library?",  # the abbreviation of a name the text spells out
])
def test_a_constraint_inside_a_longer_word_or_spelled_out_is_found(faq, question):
    _, evidence = faq.explain(question)
    assert evidence is not None and not evidence.missing_constraint


@pytest.fixture(scope="module")
def clinic_notes(tmp_path_factory):
    return bot_on(tmp_path_factory.mktemp("notes"), "notes.txt",
        "Clinic notes\n\n"
        "The study enrolled adults at ten sites.\n\n"
        "The study was a phase 3 trial.\n\n"
        "The study team met every week.\n\n"
        "Headaches were reported by 12 of the patients.\n\n"
        "Parking in the visitor car park charges 2 pounds for each hour.\n\n"
        "Comparing an IPv4Address object with an IPv6Address object raises a TypeError.\n\n"
        "Meals are served at noon.\n\n"
        "The garden is open to everyone.\n\n"
        "Letters are answered within a month.\n\n"
        "Each patient takes 40mg every morning at the multicenter sites.\n")


@pytest.mark.parametrize("question", [
    "How much does visitor parking cost?",  # "cost" is what a sum of money answers
    "What is raised when comparing an IPv4 object with an IPv6 object?",  # "IPv4" inside "IPv4Address"
])
def test_a_constraint_the_text_meets_in_another_form_does_not_sink_the_answer(clinic_notes, question):
    _, evidence = clinic_notes.explain(question)
    assert evidence is not None and not evidence.missing_constraint


def test_a_word_inside_a_longer_one_counts_as_covered(clinic_notes):
    _, evidence = clinic_notes.explain("Did each patient take 40 mg every morning at the center?")
    assert evidence.quote_coverage == 1.0  # "mg" written onto "40mg", "center" the head of "multicenter"


def test_what_this_points_at_need_not_be_named_in_the_text(clinic_notes):
    _, evidence = clinic_notes.explain("Did patients report headaches with this tablet?")
    assert not evidence.missing_constraint and evidence.quote_coverage == 1.0


def test_a_label_the_text_gives_another_number_is_quoted_without_yes_or_no(clinic_notes):
    # "phase 3" is what the text says; but "grade 3" would not deny "grade 1-2", so no plain No either
    reply = clinic_notes.ask("Was the study a phase 2 trial?")
    assert reply.kind == ReplyKind.ANSWER and "phase 3" in reply.quote
    assert not reply.answer.startswith(("Yes", "No"))


def test_a_rare_constraint_the_passage_lacks_still_sinks_it(clinic_notes):
    _, evidence = clinic_notes.explain("How many patients in the garden had headaches?")
    assert evidence is not None and evidence.missing_constraint and evidence.missing == ("garden",)


def test_a_no_answer_names_the_part_of_the_text_that_comes_closest(clinic_notes):
    reply = clinic_notes.ask("How many patients in the garden had headaches?")
    assert reply.kind == ReplyKind.NO_ANSWER and reply.short_answer is None and reply.quote is None
    assert [c.passage_id for c in reply.citations] == ["notes-p04"]
    assert reply.lead[1] == 'The part of it that comes closest does not mention "garden".'  # the missing constraint
    assert "[notes-p04]" in reply.answer


@pytest.fixture(scope="module")
def numbered_terms(tmp_path_factory):
    return bot_on(tmp_path_factory.mktemp("terms"), "terms.txt",
        "Terms of use\n\n1. Definitions.\n\n   \"Work\" shall mean the program and its documentation.\n\n"
        "2. Grant of Licence.\n\n   You may copy the Work for any purpose.\n\n"
        "3. Redistribution.\n\n   You must keep every notice of the Work and give each recipient a copy of these terms."
        "\n\n4. Termination.\n\n   These terms end at once if you break them.\n")


@pytest.mark.parametrize("part", ["section 3", "clause 3"])
def test_a_numbered_part_the_question_names_is_met_by_the_heading_the_passage_stands_under(numbered_terms, part):
    reply = numbered_terms.ask(f"What must I give each recipient under {part}?")
    assert reply.kind == ReplyKind.ANSWER and reply.citations[0].section == "3. Redistribution"


def test_a_numbered_part_the_passage_is_not_under_is_missing(numbered_terms):
    reply, evidence = numbered_terms.explain("What must I give each recipient under section 4?")
    assert reply.kind == ReplyKind.NO_ANSWER and evidence.missing == ("section 4",)


@pytest.fixture(scope="module")
def unit_notes(tmp_path_factory):
    return bot_on(tmp_path_factory.mktemp("unit"), "unit.txt", "Unit notes\n\n"
                  "The Clinical Research Unit (CRU) runs the trials of the hospital.\n\n"
                  "The unit saw an estimated 400 visits last year.\n\nMeals are served at noon.\n")


@pytest.mark.parametrize("question", ["What does the abbreviation CRU stand for?", "What does the acronym CRU mean?"])
def test_a_word_naming_a_word_is_not_what_is_asked_about(unit_notes, question):
    reply, evidence = unit_notes.explain(question)  # WordNet defines "abbreviation" as a word form
    assert reply.kind == ReplyKind.ANSWER and not evidence.focus_unknown and "Clinical Research Unit" in reply.quote


def test_what_is_asked_about_still_sinks_an_answer_when_the_text_never_names_it(unit_notes):
    _, evidence = unit_notes.explain("What is the price of a visit?")
    assert evidence.focus_unknown


def test_a_slot_filled_by_a_word_pointing_back_is_not_filled_by_something_else():
    from netqa.evidence import _slot_filled
    question = understand("Does the Foundation make exceptions for its own software?")
    assert not _slot_filled("software", question, "We sometimes make exceptions for this.")  # no "No"
    assert _slot_filled("software", question, "We make exceptions for libraries.")


@pytest.mark.parametrize("question, offers", [
    ("Which phase was the trial, like phase 1, 2 or 3?", True), ("Was it phase 2 or phase 3?", True),
    ("What is the survival for phase 2 patients?", False)])
def test_labels_offered_to_choose_from_are_no_constraint_of_their_own(question, offers):
    from netqa.evidence import _offers_alternatives
    assert _offers_alternatives(question) is offers


def test_a_label_offered_among_others_is_met_by_the_same_label_with_another_number(clinic_notes):
    _, evidence = clinic_notes.explain("Which phase was the study, like phase 1, 2 or 4?")
    assert not evidence.missing_constraint and "phase 3" in evidence.quote


@pytest.fixture(scope="module")
def visits(tmp_path_factory):
    return bot_on(tmp_path_factory.mktemp("visits"), "visits.txt", "Visits\n\n"
                  "Headaches were reported by 12 of the patients.\n\n"
                  "No visitor has ever been turned away.\n\nThe benefit depends on the dose.\n")


def test_a_word_known_only_as_a_verb_is_no_constraint(visits):
    _, evidence = visits.explain("Did headaches in the patients depend on anything?")
    assert not evidence.missing_constraint


def test_a_no_answer_cites_a_passage_about_the_question_though_it_holds_few_of_its_words(clinic_notes):
    reply, evidence = clinic_notes.explain("What colour are the letters and who signs them?")
    assert reply.kind == ReplyKind.NO_ANSWER and evidence is not None and evidence.coverage < 0.5
    assert [c.passage_id for c in reply.citations] == ["notes-p09"] and reply.quote is None
    assert reply.lead[1] == 'The part of it that comes closest does not mention "colour" or "signs".'


def test_a_no_answer_about_nothing_the_text_uses_cites_nothing(clinic_notes):
    reply = clinic_notes.ask("xyzzy plugh?")
    assert reply.kind == ReplyKind.NO_ANSWER and reply.citations == ()


# ---------------------------------------------------------------- follow-ups

def _turn(question: str, people: tuple[str, ...] = ()) -> tuple[Turn, ...]:
    return (Turn(question, people, True),)


def test_a_follow_up_replaces_the_slot_it_fills():
    resolved = resolve("what about thrombotic events?", _turn("How often did hemorrhagic events occur?"), {})
    assert resolved.text == "How often did thrombotic events occur?"


def test_a_bare_question_word_asks_the_last_question_again_in_its_place():
    assert resolve("what year?", _turn("Where were the final data presented?"), {}).text == \
        "what year were the final data presented?"
    assert resolve("when?", _turn("How many patients took part?"), {}).text == "when patients took part?"
    assert resolve("and for how long?", _turn("Can I give a written offer?"), {}).text == \
        "for how long can I give a written offer?"
    assert resolve("which ones?", _turn("Which cancers was it approved for?"), {}).text == \
        "which cancers was it approved for?"


def test_a_bare_question_saying_more_asks_its_kind_about_the_last_topic():
    resolved = resolve("how often does that happen?", _turn("What do the NCCN guidelines list cabozantinib as?"), {})
    assert resolved.text.startswith("how often") and "nccn" in resolved.text and "cabozantinib" in resolved.text


def test_a_pro_form_keeps_the_old_noun_with_the_new_words():
    resolved = resolve("what about the thrombotic ones?", _turn("How often did grade 3-5 hemorrhagic events occur?"),
                       {})
    assert resolved.text == "How often did thrombotic events occur?"


def test_a_new_name_replaces_the_old_one():
    assert resolve("and Cindy Lovelace?", _turn("Who is Jennifer Chan?"), {}).text == "Who is Cindy Lovelace?"


def test_her_becomes_the_person_named_before():
    resolved = resolve("what's her job title?", _turn("Who is the study chair?", ("Jennifer Chan",)), {})
    assert resolved.text == "what's Jennifer Chan's job title?"


def test_a_question_that_stands_on_its_own_drops_the_old_context():
    assert resolve("Who sponsored the CABINET trial?", _turn("What is the survival?"), {}).context == ""


def test_a_follow_up_without_a_slot_asks_about_its_subject_in_the_old_topic():
    resolved = resolve("what about side effects?", _turn("What did the FDA approve?"), {})
    assert resolved.text == "side effects?" and "fda" in resolved.context


# ---------------------------------------------------------------- yes or no

@pytest.mark.parametrize("question, first_word", [
    ("Were the final results published in The Lancet?", "No."),
    ("Did any unexpected safety signals come up in the trial?", "No."),
    ("Is cabozantinib approved for kidney cancer?", "Yes."),
    ("Do patients with advanced NET eventually progress?", "Yes."),
])
def test_yes_or_no_only_when_the_quote_says_so_plainly(bot, question, first_word):
    assert bot.ask(question).answer.split()[0] == first_word


def test_a_hedged_quote_gets_no_yes(bot):
    reply = bot.ask("Could the STELLAR-311 study refine treatment sequencing?")
    assert reply.answer.split()[0] not in ("Yes.", "No.")


# ---------------------------------------------------------------- naming what is quoted (starters: test_starters.py)

def test_replies_say_the_article_only_when_the_metadata_says_so(pharmacy, bot):
    assert bot.ask("How many patients were in the CABINET trial?").answer.count("The article says") == 1
    reply = pharmacy.ask("When is the pharmacy open?")
    assert "article" not in reply.answer and '"Pharmacy hours" says' in reply.answer


def test_no_answer_names_the_corpus(pharmacy):
    assert pharmacy.ask("What is the price of aspirin?").answer.startswith('"Pharmacy hours" does not say')


@pytest.mark.parametrize("name, text, question, found", [
    ("tool.txt", "Example Tool\n\nSpeed\n\nDecompression is about three times faster than compression.\n\nHistory\n\n"
     "The tool was first released in 2009 and is kept by two volunteers.\n", "is unzipping quick?",
     "three times faster"),
    ("licence.txt", "Example Licence\n\n1. Fees\n\nYou may charge a fee for each copy you convey.\n\n2. Notices\n\n"
     "Keep every copyright notice intact in all copies.\n", "can I sell it?", "charge a fee"),
])
def test_everyday_words_reach_the_words_manuals_and_licences_use(tmp_path, name, text, question, found):
    reply = bot_on(tmp_path, name, text).ask(question)
    assert reply.citations and found in reply.citations[0].text


def test_a_contraction_typed_without_its_apostrophe_is_spelled_out():
    assert spell_out("what if the text isnt json") == "what if the text isn't json"


def test_english_word_lists_live_in_one_place():
    assert "the" in en.word_list("stopwords.txt") and "January" in en.ordered_words("months.txt")


def test_a_phrase_before_the_question_does_not_make_the_reply_say_the_text_is_silent(tmp_path):
    licence = bot_on(tmp_path, "licence.txt",
                     "LESSER LICENCE\n\nA \"Combined Work\" is a work produced by combining or linking an Application "
                     "with the Library.\n\nThe Library may be copied and shared by anyone who keeps this notice.\n")
    question = "In version three, what is a Combined Work?"
    reply = licence.ask(question)
    assert questions_in(question) == ("what is a Combined Work (in version three)?",)  # framing, not a question
    assert reply.kind is ReplyKind.ANSWER and "combining or linking" in reply.answer
    assert "not say" not in reply.answer
