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
from netqa.documents import parse_document, read_corpus
from netqa.documents.passages import reflow
from netqa.text import word_terms
from netqa.web import create_app

# Debian's licence texts that the outside examiners do not use (copied unchanged from /usr/share/common-licenses
# into the repository: tests/gold/licences/docs).
LICENCES = Path(__file__).parent / "gold" / "licences" / "docs"
PYTHON_HTML = Path("/usr/share/doc/python3.11/html")
# tests/run.sh fetches the PDF manual of camlidl-doc (apt-get download) into this folder.
REAL = Path(os.environ.get("NETQA_REAL_DOCUMENTS", Path(__file__).parent / ".real"))
PDF = REAL / "camlidl-1.04.doc.pdf"

needs_python_doc = pytest.mark.skipif(not PYTHON_HTML.is_dir(), reason="python3-doc missing (tests/run.sh installs it)")
needs_pdf = pytest.mark.skipif(not PDF.is_file(), reason="the camlidl-doc PDF is missing (tests/run.sh fetches it)")


@pytest.fixture(scope="module")
def licence_bot():
    return netqa.load(LICENCES)


def _sections(bot, doc_id: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for passage in bot.corpus.passages:
        if passage.doc_id == doc_id:
            out.setdefault(passage.section, []).append(passage.text)
    return out


def test_mpl_clauses_have_their_titles_as_sections_and_whole_bodies(licence_bot):
    sections = _sections(licence_bot, "mpl-1-1")
    (larger,) = sections["3.7. Larger Works"]
    assert larger.startswith("You may create a Larger Work by combining Covered Code with other code")
    assert "2.1. The Initial Developer Grant" in sections and "8. TERMINATION" in sections
    definitions = sections["1. Definitions"]
    assert definitions[0].startswith('1.0.1. "Commercial Use" means')
    assert definitions[1].startswith('1.1. "Contributor" means')
    assert not any(section.startswith(("http", "<http")) for section in sections)


def test_urls_and_rule_lines_are_never_headings_or_passages(licence_bot):
    for passage in licence_bot.corpus.passages:
        assert not passage.section.startswith(("http", "<http")) and not passage.text.startswith(("http", "<http"))
        assert not set(passage.text) <= set("-=*_ ")


def test_a_lead_in_keeps_the_items_it_introduces(licence_bot):
    sections = _sections(licence_bot, "lgpl-3")
    # Too long for one passage: each item names the lead-in in its section; "d) Do one of the following:"
    # keeps its own items 0) and 1), as many as fit ("1)" goes on in a passage of its own).
    (lead,) = sections["4. Combined Works"]
    assert lead.startswith("You may convey a Combined Work under terms of your choice")
    items = sections["4. Combined Works: ... such modifications, if you also do each of the following"]
    assert [item[:2] for item in items] == ["a)", "b)", "c)", "d)", "1)", "e)"]
    assert "d) Do one of the following: 0) Convey the Minimal Corresponding Source" in items[3]
    # Short enough: one passage.
    (modified,) = sections["2. Conveying Modified Versions"]
    assert modified.startswith("If you modify a copy of the Library") and "b) under the GNU GPL" in modified
    artistic = _sections(licence_bot, "artistic")
    context = [s for s in artistic if s.startswith("Preamble: ... ") and s.endswith("at least ONE of the following")]
    assert context and all(text.startswith(("a)", "b)", "c)", "d)")) for s in context for text in artistic[s])


def test_quotes_are_reflowed_and_offsets_index_the_files(licence_bot):
    for document in licence_bot.corpus.documents:
        for passage in document.passages:
            assert "\n" not in passage.text and "  " not in passage.text
            assert passage.text == " ".join(s.text for s in passage.sentences)
            assert all(reflow(document.text[s.start:s.end]) == s.text for s in passage.sentences)


def test_a_question_naming_a_licence_cites_that_licence(licence_bot):
    reply = licence_bot.ask("Under the MPL, what is a Larger Work?")
    assert reply.citations and reply.citations[0].path == "MPL-1.1.txt"
    reply = licence_bot.ask("In LGPLv3, what is a Combined Work?")
    assert reply.citations and reply.citations[0].path == "LGPL-3.txt"
    assert reply.citations[0].doc_id == "lgpl-3" and reply.citations[0].page is None
    assert "A \"Combined Work\" is a work produced by combining or linking an Application" in reply.answer


@pytest.fixture(scope="module")
def six_licences_bot(tmp_path_factory):
    """The five licences beside GPL-2: two GNU licences whose names share "GPL"."""
    folder = tmp_path_factory.mktemp("six")
    for path in [*LICENCES.glob("*.txt"), LICENCES.parent.parent / "gpl2" / "docs" / "GPL-2.txt"]:
        shutil.copy(path, folder / path.name)
    return netqa.load(folder)


@pytest.mark.parametrize(("name", "path"), [
    ("GPL", "GPL-2.txt"), ("GPLv2", "GPL-2.txt"), ("GPL version 2", "GPL-2.txt"), ("GNU GPL", "GPL-2.txt"),
    ("the GNU General Public License", "GPL-2.txt"),
    ("LGPL", "LGPL-3.txt"), ("LGPLv3", "LGPL-3.txt"), ("LGPL 3.0", "LGPL-3.txt"), ("the Lesser GPL", "LGPL-3.txt"),
    ("the GNU Lesser General Public License", "LGPL-3.txt"),
    ("GFDL", "GFDL-1.3.txt"), ("GNU FDL", "GFDL-1.3.txt"), ("the free documentation licence", "GFDL-1.3.txt"),
    ("the Artistic licence", "Artistic.txt"), ("CC0", "CC0-1.0.txt"), ("the Creative Commons licence", "CC0-1.0.txt"),
    ("MPL", "MPL-1.1.txt"), ("MPL 1.1", "MPL-1.1.txt"), ("the Mozilla licence", "MPL-1.1.txt"),
])
def test_a_licence_is_found_by_the_names_people_call_it(six_licences_bot, name, path):
    question = f"What does {name} say about warranty?"
    (passage,) = six_licences_bot.top_passages(question, 1)
    assert passage.path == path
    named = six_licences_bot.index.named_document([(word_terms(question), 1.0)])
    assert named == passage.doc_id


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


def test_source_opens_the_cited_document_at_the_passage(licence_bot):
    client = TestClient(create_app(licence_bot, dataclasses.replace(licence_bot.settings, db="")))
    reply = licence_bot.ask("Under the MPL, what is a Larger Work?")
    cited = reply.citations[0].passage_id
    page = client.get("/source", params={"passage": cited})
    assert page.status_code == 200
    assert f'class="passage cited" id="{cited}"' in page.text
    assert "Mozilla Public License" in page.text and "GNU LESSER GENERAL PUBLIC LICENSE" not in page.text
    listing = client.get("/source").text
    assert listing.count('href="/source?document=') == 5
    assert client.get("/source", params={"document": "cc0-1-0"}).status_code == 200
    assert client.get("/source", params={"passage": "lgpl-3-p999"}).status_code == 404


@needs_python_doc
def test_python_doc_library_pages_head_each_description_by_the_name_the_docs_refer_to_it_by(tmp_path):
    shutil.copy(PYTHON_HTML / "library" / "heapq.html", tmp_path)
    (document,) = read_corpus(tmp_path).documents
    sections = {p.text: p.section for p in document.passages}
    assert sections["Push the value item onto the heap, maintaining the heap invariant."] == "heapq.heappush()"
    # After the descriptions, the page's own text is under the page's section again.
    assert sections["The module also offers three general purpose functions based on heaps."] == document.title


DIFFUTILS = Path("/usr/share/doc/diffutils")


@pytest.mark.skipif(not (DIFFUTILS / "NEWS.gz").is_file(), reason="diffutils' documentation is not installed")
def test_a_gnu_news_file_and_a_debian_changelog_have_a_section_per_release(tmp_path):
    for name in ("NEWS.gz", "changelog.Debian.gz"):
        if (DIFFUTILS / name).is_file():
            shutil.copy(DIFFUTILS / name, tmp_path)
    read = read_corpus(tmp_path)
    assert not read.skipped
    news = next(d for d in read.documents if d.relative_path == "NEWS.gz")
    assert news.title.startswith("GNU diffutils NEWS") and "-*-" not in news.title
    assert all(p.section.startswith("Noteworthy changes in release ") for p in news.passages[:20])
    assert len({p.section.split(":")[0] for p in news.passages}) > 10  # one section per release at least
    for changelog in (d for d in read.documents if d.relative_path == "changelog.Debian.gz"):
        entries = {p.section.split(";")[0] for p in changelog.passages}
        assert len(entries) > 5 and all(entry.startswith("diffutils (") for entry in entries)


def test_a_note_box_whose_words_are_mostly_links_is_kept():
    # trafilatura drops this note of json.html as navigation unless its links are plain words
    page = LICENCES.parent.parent / "pyhtml" / "docs" / "json.html"
    document = parse_document(page, page.read_bytes(), "json")
    assert any("repeated calls to dump() using the same fp will result in an invalid JSON file" in p.text
               for p in document.passages)
