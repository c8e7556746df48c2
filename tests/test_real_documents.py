"""Documents nobody here wrote, as people have them: Debian's licence texts, python3-doc's HTML pages and a PDF
manual from a Debian documentation package (tests/run.sh installs them). Also /source opening a cited document."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import netqa
from netqa.documents import read_corpus
from netqa.documents.passages import reflow
from netqa.web import create_app

LICENSES = Path("/usr/share/common-licenses")
PYTHON_HTML = Path("/usr/share/doc/python3.11/html")
# tests/run.sh fetches the PDF manual of camlidl-doc (apt-get download) into this folder.
REAL = Path(os.environ.get("NETQA_REAL_DOCUMENTS", Path(__file__).parent / ".real"))
PDF = REAL / "camlidl-1.04.doc.pdf"

needs_licenses = pytest.mark.skipif(not (LICENSES / "GPL-3").is_file(), reason="Debian's common-licenses missing")
needs_python_doc = pytest.mark.skipif(not PYTHON_HTML.is_dir(), reason="python3-doc missing (tests/run.sh installs it)")
needs_pdf = pytest.mark.skipif(not PDF.is_file(), reason="the camlidl-doc PDF is missing (tests/run.sh fetches it)")


@pytest.fixture(scope="module")
def licences(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("licences")
    for name in ("GPL-3", "MPL-2.0", "Apache-2.0", "LGPL-2.1", "BSD"):
        shutil.copy(LICENSES / name, folder / f"{name}.txt")
    return folder


@pytest.fixture(scope="module")
def licence_bot(licences):
    return netqa.load(licences)


def _sections(bot, doc_id: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for passage in bot.corpus.passages:
        if passage.doc_id == doc_id:
            out.setdefault(passage.section, []).append(passage.text)
    return out


@needs_licenses
def test_apache_clauses_have_their_titles_as_sections_and_whole_bodies(licence_bot):
    sections = _sections(licence_bot, "apache-2-0")
    grant = sections["2. Grant of Copyright License"]
    assert grant[0].startswith("Subject to the terms and conditions of this License, each Contributor hereby grants")
    assert "8. Limitation of Liability" in sections and "5. Submission of Contributions" in sections
    definitions = sections["1. Definitions"]
    assert definitions[0].startswith('"License" shall mean') and definitions[1].startswith('"Licensor" shall mean')
    assert not any(section.startswith("http") for section in sections)


@needs_licenses
def test_gpl3_wrapped_numbers_and_urls_are_never_headings(licence_bot):
    sections = _sections(licence_bot, "gpl-3")
    assert not any(s.startswith("11 of the WIPO") for s in sections)
    assert "0. Definitions" in sections and "17. Interpretation of Sections 15 and 16" in sections
    assert all(not text.startswith(("<http", "http")) for texts in sections.values() for text in texts)


@needs_licenses
def test_mpl2_boxed_sections_are_headed_and_read_as_prose(licence_bot):
    sections = _sections(licence_bot, "mpl-2-0")
    (warranty,) = sections["6. Disclaimer of Warranty"]
    assert warranty.startswith('Covered Software is provided under this License on an "as is" basis, without')
    assert "*" not in warranty


@needs_licenses
def test_quotes_are_reflowed_and_offsets_index_the_files(licence_bot):
    for document in licence_bot.corpus.documents:
        for passage in document.passages:
            assert "\n" not in passage.text and "  " not in passage.text
            assert reflow(document.text[passage.start:passage.end]) == passage.text


@needs_licenses
def test_a_question_naming_a_licence_cites_that_licence(licence_bot):
    reply = licence_bot.ask("Under the MPL, what is a Larger Work?")
    assert reply.citations and reply.citations[0].path == "MPL-2.0.txt"
    reply = licence_bot.ask("In GPLv3, what does convey mean?")
    assert reply.citations and reply.citations[0].path == "GPL-3.txt"
    assert reply.citations[0].doc_id == "gpl-3" and reply.citations[0].page is None


@needs_python_doc
def test_python_doc_html_pages_keep_their_content_and_drop_the_navigation(tmp_path):
    for name in ("howto/sorting.html", "howto/logging.html", "library/json.html"):
        shutil.copy(PYTHON_HTML / name, tmp_path / Path(name).name)
    read = read_corpus(tmp_path)
    assert not read.skipped
    titles = {d.relative_path: d.title for d in read.documents}
    assert titles["sorting.html"].startswith("Sorting HOW TO")
    texts = " ".join(p.text for d in read.documents for p in d.passages)
    assert "Previous topic" not in texts and "Show Source" not in texts
    sorting = next(d for d in read.documents if d.relative_path == "sorting.html")
    assert {"Sorting Basics", "Key Functions"} <= {p.section for p in sorting.passages}
    assert any(p.text.startswith(">>> ") and "\n" in p.text for p in sorting.passages)  # a code block kept whole


@needs_pdf
def test_a_real_pdf_manual_cites_pages(tmp_path):
    shutil.copy(PDF, tmp_path)
    (document,) = read_corpus(tmp_path).documents
    assert document.format == "pdf" and document.encoding is None
    pages = [p.page for p in document.passages]
    assert pages[0] == 1 and max(pages) > 10 and pages == sorted(pages)
    assert "1.1 What is IDL?" in {p.section for p in document.passages}
    bot = netqa.load(tmp_path)
    reply = bot.ask("What does IDL stand for?")
    assert reply.kind == "answer" and "Interface Description Language" in reply.answer
    assert reply.citations[0].page == 1 and reply.citations[0].path == PDF.name


@needs_licenses
def test_source_opens_the_cited_document_at_the_passage(licence_bot):
    client = TestClient(create_app(licence_bot, dataclasses.replace(licence_bot.settings, db="")))
    reply = licence_bot.ask("Under the MPL, what is a Larger Work?")
    cited = reply.citations[0].passage_id
    page = client.get("/source", params={"passage": cited})
    assert page.status_code == 200
    assert f'class="passage cited" id="{cited}"' in page.text
    assert "Mozilla Public License" in page.text and "GNU GENERAL PUBLIC LICENSE" not in page.text
    listing = client.get("/source").text
    assert listing.count('href="/source?document=') == 5
    assert client.get("/source", params={"document": "bsd"}).status_code == 200
    assert client.get("/source", params={"passage": "gpl-3-p999"}).status_code == 404
