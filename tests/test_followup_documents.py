"""A follow-up in a folder of several documents stays in the document the conversation is in ("and what about
patents?" after a question on one licence), unless it names another document or asks about something that document
hardly speaks of: per stage (the search within one document, the resolution, the choice) and end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import netqa
from netqa.documents import Passage
from netqa.followup import TOPIC_SHARE, points_back, resolve, stays_in
from netqa.index import Hit
from netqa.records import Turn
from netqa.store.base import turns_from_json, turns_to_json
from netqa.web import create_app

ALPHA = """ALPHA LICENCE

1. Grant. The Licensor grants you a licence to copy and share the Work.

2. Trademarks. This licence gives you no right to use the trademarks or logos of the Licensor.

3. Patents. Each contributor grants you a licence to its patents that its contribution needs.

4. Warranty. The Work comes as it is, with no warranty of any kind.

5. Termination. Your rights end if you break these terms and do not mend the breach within 30 days.
"""
# Beta says more about patents than Alpha does: searched everywhere, a question on patents finds Beta first.
BETA = """BETA LICENCE

1. Scope. This licence covers the Software and its manuals.

2. Patents. A patent suit over the Software ends every patent licence you hold under this licence at once.

3. Warranty. The Software comes with a warranty of ninety days from delivery.

4. Fees. You may charge a fee for each copy you give away.

5. Governing law. The law of Norway governs this licence.
"""
TRADEMARKS = "What does the Alpha licence say about trademarks?"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("licences")
    (folder / "alpha.txt").write_text(ALPHA, encoding="utf-8")
    (folder / "beta.txt").write_text(BETA, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def bot(folder):
    return netqa.load(folder)


def conversation(bot, *questions: str) -> list:
    replies, session = [], None
    for question in questions:
        reply = bot.ask(question, session_id=session)
        session = reply.session_id
        replies.append(reply)
    return replies


def cited(reply) -> str:
    return reply.citations[0].doc_id if reply.citations else ""


def test_a_search_within_a_document_ranks_only_its_passages(bot):
    words, chars = bot._queries(bot.vocabulary.expand("patent suit"), netqa.followup.Resolution("patent suit", ""))
    assert bot.index.search(words, chars, 3)[0].passage.doc_id == "beta"
    within = bot.index.search(words, chars, 3, within="alpha")
    assert within and {hit.passage.doc_id for hit in within} == {"alpha"}
    assert within[0].passage.section == "3. Patents"
    assert bot.index.search(words, chars, 3, within="no-such-document") == []


def test_the_index_says_which_document_a_question_names(bot):
    named = bot._queries(bot.vocabulary.expand("what does the Beta licence say?"),
                         netqa.followup.Resolution("", ""))[0]
    plain = bot._queries(bot.vocabulary.expand("what about patents?"), netqa.followup.Resolution("", ""))[0]
    assert bot.index.named_document(named) == "beta"
    assert bot.index.named_document(plain) is None


def test_a_follow_up_is_resolved_in_the_document_of_the_last_turn():
    last = Turn("What does the Alpha licence say about trademarks?", (), True, document="alpha")
    assert resolve("what does it say about patents?", (last,), {}).document == "alpha"
    assert resolve("what does it say about patents?", (), {}).document == ""


def _hit(doc_id: str, score: float) -> Hit:
    return Hit(Passage(f"{doc_id}-p01", doc_id, doc_id, doc_id, "text", 0, 4, ()), score)


def test_a_follow_up_stays_unless_it_names_another_document_or_changes_topic():
    everywhere, within = [_hit("beta", 0.4)], [_hit("alpha", 0.3)]
    assert stays_in("alpha", everywhere, within, named=None)
    assert stays_in("alpha", everywhere, within, named="alpha")
    assert not stays_in("alpha", everywhere, within, named="beta")  # "what does the Beta licence say?"
    assert not stays_in("alpha", everywhere, [_hit("alpha", 0.4 * TOPIC_SHARE * 0.9)], named=None)  # another topic
    assert not stays_in("alpha", everywhere, [], named=None)  # nothing in it matches
    assert not stays_in("", everywhere, within, named=None)  # no conversation yet


def test_a_follow_up_keeps_the_document_the_conversation_is_in(bot):
    first, patents = conversation(bot, TRADEMARKS, "what does it say about patents?")
    assert cited(first) == "alpha"
    assert cited(patents) == "alpha"
    assert "its patents" in patents.quote
    # asked on its own, the same question finds the document that says most about patents
    assert cited(bot.ask("what does it say about patents?")) == "beta"


def test_after_a_question_without_an_answer_the_conversation_is_in_the_document_it_named(bot):
    unanswered, patents = conversation(bot, "What does the Alpha licence say about fees for delivery?",
                                       "what does it say about patents?")
    assert unanswered.kind.value == "no_answer" and cited(unanswered) == "beta"  # the closest part is in Beta ...
    assert cited(patents) == "alpha"  # ... but the document the question named holds the conversation


def test_within_the_document_only_a_question_that_leans_on_the_last_turn_is_searched_with_its_words(bot):
    assert points_back("does it come with a warranty?") and points_back("and who pays?")
    assert not points_back("what happens if I break the terms?")
    earlier = "alpha licence trademarks logos licensor right use"
    # the earlier words would pull back to the trademarks clause; the document already stands for them
    assert bot.top_passages("what happens if I break the terms?", 1, earlier, "", "alpha")[0].section == \
        "5. Termination"
    assert bot.top_passages("what happens if I break the terms it says?", 1, earlier, "", "alpha")[0].section == \
        "2. Trademarks"
    _, breach = conversation(bot, TRADEMARKS, "what happens if I break the terms?")
    assert "mend the breach within 30 days" in breach.quote


def test_a_follow_up_that_names_another_document_goes_there(bot):
    replies = conversation(bot, TRADEMARKS, "what does the Beta licence say about warranty?", "and what about fees?")
    assert [cited(r) for r in replies] == ["alpha", "beta", "beta"]  # and the conversation is in Beta now
    assert "ninety days" in replies[1].quote


def test_a_follow_up_on_something_the_document_does_not_speak_of_searches_them_all(bot):
    replies = conversation(bot, TRADEMARKS, "which law governs it?")
    assert cited(replies[1]) == "beta"
    assert "Norway" in replies[1].quote


def test_the_conversation_s_document_survives_a_shared_store():
    turns = (Turn("q", (), True, document="alpha"),)
    assert turns_from_json(turns_to_json(turns))[0].document == "alpha"


def test_the_chat_command_keeps_the_document_across_follow_ups(folder):
    result = subprocess.run([sys.executable, "-m", "netqa.cli", "--corpus", str(folder), "chat"],
                            input=f"{TRADEMARKS}\nwhat does it say about patents?\n", capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "licence to its patents" in result.stdout, result.stdout  # Alpha's clause, not Beta's "patent suit"
    assert "patent suit" not in result.stdout


def test_the_web_api_keeps_the_document_across_follow_ups(bot, tmp_path):
    import dataclasses

    settings = dataclasses.replace(bot.settings, db=str(tmp_path / "netqa.db"))
    with TestClient(create_app(bot, settings)) as client:
        first = client.post("/api/ask", json={"question": TRADEMARKS}).json()
        follow_up = client.post("/api/ask", json={"question": "what does it say about patents?",
                                                  "session_id": first["session_id"]}).json()
    assert [first["citations"][0]["doc_id"], follow_up["citations"][0]["doc_id"]] == ["alpha", "alpha"]
