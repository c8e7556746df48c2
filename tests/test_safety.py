"""netqa.safety part by part (finding x words x person x time x negation x question), then end to end."""

from __future__ import annotations

import pytest

from netqa.records import RouteKind
from netqa.safety import Message, about_health, english, route

EMERGENCY, ADVICE, CHITCHAT, QUESTION = (RouteKind.EMERGENCY, RouteKind.MEDICAL_ADVICE, RouteKind.CHITCHAT,
                                         RouteKind.QUESTION)


def kind(text: str, health: bool = True) -> RouteKind:
    return route(text, health).kind


# ---------------------------------------------------------------- the words of a finding


@pytest.mark.parametrize("text, finding", [
    ("I am vomiting blood", "vomiting_blood"),
    ("throwing up stuff that looks like coffee grounds", "vomiting_blood"),
    ("he keeps coughing up bright red blood", "coughing_blood"),
    ("my poo is black and sticky", "blood_from_bowel"),
    ("there is blood in the toilet after I go", "blood_from_bowel"),
    ("crushing pressure in my chest", "chest_pain"),
    ("her face is drooping on one side", "stroke"),
    ("his speech is slurred", "stroke"),
    ("I can't breathe", "breathing"),
    ("her lips are turning blue", "breathing"),
    ("my dad won't wake up", "unconscious"),
    ("she is having a seizure", "seizure"),
    ("my throat is closing up after the pill", "severe_allergic_reaction"),
    ("my belly is hard as a rock", "perforation"),
    ("my blood pressure is 220/130 and my head is pounding", "hypertensive_crisis"),
    ("I took too many of my pills", "overdose"),
    ("the nosebleed won't stop", "heavy_bleeding"),
    ("worst headache of my life, came on suddenly", "sudden_headache"),
])
def test_each_red_flag_is_found_in_plain_words(text, finding):
    assert route(text) == route(text)  # cached, pure
    assert route(text).kind is EMERGENCY and route(text).reason == finding


@pytest.mark.parametrize("text", ["im vomitting blood", "my husband is unconcious", "she had a siezure just now",
                                  "he colapsed in the kitchen"])
def test_misspelt_red_flags_are_found_by_fuzzy_matching(text):
    assert kind(text) is EMERGENCY


@pytest.mark.parametrize("typed, meant", [("jmup", "jump"), ("bloow", "blood"), ("giong", "go"), ("mynelf", "myself"),
                                          ("bleading", "bleed"), ("siezure", "seizur")])
def test_a_misspelling_is_repaired_to_the_vocabulary_word_fewest_edits_away(typed, meant):
    # the fewest edits (a letter left out, added, changed, or two neighbours swapped): terms.Speller
    assert english().stems_of(typed) == meant


def test_a_word_english_knows_is_never_repaired_into_a_red_flag():
    stems = Message("the breeding programme", english()).stems
    assert stems[1] == "breed"


@pytest.mark.parametrize("text", ["Should I take cabozantinib on an empty stomach?",
                                  "can i skip my octreotide shot if I start cabozantinib",
                                  "I'm worried zlib will choke on files over 4 GB"])
def test_words_that_only_look_like_a_red_flag_do_not_make_one(text):
    assert kind(text) is not EMERGENCY


@pytest.mark.parametrize("text", ["a small nosebleed this morning", "my headache is back", "my stomach hurts a bit",
                                  "my blood pressure is 150/95",
                                  "my blood pressure was 185/110 this morning, no symptoms"])
def test_a_finding_that_needs_severity_does_not_hold_without_it(text):
    assert kind(text) is not EMERGENCY


# ---------------------------------------------------------------- who it happens to


@pytest.mark.parametrize("person", ["I am", "my dad is", "my wife is", "he is", "she is", "the patient is",
                                    "my brother's"])
def test_a_red_flag_about_anyone_present_is_an_emergency(person):
    assert kind(f"{person} vomiting blood") is EMERGENCY


@pytest.mark.parametrize("text", ["patients in the trial had serious bleeding",
                                  "people on cabozantinib can have a stroke"])
def test_a_red_flag_about_people_in_general_is_not_an_emergency(text):
    assert kind(text) is not EMERGENCY


# ---------------------------------------------------------------- time and negation


@pytest.mark.parametrize("text", ["last year I vomited blood from an ulcer, it has healed",
                                  "I had a heart attack years ago", "in 2019 my dad had a stroke",
                                  "I used to have seizures as a child"])
