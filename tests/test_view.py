"""The chat page's view of a reply, from the record's fields: lead words, marked quote, one source, the rest related."""

from __future__ import annotations

from netqa.reply import written
from netqa.view import announcement, marked, opening, reply_view, retention_words

SECTIONS = {"Trial": "doc-p01", "Safety": "doc-p05"}


def citation(passage_id: str, section: str, text: str = "Some words of the passage.") -> dict:
    return {"passage_id": passage_id, "document": "Doc", "section": section, "text": text}


def reply(**fields) -> dict:
    base = {"id": "r", "session_id": "s", "question": "How many?", "kind": "answer", "short_answer": "298",
            "quote": "The trial enrolled 298 patients.", "suggestions": [],
            "answer": 'The number is 298.\n\nThe article says: "The trial enrolled 298 patients."\n'
                      'Source: "Doc", section "Trial" [doc-p01]',
            "lead": ["The number is 298."], "safety_net": "",
            "citations": [citation("doc-p01", "Trial"), citation("doc-p05", "Safety", " ".join(["word"] * 20))]}
    return base | fields


def test_an_answer_leads_with_its_words_then_the_marked_quote_and_one_source():
    view = reply_view(reply(), several_documents=False, sections=SECTIONS)
    assert view["message"] == [[{"text": "The number is "}, {"mark": "298"}, {"text": "."}]]
    assert view["quote"] == [{"text": "The trial enrolled "}, {"mark": "298"}, {"text": " patients."}]
    assert view["source"] == {"passage_id": "doc-p01", "section": "Trial", "document": ""}
    assert view["related"] == [{"passage_id": "doc-p05", "section": "Safety", "document": "",
                                "opening": " ".join(["word"] * 8) + "…"}]


def test_the_document_is_named_only_when_there_are_several():
    assert reply_view(reply(), several_documents=True, sections=SECTIONS)["source"]["document"] == "Doc"


def test_a_pdf_passage_names_its_page():
    cited = [citation("doc-p01", "Trial") | {"page": 3}]
    view = reply_view(reply(citations=cited), several_documents=True, sections=SECTIONS)
    assert view["source"]["document"] == "Doc, page 3"


def test_suggestions_become_links_to_their_section_and_leave_the_text():
    view = reply_view(reply(kind="no_answer", short_answer=None, quote=None, citations=[],
                            suggestions=["Safety", "Nowhere"], lead=["The article does not say."],
                            answer="The article does not say.\n\nIt does talk about: Safety; Nowhere."),
                      several_documents=False, sections=SECTIONS)
    assert view["message"] == [[{"text": "The article does not say."}]]
    assert view["suggestions"] == [{"section": "Safety", "passage_id": "doc-p05"}]


def test_an_emergency_gets_its_number_to_call_and_an_urgent_short_announcement():
    view = reply_view(reply(kind="emergency", short_answer=None, quote=None, citations=[],
                            answer="Call 112 now.\n\nDo not drive yourself.",
                            lead=["Call 112 now.", "Do not drive yourself."]),
                      several_documents=False, sections=SECTIONS, emergency_number="112")
    assert view["calls"] == ["112"]
    assert view["announce"] == "Emergency: Call 112 now."


def test_numbers_the_record_gives_are_used_as_they_are():
    view = reply_view(reply(kind="emergency", calls=["988", "911"], citations=[], quote=None),
                      several_documents=False, sections=SECTIONS)
    assert view["calls"] == ["988", "911"]


def test_announcements_are_short():
    assert len(announcement("answer", ["word " * 100], "")) <= 161


def test_marked_without_the_short_answer_is_the_text_whole():
    assert marked("no figure here", "298") == [{"text": "no figure here"}]


def test_opening_drops_the_passage_own_quotation_marks():
    assert opening("“What distinguishes this approval,” she said.", words=3) == "What distinguishes this…"


def test_retention_in_words():
    assert retention_words(30) == "for 30 days"
    assert retention_words(0) == "until the service's staff delete them"


def test_the_message_is_the_records_lead_and_safety_net_never_the_text_read_again():
    view = reply_view(reply(kind="no_answer", short_answer=None, quote=None, citations=[], answer="Anything at all.",
                            lead=["The article does not say."], safety_net="In an emergency, call 911."),
                      several_documents=False, sections=SECTIONS)
    assert view["message"] == [[{"text": "The article does not say."}], [{"text": "In an emergency, call 911."}]]


def test_an_answer_without_lead_words_shows_its_quote_and_announces_it():
    view = reply_view(reply(lead=[], short_answer=None), several_documents=False, sections=SECTIONS)
    assert view["message"] == []
    assert view["quote"] == [{"text": "The trial enrolled 298 patients."}]
    assert view["announce"] == "From the article: The trial enrolled 298 patients."


def test_the_templates_set_the_lead_and_the_safety_net_beside_the_whole_text():
    text = written("no_answer", "", document="the article", nearby=["Safety"], health=True, emergency_number="911")
    assert text.lead == ("The article does not say. I only answer from what it says, and I could not find this "
                         "there.",)
    assert text.safety_net == "If you feel unwell, contact your care team. In an emergency, call 911."
    assert text.whole == f"{text.lead[0]}\n\nIt does talk about: Safety.\n\n{text.safety_net}"


def test_a_template_without_a_lead_is_all_lead():
    text = written("emergency", "", crisis=False, emergency_number="112", crisis_line="988")
    assert "\n\n".join(text.lead) == text.whole and text.safety_net == ""


def test_a_message_of_two_questions_keeps_what_the_unanswered_one_offers():
    import netqa

    reply = netqa.load().ask("Who is the study chair? What is the price of the drug in Canada?").to_dict()
    assert reply["lead"][0].startswith("The text names") and reply["lead"][1].endswith("could not find this there.")
    assert reply["suggestions"] and all(f"{section}" in reply["answer"] for section in reply["suggestions"])
