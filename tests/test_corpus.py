"""Ingestion of a folder of documents: headings, numbered clauses, offsets, junk removal."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import netqa
from netqa.documents import CorpusError, document_ids, load_corpus
from netqa.documents.passages import reflow

CLINIC = Path(__file__).parent / "fixtures" / "clinic"


def test_markdown_headings_become_sections_and_clauses_become_passages():
    (document,) = load_corpus(CLINIC)
    assert document.title.startswith("")
    sections = {p.section for p in document.passages}
    assert any(s.startswith("1.") for s in sections)
    for passage in document.passages:
        # Each sentence is its stretch of the file, reflowed (a list joined to its lead-in shows no bullets).
        assert passage.text == " ".join(s.text for s in passage.sentences)
        assert all(reflow(document.text[s.start:s.end]) == s.text for s in passage.sentences)
        assert not passage.text.startswith("#")


def test_the_same_engine_answers_questions_about_another_document():
    bot = netqa.load(CLINIC)
    reply = bot.ask("how long can an ICU visit last")
    assert reply.kind == "answer"
    assert "30 minutes" in reply.answer
    assert bot.ask("Is there free wifi for visitors?").kind == "no_answer"


def test_trailing_page_furniture_is_dropped_by_rule(tmp_path):
    page = ("# Clinic news\n\nThe new clinic opens on Monday and will see patients from nine until five.\n\n"
            "This page may contain third-party content, see our Disclaimer for details.\n\n"
            "  • Like\n  • Share\n  • Follow\n")
    (tmp_path / "news.md").write_text(page, encoding="utf-8")
    (document,) = load_corpus(tmp_path)
    assert [p.text for p in document.passages] == [
        "The new clinic opens on Monday and will see patients from nine until five."]


def test_a_missing_or_empty_corpus_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        load_corpus(tmp_path / "nowhere")
    with pytest.raises(CorpusError, match="no documents in"):
        load_corpus(tmp_path)


def test_the_lexicon_file_is_data_not_a_document(tmp_path):
    shutil.copy(CLINIC / "visitor-policy.md", tmp_path)
    (tmp_path / "lexicon.txt").write_text("dog = pets\n", encoding="utf-8")
    assert len(load_corpus(tmp_path)) == 1


def test_files_whose_names_slug_alike_get_distinct_ids_and_cite_their_own_passages(tmp_path):
    (tmp_path / "guides").mkdir()
    (tmp_path / "Visiting.md").write_text("Visiting hours end at eight in the evening.\n", encoding="utf-8")
    (tmp_path / "visiting.txt").write_text("The parking garage closes at 11 pm every night.\n", encoding="utf-8")
    (tmp_path / "guides" / "visiting.md").write_text("Guide dogs are welcome on every ward.\n", encoding="utf-8")
    documents = load_corpus(tmp_path)
    assert [doc.id for doc in documents] == ["visiting", "guides-visiting", "visiting-2"]  # sorted: "V" < "g"
    passage_ids = [p.id for doc in documents for p in doc.passages]
    assert len(passage_ids) == len(set(passage_ids))
    reply = netqa.load(tmp_path).ask("When does the parking garage close?")
    assert reply.kind == "answer" and [c.passage_id for c in reply.citations][:1] == ["visiting-2-p01"]


def test_a_suffix_never_takes_an_id_a_later_file_has_by_name():
    assert document_ids(["a.md", "a.txt", "a-2.md"]) == ["a", "a-2", "a-2-2"]