def test_a_red_flag_that_is_over_is_not_an_emergency(text):
    assert kind(text) is not EMERGENCY


def test_now_beats_a_past_time_in_another_clause():
    assert kind("I had a stroke in 2019 and now my face is drooping again") is EMERGENCY


@pytest.mark.parametrize("text", ["no chest pain", "he is not bleeding heavily any more", "my chest doesn't hurt",
                                  "I'm not having any trouble breathing", "she never had a seizure"])
def test_a_denied_red_flag_is_not_an_emergency(text):
    assert kind(text) is not EMERGENCY


@pytest.mark.parametrize("text", ["I can't stop vomiting blood", "he can't catch his breath",
                                  "no idea what to do, she collapsed"])
def test_negation_words_that_describe_the_emergency_do_not_deny_it(text):
    assert kind(text) is EMERGENCY


# ---------------------------------------------------------------- questions about a red flag


@pytest.mark.parametrize("text", ["Does the article mention suicide as a side effect?",
                                  "how common was bleeding in the trial?", "can cabozantinib cause a stroke?",
                                  "what are the signs of a perforation?",
                                  "what should I do if I ever have chest pain?"])
def test_a_question_about_a_red_flag_is_not_an_emergency(text):
    assert kind(text) is not EMERGENCY


@pytest.mark.parametrize("text", ["why is my dad vomiting blood?", "is it normal that my wife is coughing up blood?",
                                  "am I having a heart attack?"])
def test_a_question_about_someone_having_it_now_is_an_emergency(text):
    assert kind(text) is EMERGENCY


def test_a_long_message_is_an_emergency_when_one_sentence_reports_one():
    text = ("My husband started cabozantinib in March. His nosebleeds were small at first. Tonight it has been "
            "bleeding for an hour and won't stop, and he looks grey. How many patients had bleeding in the trial?")
    assert kind(text) is EMERGENCY


# ---------------------------------------------------------------- self-harm


@pytest.mark.parametrize("text", ["I want to kill myself", "my brother says he is going to end his life tonight",
                                  "she doesn't want to wake up tomorrow", "I took the whole bottle on purpose",
                                  "he has written a goodbye letter", "they would all be better off without me",
                                  "is 30 tablets enough to die"])
def test_self_harm_in_any_person_is_a_crisis(text):
    routed = route(text)
    assert routed.kind is EMERGENCY and routed.crisis


@pytest.mark.parametrize("text", ["I don't want to die", "Does the article mention suicide?",
                                  "I attempted suicide years ago, can I still join a trial?"])
def test_denied_asked_about_or_past_self_harm_is_not_a_crisis(text):
    assert not route(text).crisis


# ---------------------------------------------------------------- personal decisions


@pytest.mark.parametrize("text", ["What dose should I be taking?", "Would you take it if you were me?",
                                  "should my husband ask his oncologist to switch?",
                                  "is it safe for me to get pregnant",
                                  "would it work for my mum?", "can I stop my everolimus?", "i want to skip a dose",
                                  "am I a candidate for this?", "is it worth trying?"])
def test_a_personal_decision_is_medical_advice(text):
    assert kind(text) is ADVICE


@pytest.mark.parametrize("text", ["Can anyone with NET get it, or only pancreatic?",
                                  "Can it be used after chemotherapy?",
                                  "Should patients get genetic testing?", "Is it approved for lung NET?",
                                  "Can I see the study results?"])
def test_a_general_can_or_should_question_is_a_question(text):
    assert kind(text) is QUESTION


@pytest.mark.parametrize("text", ["Can I combine GPL code with MIT code?", "Can I use break in a loop?",
                                  "should I switch to the new version?", "does the whole buffer fit in memory?",
                                  "the parser chokes and collapses the list"])
def test_can_i_questions_are_questions_on_a_corpus_not_about_health(text):
    assert kind(text, health=False) is QUESTION


def test_off_a_health_corpus_an_emergency_needs_a_person():
    assert kind("my colleague collapsed and is not breathing", health=False) is EMERGENCY
    assert kind("the process collapsed and is not breathing", health=False) is QUESTION


# ---------------------------------------------------------------- small talk


@pytest.mark.parametrize("text, mood", [("hi", "hello"), ("hi, how are you?", "hello"), ("thanks!", "thanks"),
                                        ("ok bye", "bye"), ("are you a real person?", "identity"),
                                        ("what's your name?", "identity"), ("you're useless", "insult"),
                                        ("ugh, that's not what I asked", "frustration")])
