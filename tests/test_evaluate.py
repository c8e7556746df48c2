"""Judging replies the way the outside examiners do, and the funnel that says where an answer was lost."""

from netqa.evaluate import GoldQuestion, format_table, judge, reply_body, score, stands_in


def reply(answer, kind="answer", short=None, quote=None, cited="", section="Results", document="The Study"):
    citations = [{"passage_id": "doc-p01", "document": document, "section": section, "text": cited}] if cited else []
    return {"answer": answer, "kind": kind, "short_answer": short, "quote": quote, "citations": citations,
            "confidence": 0.9}


def fact(answers, evidence="enrolled 298 patients", **extra):
    return GoldQuestion(id="q1", question="How many?", category="fact", answerable=True, answers=tuple(answers),
                        evidence=evidence, **extra)


def test_an_answer_stands_at_word_boundaries():
    assert stands_in("99", "99 with pancreatic NET")
    assert not stands_in("99", "199 with extra-pancreatic NET")
    assert stands_in("3-5", "Grade 3-5 hemorrhagic events")


def test_units_dashes_quotes_and_thousands_are_folded():
    assert stands_in("60mg", "at 60 mg daily")
    assert stands_in("380,000", "about 380000 people")
    assert stands_in("extra-pancreatic", "extra–pancreatic")
    assert stands_in("tumor's", "the tumor’s specific characteristics")


def test_a_figure_only_in_the_source_line_or_a_heading_is_not_an_answer():
    text = 'The article says: "It worked."\nSource: "The Study of 2024", section "Results" [doc-p01]'
    outcome = judge(fact(["2024"]), reply(text, cited="It worked."), 0.0)
    assert outcome.answer_ok is False
    assert "2024" not in reply_body(reply(text, cited="x", document="The Study of 2024"))


def test_headline_is_the_short_answer_or_else_the_quote():
    text = 'The number is 298.\nThe article says: "The trial enrolled 298 patients, 99 with pNET."'
    right = judge(fact(["298"]), reply(text, short="298", cited="The trial enrolled 298 patients"), 0.0)
    assert (right.answer_ok, right.headline_ok, right.citation_ok) == (True, True, True)
    wrong = judge(fact(["99"]), reply(text, short="298", cited="The trial enrolled 298 patients"), 0.0)
    assert (wrong.answer_ok, wrong.headline_ok) == (True, False)
    quoted = judge(fact(["99"]), reply(text, quote="The trial enrolled 298 patients, 99 with pNET.",
                                       cited="The trial enrolled 298 patients"), 0.0)
    assert quoted.headline_ok is True


def test_an_unanswerable_question_is_right_whenever_it_is_not_answered():
    gold = GoldQuestion(id="u1", question="What does it cost?", category="unanswerable", answerable=False)
    assert judge(gold, reply("Ask your care team.", kind="medical_advice"), 0.0).abstain_ok is True
    assert judge(gold, reply("It costs 5.", kind="answer"), 0.0).abstain_ok is False


def test_wrong_is_an_answer_that_is_not_right_and_counts_answered_unanswerables():
    assert judge(fact(["298"]), reply("It enrolled 99."), 0.0).wrong is True
    assert judge(fact(["298"]), reply("It enrolled 298."), 0.0).wrong is False
    assert judge(fact(["298"]), reply("The text does not say.", kind="no_answer"), 0.0).wrong is False
    gold = GoldQuestion(id="u1", question="What does it cost?", category="unanswerable", answerable=False)
    assert judge(gold, reply("It costs 5.", kind="answer"), 0.0).wrong is True
    assert judge(gold, reply("The text does not say.", kind="no_answer"), 0.0).wrong is False


def test_a_table_shows_the_wrong_share_beside_the_other_measures():
    gold = GoldQuestion(id="u1", question="What does it cost?", category="unanswerable", answerable=False)
    outcomes = [judge(fact(["298"]), reply("It enrolled 99."), 0.0), judge(fact(["298"]), reply("298."), 0.0),
                judge(gold, reply("The text does not say.", kind="no_answer"), 0.0)]
    table = format_table(score(outcomes)).splitlines()
    assert table[0].split()[-2:] == ["wrong", "ms"]
    assert table[-1].split()[-2] == "33.3%"  # one wrong answer of three questions


def test_the_funnel_says_where_a_question_was_lost():
    gold = fact(["298"])
    not_found = judge(gold, reply("The text does not say.", kind="no_answer"), 0.0, ranked=("other", "text"))
    assert not_found.lost_at.startswith("retrieval")
    abstained = judge(gold, reply("The text does not say.", kind="no_answer", cited="enrolled 298 patients"), 0.0,
                      ranked=("enrolled 298 patients",))
    assert (abstained.retrieved_1, abstained.citation_ok, abstained.answered) == (True, True, False)
    assert abstained.lost_at.startswith("deciding")


def test_the_funnel_tells_a_sentence_lacking_the_answer_from_a_shy_decision():
    gold, no_answer = fact(["298"]), reply("The text does not say.", kind="no_answer", cited="enrolled 298 patients")
    shy = judge(gold, no_answer, 0.0, ranked=("enrolled 298 patients",), chosen="The trial enrolled 298 patients.")
    assert shy.found_ok is True and shy.lost_at.startswith("deciding")
    elsewhere = judge(gold, no_answer, 0.0, ranked=("enrolled 298 patients",), chosen="It was randomised 2:1.")
    assert elsewhere.found_ok is False and elsewhere.lost_at.startswith("choosing the sentence")


def test_the_right_document_is_judged_by_the_citation_path():
    gold = fact(["298"], document="licences/MPL-1.1.txt")
    cited = reply("298", cited="enrolled 298 patients")
    cited["citations"][0]["path"] = "licences/MPL-1.1.txt"
    assert judge(gold, cited, 0.0).document_ok is True
    cited["citations"][0]["path"] = "licences/GPL-2.txt"
    assert judge(gold, cited, 0.0).document_ok is False