def test_small_talk_is_chitchat_with_its_mood(text, mood):
    routed = route(text)
    assert routed.kind is CHITCHAT and routed.mood == mood


@pytest.mark.parametrize("text", ["hi, what is the dose?", "thanks, and how many patients were there?"])
def test_small_talk_around_a_question_is_a_question(text):
    assert kind(text) is QUESTION


# ---------------------------------------------------------------- the corpus's domain


def test_the_domain_comes_from_metadata_else_from_the_words():
    assert about_health({"domain": "health"}, [])
    assert not about_health({"domain": "general"}, ["patients take a dose of medicine"])
    assert about_health({}, ["Patients took one dose of the drug; the doctor watched for symptoms."])
    assert not about_health({}, ["This License lets you copy and distribute the Program."])
    with pytest.raises(ValueError, match="valid are health, general"):
        about_health({"domain": "medical"}, [])


# ---------------------------------------------------------------- end to end: Bot.ask and the real CLI


@pytest.fixture(scope="module")
def bot():
    import netqa

    return netqa.load()


@pytest.fixture(scope="module")
def licence_bot(tmp_path_factory):
    import netqa

    folder = tmp_path_factory.mktemp("licence")
    (folder / "licence.txt").write_text(
        "Permission License\n\nYou may copy, modify and combine this software with other code, provided that this "
        "notice is kept in every copy. The software is provided as is, without warranty of any kind.\n",
        encoding="utf-8")
    return netqa.load(folder, index_dir=tmp_path_factory.mktemp("index"))


def test_an_emergency_reply_starts_with_the_number_and_carries_it(bot):
    reply = bot.ask("my husband just collapsed and he isn't breathing")
    assert reply.kind == "emergency"
    assert reply.answer.startswith("Call 911 now")
    assert reply.calls == ("911",) and reply.citations == ()


def test_a_self_harm_reply_gives_the_crisis_line_first_then_the_emergency_number(bot):
    reply = bot.ask("my sister texted that she is going to kill herself tonight")
    assert reply.kind == "emergency"
    assert reply.answer.startswith("Call or text 988 now")
    assert reply.answer.index("988") < reply.answer.index("911")
    assert reply.calls == ("988", "911")


def test_the_numbers_are_settings(tmp_path):
    import netqa

    bot = netqa.load(emergency_number="112", crisis_line="116 123")
    assert bot.ask("I am vomiting blood").answer.startswith("Call 112 now")
    crisis = bot.ask("I want to end my life")
    assert crisis.answer.startswith("Call or text 116 123 now") and crisis.calls == ("116 123", "112")
    assert bot.ask("What is the capital of France?").answer.endswith("In an emergency, call 112.")


def test_medical_advice_refers_to_the_care_team_and_keeps_the_cited_fact(bot):
    reply = bot.ask("What dose should I be taking?")
    assert reply.kind == "medical_advice"
    assert "60mg" in reply.answer.replace(" mg", "mg") and "care team" in reply.answer
    assert reply.citations


def test_a_no_answer_on_a_health_corpus_ends_with_the_safety_net(bot):
    reply = bot.ask("What is the capital of France?")
    assert reply.kind == "no_answer"
    assert reply.answer.splitlines()[-1] == ("If you feel unwell, contact your care team. In an emergency, call 911.")


def test_a_question_about_a_red_flag_is_answered_from_the_text(bot):
    reply = bot.ask("How common was bleeding in the trial?")
    assert reply.kind in ("answer", "no_answer")


def test_chitchat_says_it_is_a_program(bot):
    reply = bot.ask("are you a real person?")
    assert reply.kind == "chitchat"
    assert "not a person" in reply.answer


def test_on_a_corpus_not_about_health_can_i_is_a_question_and_no_safety_net(licence_bot):
    assert not licence_bot.health
    reply = licence_bot.ask("Can I combine this software with my own code?")
    assert reply.kind in ("answer", "no_answer")
    assert "care team" not in reply.answer
    assert licence_bot.ask("my colleague collapsed and is not breathing").kind == "emergency"


def test_the_cli_routes_an_emergency_with_the_configured_number():
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ, NETQA_EMERGENCY_NUMBER="000")
    done = subprocess.run([sys.executable, "-m", "netqa.cli", "ask", "--json", "my dad's face is drooping on one side"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout)
    assert reply["kind"] == "emergency" and reply["answer"].startswith("Call 000 now") and reply["calls"] == ["000"]
