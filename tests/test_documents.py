"""Splitting rules on small inline texts: one rule a test, through the real converters (documents/)."""

from __future__ import annotations

from pathlib import Path

from netqa.documents import BlockKind, parse_document, read_corpus
from netqa.documents.names import file_stem, names_text
from netqa.documents.passages import reflow


def passages(text: str, name: str = "doc.txt") -> list[tuple[str, str]]:
    """(section, text) of each passage of a file with this text, checking that offsets index it exactly."""
    document = parse_document(Path(name), text.encode("utf-8"), "doc")
    for p in document.passages:
        assert reflow(document.text[p.start:p.end]) == p.text or p.text.count("\n")
        for s in p.sentences:
            assert reflow(document.text[s.start:s.end]) == s.text or "\n" in s.text
    return [(p.section, p.text) for p in document.passages]


def test_hard_wrapped_paragraphs_are_reflowed_while_offsets_index_the_file():
    text = "Title Of It\n\n   The licensor grants a non-\n   exclusive licence to\n   everyone who asks.\n"
    document = parse_document(Path("doc.txt"), text.encode(), "doc")
    (passage,) = document.passages
    assert passage.text == "The licensor grants a non-exclusive licence to everyone who asks."
    assert text[passage.start:passage.end].startswith("The licensor grants a non-\n")
    assert text[passage.end - 1] == "."


def test_a_clause_title_is_the_section_and_its_body_the_passage():
    text = ("Terms\n\n   1. Definitions.\n\n   2. Grant of Copyright License. Subject to the terms and conditions of\n"
            "      this License, each Contributor hereby grants to You a licence.\n\n"
            "   3. Grant of Patent License. Subject to the terms of this License, each\n"
            "      Contributor grants a patent licence.\n")
    assert passages(text) == [
        ("2. Grant of Copyright License",
         "Subject to the terms and conditions of this License, each Contributor hereby grants to You a licence."),
        ("3. Grant of Patent License",
         "Subject to the terms of this License, each Contributor grants a patent licence."),
    ]


def test_a_clause_title_on_a_line_of_its_own_heads_the_text_below_it():
    text = ("Licence\n\n2.1. The Initial Developer Grant.\nThe Initial Developer hereby grants You a licence to use "
            "the code.\n\n8. Litigation\n\nAny litigation relating to this License may be brought in court.\n")
    assert passages(text) == [
        ("2.1. The Initial Developer Grant", "The Initial Developer hereby grants You a licence to use the code."),
        ("8. Litigation", "Any litigation relating to this License may be brought in court."),
    ]


def test_definitions_are_one_passage_each_under_their_clause():
    text = ('Licence\n\n1. Definitions.\n\n   "License" shall mean the terms and conditions for use.\n'
            '   "Licensor" shall mean the copyright owner granting the License.\n'
            '   "You" (or "Your") shall mean an individual exercising permissions.\n')
    assert passages(text) == [
        ("1. Definitions", '"License" shall mean the terms and conditions for use.'),
        ("1. Definitions", '"Licensor" shall mean the copyright owner granting the License.'),
        ("1. Definitions", '"You" (or "Your") shall mean an individual exercising permissions.'),
    ]


def test_a_number_starting_a_wrapped_line_is_neither_a_heading_nor_a_new_clause():
    text = ("Licence\n\n  No covered work shall be deemed part of a measure under article\n"
            "11 of the WIPO copyright treaty adopted on 20 December 1996, or\nsimilar laws.\n\n"
            "  Next paragraph of the licence, which says something else entirely.\n")
    sections = {section for section, _ in passages(text)}
    assert sections == {"Licence"}
    assert passages(text)[0][1].startswith("No covered work shall") and "11 of the WIPO" in passages(text)[0][1]


def test_lettered_clauses_split_a_paragraph_after_a_sentence_end():
    text = ("Licence\n\n4. Redistribution. You may redistribute it. You must meet\n"
            "   (a) the first condition. (b) You must cause modified files to carry notices.\n"
            "   (c) You must keep the notices.\n")
    document = parse_document(Path("doc.txt"), text.encode("utf-8"), "doc")
    texts = [text[b.start:b.end] for b in document_blocks(text) if b.kind is BlockKind.TEXT]
    assert [" ".join(t.split()) for t in texts] == [
        "You may redistribute it. You must meet (a) the first condition. (b) You must cause modified files to carry "
        "notices.", "(c) You must keep the notices."]
    assert len(document.passages) == 2


def document_blocks(text: str):
    from netqa.documents.plain import from_text

    return from_text(text, "utf-8").blocks


def test_a_lead_in_and_the_short_list_it_introduces_are_one_passage():
    text = ("Licence\n\n4. Redistribution. You may redistribute it provided that You meet these conditions:\n\n"
            "   (a) You must give recipients a copy of this License; and\n\n"
            "   (b) You must cause modified files to carry notices; and\n\n"
            "5. Patents. Each Contributor grants You a patent licence.\n")
    assert passages(text) == [
        ("4. Redistribution", "You may redistribute it provided that You meet these conditions: (a) You must give "
         "recipients a copy of this License; and (b) You must cause modified files to carry notices; and"),
        ("5. Patents", "Each Contributor grants You a patent licence.")]


def test_items_of_a_long_list_are_passages_whose_section_names_the_lead_in():
    item = "the licensee keeps every notice of the original work in each copy it gives to anyone at all"
    text = ("Licence\n\n3. You may modify your copy of the Package, provided that you do at least one of the\n"
            "following:\n\n" + "".join(f"    {c}) {item}, {c}.\n\n" for c in "abcdef")
            + "4. You may distribute the programs of this Package in object code.\n")
    found = passages(text)
    assert found[0] == ("Licence", "3. You may modify your copy of the Package, provided that you do at least one of "
                        "the following:")
    context = "Licence: ... provided that you do at least one of the following"
    assert [section for section, _ in found[1:7]] == [context] * 6
    assert found[1][1].startswith("a) the licensee") and found[6][1].startswith("f) the licensee")
    assert found[7] == ("Licence", "4. You may distribute the programs of this Package in object code.")


def test_a_nested_lead_in_stays_with_its_own_items():
    text = ("Licence\n\nYou may convey a Combined Work if you do each of the following:\n\n"
            "   a) Give prominent notice with each copy of the Combined Work.\n\n"
            "   b) Do one of the following:\n\n"
            "       0) Convey the Minimal Corresponding Source.\n\n"
            "       1) Use a suitable shared library mechanism.\n\n"
            "   c) Provide the installation information when it is required.\n\n"
            "That is all it takes.\n")
    assert [t for _, t in passages(text)] == [
        "You may convey a Combined Work if you do each of the following: a) Give prominent notice with each copy "
        "of the Combined Work. b) Do one of the following: 0) Convey the Minimal Corresponding Source. 1) Use a "
        "suitable shared library mechanism. c) Provide the installation information when it is required.",
        "That is all it takes."]


def test_underlined_and_boxed_headings_are_headings_and_rule_lines_never_passages():
    text = ("Manual\n======\n\nOverview\n--------\n\nThe program compresses files quickly and well.\n\n"
            "-------------------\n\n"
            "****************************************\n"
            "*  6. Disclaimer of Warranty           *\n"
            "*  -------------------------           *\n"
            "*                                      *\n"
            "*  The software is provided as is,     *\n"
            "*  without warranty of any kind.       *\n"
            "****************************************\n")
    assert passages(text) == [
        ("Overview", "The program compresses files quickly and well."),
        ("6. Disclaimer of Warranty", "The software is provided as is, without warranty of any kind.")]


def test_a_url_alone_is_never_a_heading_or_a_passage():
    text = ("Licence\n\nSee the licence text for the details of what you may do, at\n\n"
            "<https://www.gnu.org/licenses/>\n\nThe next paragraph says something quite different here.\n")
    found = passages(text)
    assert len(found) == 2 and found[0][1].endswith("<https://www.gnu.org/licenses/>")
    assert all(section == "Licence" for section, _ in found)


def test_a_centred_title_of_short_lines_is_the_documents_title():
    text = ("                 Apache License\n           Version 2.0, January 2004\n"
            "        http://www.apache.org/licenses/\n\n"
            "   TERMS AND CONDITIONS\n\n   1. Definitions.\n\n   \"Work\" shall mean the work of authorship.\n")
    document = parse_document(Path("LICENSE.txt"), text.encode(), "doc")
    assert document.title == "Apache License Version 2.0, January 2004"
    assert [(p.section, p.text) for p in document.passages] == [("1. Definitions",
                                                                 '"Work" shall mean the work of authorship.')]


def test_the_sentence_splitter_makes_no_sentence_of_a_clause_number_or_a_title():
    text = ("Licence\n\n5. The rights end. You may stop. Submission of Contributions. Unless You state otherwise, "
            "it is so.\n")
    (passage,) = parse_document(Path("d.txt"), text.encode(), "doc").passages
    assert [s.text for s in passage.sentences] == [
        "5. The rights end.", "You may stop.", "Submission of Contributions. Unless You state otherwise, it is so."]


def test_markdown_through_the_parser_keeps_code_whole_and_rows_with_their_headers():
    text = ("---\ntitle: Opening times\n---\n# Opening\n\nThe shop opens every day of the week.\n\n"
            "```\nopen --now\nclose --later\n```\n\n| Day | Hours |\n|-----|-------|\n| Monday | 9 to 5 |\n"
            "| Sunday | closed |\n\n- first item of the list here\n- second item of the list\n")
    document = parse_document(Path("shop.md"), text.encode(), "shop")
    assert document.title == "Opening times"
    texts = [p.text for p in document.passages]
    assert texts == ["The shop opens every day of the week.", "open --now\nclose --later", "Day: Monday; Hours: 9 to 5",
                     "Day: Sunday; Hours: closed", "- first item of the list here - second item of the list"]
    assert [len(p.sentences) for p in document.passages][1:4] == [1, 1, 1]


def test_html_keeps_the_main_content_with_headings_as_sections():
    page = ("<html><head><title>Sorting HOW TO</title></head><body><nav><a href='/'>Home</a> | "
            "<a href='/prev'>Previous topic</a></nav><main><h1>Sorting HOW TO</h1>"
            "<p>Python lists have a built-in <code>list.sort()</code> method that modifies the list in-place.</p>"
            "<h2>Key Functions</h2><p>Both list.sort() and sorted() have a key parameter to specify a function to "
            "be called on each list element prior to making comparisons.</p>"
            "<pre>sorted(words, key=str.lower)</pre></main>"
            "<footer>Show Source. Copyright 2001 the Python Software Foundation.</footer></body></html>")
    document = parse_document(Path("sorting.html"), page.encode(), "sorting")
    assert document.title == "Sorting HOW TO" and document.format == "html"
    found = [(p.section, p.text) for p in document.passages]
    assert found[0] == ("Sorting HOW TO",
                        "Python lists have a built-in list.sort() method that modifies the list in-place.")
    assert found[1][0] == "Key Functions"
    assert not any("Previous topic" in t or "Show Source" in t for _, t in found)
    for p in document.passages:  # offsets index the extracted text
        assert reflow(document.text[p.start:p.end]) == p.text or p.text == document.text[p.start:p.end]


def test_a_corrupt_or_textless_pdf_and_an_unknown_suffix_are_skipped_with_their_reasons(tmp_path, caplog):
    (tmp_path / "good.txt").write_text("The office opens at nine in the morning on weekdays.\n", encoding="utf-8")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a PDF")
    (tmp_path / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "empty.md").write_text("\n\n", encoding="utf-8")
    read = read_corpus(tmp_path)
    assert [d.relative_path for d in read.documents] == ["good.txt"]
    reasons = {s.path: s.reason for s in read.skipped}
    assert set(reasons) == {"broken.pdf", "picture.png", "empty.md"}
    assert reasons["broken.pdf"].startswith("the PDF cannot be read")
    assert reasons["picture.png"].startswith("unknown suffix .png")
    assert [r.getMessage() for r in caplog.records] == [f"netqa: skipped {p}: {r}" for p, r in sorted(reasons.items())]


def test_a_file_in_another_encoding_is_read_by_charset_detection(tmp_path):
    text = ("Le café ouvre à huit heures et ferme à dix-huit heures, sauf le dimanche matin où il reste fermé. "
            "Les élèves déjeunent à midi; la cantine est fermée pendant les vacances d'été.")
    (tmp_path / "cafe.txt").write_bytes(text.encode("cp1252"))
    (document,) = read_corpus(tmp_path).documents
    assert document.passages[0].text == text and document.encoding not in (None, "utf-8-sig")


def test_names_give_initialisms_and_versions_of_the_title():
    names = names_text("GNU LESSER GENERAL PUBLIC LICENSE Version 3, 29 June 2007", "LGPL-3.txt").split()
    assert {"LGPL", "GLGPL", "LGPLv3", "LGPL-3", "LGPL3"} <= set(names)
    assert "MPL" in names_text("MOZILLA PUBLIC LICENSE Version 1.1", "MPL-1.1.txt").split()
    # the maker's word may go ("GNU GPL" is the GPL), a narrowing one not: "GPLv2" does not name the Lesser GPL 2.1
    assert "GPLv2" in names_text("GNU GENERAL PUBLIC LICENSE Version 2, June 1991", "GPL-2").split()
    assert not {"GPLv2.1", "GPL-2.1", "GPL2.1"} & set(names_text("GNU LESSER GENERAL PUBLIC LICENSE Version 2.1",
                                                                  "LGPL-2.1").split())


def test_a_version_ending_in_zero_is_also_named_without_it():
    names = names_text("Mozilla Public License Version 2.0", "MPL-2.0").split()
    assert {"MPLv2.0", "MPLv2", "MPL2", "MPL-2"} <= set(names)


def test_the_words_before_a_shorter_initialism_name_the_document_too():
    names = names_text("GNU LESSER GENERAL PUBLIC LICENSE Version 2.1", "LGPL-2.1")
    assert "LESSER GPL" in names and "GNU LGPL" in names
    assert "GNU FDL" in names_text("GNU Free Documentation License Version 1.3", "GFDL-1.3")


def test_a_suffix_of_digits_is_part_of_the_version_not_a_format():
    assert file_stem("LGPL-2.1") == "LGPL-2.1" and file_stem("CC0-1.0.txt") == "CC0-1.0"
    assert file_stem("README.md") == "README"
    assert "LGPLv2.1" in names_text("LGPL-2.1", "LGPL-2.1").split()


def test_block_kinds_are_a_closed_set():
    assert {k.value for k in BlockKind} == {"heading", "text", "code", "row"}


def test_a_numbered_line_over_a_more_indented_paragraph_heads_it():
    text = ("Questions\n\n 4. compress() returns Z_BUF_ERROR.\n\n    Make sure that the length of the buffer is equal\n"
            "    to the available size of the buffer.\n\n 5. I found a bug.\n\n    Most of the time, such problems are"
            " due to an incorrect usage.\n\n        make install\n\n"
            "    Then run the tests again to be sure it works.\n")
    assert passages(text) == [
        ("4. compress() returns Z_BUF_ERROR",
         "Make sure that the length of the buffer is equal to the available size of the buffer."),
        ("5. I found a bug", "Most of the time, such problems are due to an incorrect usage."),
        ("5. I found a bug", "make install"),  # deeper than the text after it: a command, not a heading
        ("5. I found a bug", "Then run the tests again to be sure it works.")]


def test_a_saved_index_gives_back_the_same_passages_for_every_format(tmp_path):
    import netqa
    from netqa.index import build, load_index, save_index

    (tmp_path / "notes.md").write_text("# Notes\n\nThe shop opens at nine every day.\n\n```\nopen --now\n```\n\n"
                                       "| Day | Hours |\n|---|---|\n| Monday | 9 to 5 |\n", encoding="utf-8")
    (tmp_path / "page.html").write_bytes(b"<html><head><title>Help</title></head><body><main><h1>Help</h1>"
                                         b"<p>Ask at the desk on the ground floor for a visitor badge.</p>"
                                         b"<pre>badge --print</pre></main></body></html>")
    (tmp_path / "old.txt").write_bytes("The caf\xe9 closes at five o'clock on every weekday, and at noon on "
                                       "Saturdays.".encode("cp1252"))
    (tmp_path / "install.txt").write_text("Install\n\n   To build it, type:\n\n       ./configure  --quiet\n"
                                          "       make\n\n   Then it is built.\n", encoding="utf-8")
    built = build(tmp_path)
    assert "To build it, type: ./configure  --quiet\nmake" in [p.text for p in built.passages]
    save_index(built, tmp_path / "saved")
    loaded = load_index(tmp_path, tmp_path / "saved")
    assert loaded is not None
    fields = ("id", "doc_id", "document", "section", "text", "start", "end", "sentences", "path", "page", "kind")
    assert [tuple(getattr(p, f) for f in fields) for p in loaded.passages] == \
        [tuple(getattr(p, f) for f in fields) for p in built.passages]
    assert {p.kind for p in loaded.passages} == {"text", "code", "row"}
    bot = netqa.load(tmp_path, index_dir=tmp_path / "saved")
    assert bot.top_passages("what time does the shop open", 1)[0].text == "The shop opens at nine every day."


def test_centred_headings_are_headings_even_over_several_lines():
    text = ("Licence\n\n                            Preamble\n\n  The licences for most software are designed to"
            " take away\nyour freedom to share and change it.\n\n"
            "                  GNU GENERAL PUBLIC LICENSE\n   TERMS AND CONDITIONS FOR COPYING AND MODIFICATION\n\n"
            "  0. This License applies to any program which contains a notice.\n\n"
            "                     END OF TERMS AND CONDITIONS\n\n"
            "            How to Apply These Terms to Your New Programs\n\n"
            "  If you develop a new program, and you want it to be of use, say so.\n")
    assert passages(text) == [
        ("Preamble", "The licences for most software are designed to take away your freedom to share and change it."),
        ("GNU GENERAL PUBLIC LICENSE TERMS AND CONDITIONS FOR COPYING AND MODIFICATION",
         "0. This License applies to any program which contains a notice."),
        ("How to Apply These Terms to Your New Programs",
         "If you develop a new program, and you want it to be of use, say so.")]


def test_a_heading_ending_in_a_colon_heads_only_the_indented_list_below_it():
    text = ("Licence\n\nThe intent of this document is to state the conditions of copying.\n\nDefinitions:\n\n"
            '\t"Package" refers to the collection of files distributed.\n\n'
            '\t"You" is you, if you are thinking about copying it.\n\n'
            "1. You may make and give away verbatim copies of the source form.\n")
    assert passages(text) == [
        ("Licence", "The intent of this document is to state the conditions of copying."),
        ("Definitions", '"Package" refers to the collection of files distributed.'),
        ("Definitions", '"You" is you, if you are thinking about copying it.'),
        ("Licence", "1. You may make and give away verbatim copies of the source form.")]


def test_a_numbered_question_of_several_lines_is_a_passage_and_the_section_of_its_answer():
    text = ("Questions about it\n\n24. The license says that altered versions must be marked. So\n"
            "    what exactly do I need to do to meet that requirement?\n\n"
            "    You need to change the version number in the header file.\n\n"
            "25. Will it work on a big-endian or little-endian architecture, and can I\n"
            "    exchange compressed data between them?\n\n    Yes and yes.\n")
    first = ("24. The license says that altered versions must be marked. So what exactly do I need to do to meet "
             "that requirement?")
    second = "25. Will it work on a big-endian or little-endian architecture, and can I exchange compressed data " \
             "between them?"
    assert passages(text) == [(first, first), (first, "You need to change the version number in the header file."),
                              (second, second), (second, "Yes and yes.")]


def test_an_example_under_its_introduction_is_kept_verbatim_and_is_never_a_heading():
    text = ("Install\n\n    By default a shared library is built. So:\n\n        make distclean\n        ./configure\n"
            "        # <edit the config file>\n        make\n\n    After the above, then:\n\n    make install\n\n"
            "    However, many systems come with a shared library already installed.\n")
    document = parse_document(Path("doc.txt"), text.encode(), "doc")
    assert [(p.section, [s.text for s in p.sentences]) for p in document.passages] == [
        ("Install", ["By default a shared library is built.", "So:",
                     "make distclean\n./configure\n# <edit the config file>\nmake"]),
        ("Install", ["After the above, then:", "make install"]),
        ("Install", ["However, many systems come with a shared library already installed."])]


def test_a_table_of_contents_is_neither_headings_nor_passages():
    text = ("XZ Utils\n========\n\n    0. Overview\n    1. Documentation\n       1.1. Overall documentation\n"
            "    2. Version numbering\n\n\n0. Overview\n-----------\n\n    XZ Utils provide a general-purpose"
            " data-compression library.\n\n2. Version numbering\n--------------------\n\n"
            "    The version number format of XZ Utils is X.Y.Z.\n")
    assert passages(text) == [("0. Overview", "XZ Utils provide a general-purpose data-compression library."),
                              ("2. Version numbering", "The version number format of XZ Utils is X.Y.Z.")]


def test_items_of_one_list_are_titled_alike():
    text = ("Licence\n\n4. MODIFICATIONS\n\nYou must do these things in the Modified Version:\n\n"
            "A. Use in the Title Page a title distinct from that of the Document.\n"
            "B. List on the Title Page one or more persons responsible for authorship.\n"
            "C. State on the Title page the name of the publisher.\n"
            "O. Preserve any Warranty Disclaimers.\n\nYou may add a section Entitled \"Endorsements\".\n")
    found = passages(text)
    assert {section for section, _ in found} == {"4. MODIFICATIONS"}
    assert found[0][1].startswith("You must do these things in the Modified Version: A. Use in the Title Page")
    assert found[0][1].endswith("O. Preserve any Warranty Disclaimers.")


def test_a_defined_term_on_a_line_of_its_own_makes_one_passage_with_its_definition():
    text = ('Licence\n\n1. Definitions\n--------------\n\n1.1. "Contributor"\n    means each individual or legal'
            ' entity that creates Covered Software.\n\n1.8. "License"\n    means this document.\n')
    assert passages(text) == [
        ("1. Definitions", '1.1. "Contributor" means each individual or legal entity that creates Covered Software.'),
        ("1. Definitions", '1.8. "License" means this document.')]


def test_a_section_number_that_wraps_to_the_start_of_a_line_continues_its_sentence():
    text = ("Licence\n\n5.2. If You initiate litigation against any entity, then the rights granted\n"
            "to You by any and all Contributors for the Covered Software under Section\n"
            "2.1 of this License shall terminate.\n\n  However, linking a work with the Library creates"
            " an executable.\nSection 6 states terms for distribution of such executables.\n\n"
            "  When a work uses material from a header file, the object code may be a derivative work.\n")
    assert [t for _, t in passages(text)] == [
        "5.2. If You initiate litigation against any entity, then the rights granted to You by any and all "
        "Contributors for the Covered Software under Section 2.1 of this License shall terminate.",
        "However, linking a work with the Library creates an executable. Section 6 states terms for distribution "
        "of such executables.",
        "When a work uses material from a header file, the object code may be a derivative work."]
    assert {s for s, _ in passages(text)} == {"Licence"}


def test_a_clause_title_ends_at_its_own_period_and_may_hold_abbreviations():
    text = ("Licence\n\n   9. Accepting Warranty or Additional Liability. While redistributing\n"
            "      the Work, You may choose to offer a fee for support.\n\n"
            "10. U.S. GOVERNMENT END USERS.\n\nThe Covered Code is a commercial item.\n")
    assert passages(text) == [
        ("9. Accepting Warranty or Additional Liability",
         "While redistributing the Work, You may choose to offer a fee for support."),
        ("10. U.S. GOVERNMENT END USERS", "The Covered Code is a commercial item.")]


def test_html_tables_inside_description_lists_are_rows_with_their_column_headers():
    page = ("<html><head><title>json</title></head><body><main><h1>json</h1><dl><dt>class JSONDecoder</dt><dd>"
            "<p>Performs the following translations in decoding by default:</p>"
            "<table><thead><tr><th><p>JSON</p></th><th><p>Python</p></th></tr></thead><tbody>"
            "<tr><td><p>object</p></td><td><p>dict</p></td></tr><tr><td><p>array</p></td><td><p>list</p></td></tr>"
            "</tbody></table><p>It also understands NaN and Infinity as their float values.</p></dd></dl>"
            "</main></body></html>")
    document = parse_document(Path("json.html"), page.encode(), "json")
    assert [(p.kind, p.text) for p in document.passages if p.kind == "row"] == [
        ("row", "JSON: object; Python: dict"), ("row", "JSON: array; Python: list")]


def test_html_code_inside_a_description_stays_code_whole():
    # trafilatura gives a <pre> inside a list or a description as a quotation: it is still a program, not prose
    page = ("<html><head><title>re</title></head><body><main><h1>re</h1><dl><dt>re.split(pattern, string)</dt><dd>"
            "<p>Split string by the occurrences of pattern. For example:</p>"
            "<div class='highlight'><pre><span>&gt;&gt;&gt; re.split(r'\\W+', 'Words, words.')</span>\n"
            "<span>['Words', 'words', '']</span>\n</pre></div>"
            "<p>Empty matches split the string as well.</p></dd></dl></main></body></html>")
    document = parse_document(Path("re.html"), page.encode(), "re")
    assert [(p.kind, p.text) for p in document.passages if p.kind == "code"] == [
        ("code", ">>> re.split(r'\\W+', 'Words, words.')\n['Words', 'words', '']")]


def test_html_labels_join_the_paragraph_they_name_and_short_terms_their_value():
    page = ("<html><head><title>Sorting HOW TO</title></head><body><main><h1>Sorting HOW TO</h1>"
            "<dl class='field-list'><dt>Author:</dt><dd><p>Andrew Dalke</p></dd></dl>"
            "<p>Python lists have a built-in list.sort() method that modifies the list in-place.</p>"
            "<div class='admonition note'><p class='admonition-title'>Note</p>"
            "<p>The sort is stable when two items have the same key.</p></div></main></body></html>")
    document = parse_document(Path("sorting.html"), page.encode(), "sorting")
    assert [p.text for p in document.passages] == [
        "Author: Andrew Dalke", "Python lists have a built-in list.sort() method that modifies the list in-place.",
        "Note: The sort is stable when two items have the same key."]


def test_markdown_inline_markup_is_stripped_from_passages_while_offsets_index_the_file(tmp_path):
    from netqa.index import build, load_index, save_index

    text = ("# The `xz` tool\n\nUse **`-9`** for the *best* ratio, see [the manual](man.html).\n"
            "A snake_case_name stays, as does 2*3*4.\n\n| Flag | Meaning |\n|---|---|\n| `-k` | **keep** input |\n")
    document = parse_document(Path("xz.md"), text.encode(), "xz")
    assert [(p.section, p.text) for p in document.passages] == [
        ("The xz tool", "Use -9 for the best ratio, see the manual. A snake_case_name stays, as does 2*3*4."),
        ("The xz tool", "Flag: -k; Meaning: keep input")]
    first = document.passages[0]
    assert text[first.start:first.end] == ("Use **`-9`** for the *best* ratio, see [the manual](man.html).\n"
                                           "A snake_case_name stays, as does 2*3*4.")
    (tmp_path / "xz.md").write_text(text, encoding="utf-8")
    built = build(tmp_path)
    save_index(built, tmp_path / "saved")
    loaded = load_index(tmp_path, tmp_path / "saved")
    assert loaded is not None and [p.sentences for p in loaded.passages] == [p.sentences for p in built.passages]


def test_a_pdf_paragraph_cut_by_a_page_break_is_one_passage_cited_on_its_first_page():
    from netqa.documents.passages import passages_of
    from netqa.documents.pdf import from_pages

    pages = ["Manual\n\nThe block size affects both the compression ratio achieved and the amount of\nmemory needed "
             "for compression and decompression, which the flag selects from the\n",
             "range 100k to 900k in steps.\n"
             "A second paragraph begins here on the second page of the manual, and it\n"
             "goes on to the end of a line as wide as the widest lines of this page.\n"]
    found = [(p.page, p.text) for p in passages_of(from_pages(pages), "m", "Manual", "m.pdf")]
    assert found == [
        (1, "The block size affects both the compression ratio achieved and the amount of memory needed for "
            "compression and decompression, which the flag selects from the range 100k to 900k in steps."),
        (2, "A second paragraph begins here on the second page of the manual, and it goes on to the end of a line "
            "as wide as the widest lines of this page.")]


def test_a_word_document_has_its_headings_by_style_and_its_table_rows_with_headers(tmp_path):
    import docx

    word = docx.Document()
    word.add_heading("Visiting the ward", level=0)
    word.add_heading("Hours", level=1)
    word.add_paragraph("Visitors are welcome between two and eight in the evening, every day of the week.")
    table = word.add_table(rows=2, cols=2)
    for cell, text in zip(table.rows[0].cells + table.rows[1].cells, ["Day", "Hours", "Sunday", "10 to 4"],
                          strict=True):
        cell.text = text
    word.save(tmp_path / "visiting.docx")
    (document,) = read_corpus(tmp_path).documents
    assert document.format == "docx" and document.title == "Visiting the ward"
    assert [(p.section, p.kind, p.text) for p in document.passages] == [
        ("Hours", "text", "Visitors are welcome between two and eight in the evening, every day of the week."),
        ("Hours", "row", "Day: Sunday; Hours: 10 to 4")]


def test_netqa_index_ends_with_a_summary_of_documents_passages_and_skipped_files(tmp_path):
    import subprocess
    import sys

    (tmp_path / "hours.txt").write_text("The office opens at nine in the morning on weekdays.\n", encoding="utf-8")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a PDF")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = subprocess.run([sys.executable, "-m", "netqa.cli", "index", "--corpus", str(tmp_path), "--out",
                             str(tmp_path / "built")], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    summary = result.stdout.splitlines()[-4:]
    assert summary[0] == "Documents: 1 (1 text); passages: 1" and summary[1] == "Skipped: 2 file(s)"
    assert summary[2].startswith("  broken.pdf: the PDF cannot be read") and summary[3].startswith("  photo.png: ")
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == ["netqa"] * 2


def test_a_saved_index_is_rebuilt_when_a_converter_changes(tmp_path, monkeypatch):
    import dataclasses

    from netqa import index
    from netqa.documents import converters

    (tmp_path / "hours.txt").write_text("The office opens at nine in the morning on weekdays.\n", encoding="utf-8")
    save_at = tmp_path / "saved"
    index.save_index(index.build(tmp_path), save_at)
    assert index.load_index(tmp_path, save_at) is not None
    newer = tuple(dataclasses.replace(c, version=c.version + ".1") if c.name == "text" else c
                  for c in converters.CONVERTERS)
    monkeypatch.setattr(converters, "CONVERTERS", newer)
    index._builder.cache_clear()
    try:
        assert index.load_index(tmp_path, save_at) is None  # stale: built by another converter
    finally:
        monkeypatch.undo()
        index._builder.cache_clear()


def test_replies_name_the_document_they_quote_and_no_answer_names_the_corpus(tmp_path):
    import netqa

    (tmp_path / "hours.md").write_text("# Opening Hours\n\nThe office opens at nine in the morning on weekdays.\n",
                                       encoding="utf-8")
    (tmp_path / "parking.md").write_text("# Parking\n\nThe car park behind the building has forty spaces.\n",
                                         encoding="utf-8")
    bot = netqa.load(tmp_path, index_dir=tmp_path / "saved")
    reply = bot.ask("How many spaces does the car park have?")
    assert reply.kind == "answer" and '"Parking" says' in reply.answer and "article" not in reply.answer
    assert (reply.citations[0].doc_id, reply.citations[0].path) == ("parking", "parking.md")
    missing = bot.ask("Who painted the ceiling of the chapel?")
    assert missing.kind == "no_answer" and "these 2 documents" in missing.answer.lower()


def test_a_file_without_a_suffix_is_read_as_text_and_a_binary_one_skipped(tmp_path):
    (tmp_path / "README").write_text("Valgrind\n========\n\nValgrind is an instrumentation framework for "
                                     "building dynamic analysis tools.\n", encoding="utf-8")
    (tmp_path / "program").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" * 20)
    read = read_corpus(tmp_path)
    assert [(d.id, d.format, d.title) for d in read.documents] == [("readme", "text", "Valgrind")]
    assert [(s.path, s.reason) for s in read.skipped] == [("program", "not a text file (it holds NUL bytes)")]


def test_a_field_heads_the_prose_indented_under_it_and_a_lone_dot_separates_its_paragraphs():
    text = ("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: Zstd\n\n"
            "Files: *\nCopyright: Yann Collet\n           Meta Platforms, Inc. and affiliates\n"
            "License: BSD-3-clause\n\n"
            "License: zlib\n This software is provided 'as-is', without any express or implied\n warranty.\n .\n"
            " Permission is granted to anyone to use this software for any purpose.\n\n"
            "Files: debian/*\nCopyright: 2015-2016 Kevin Murray\nLicense: Expat\n")
    document = parse_document(Path("copyright"), text.encode(), "copyright")
    assert document.title == "copyright"  # a field holding a URL is no title; a title may still hold a URL:
    assert parse_document(Path("m.txt"), b"The Manual\nJulian Seward, https://sourceware.org/bzip2/\n\n"
                          b"The manual says how to compress files well.\n", "m").title \
        == "The Manual Julian Seward, https://sourceware.org/bzip2/"
    assert [(p.section, p.text) for p in document.passages][2:] == [
        ("License: zlib", "This software is provided 'as-is', without any express or implied warranty."),
        ("License: zlib", "Permission is granted to anyone to use this software for any purpose."),
        ("copyright", "Files: debian/* Copyright: 2015-2016 Kevin Murray License: Expat")]
    assert document.passages[1].text.startswith("Files: * Copyright: Yann Collet Meta Platforms")


def test_html_list_items_join_the_paragraph_that_introduces_them_each_after_a_bullet():
    page = ("<html><head><title>Sorting</title></head><body><main><h1>Sorting</h1>"
            "<p>Including the index gives two benefits:</p><ul><li><p>The sort is stable.</p></li>"
            "<li><p>The original items do not have to be comparable.</p></li></ul>"
            "<p>Another name for this idiom is Schwartzian transform.</p></main></body></html>")
    document = parse_document(Path("sorting.html"), page.encode(), "sorting")
    assert [p.text for p in document.passages] == [
        "Including the index gives two benefits: • The sort is stable. • The original items do not have to be "
        "comparable.", "Another name for this idiom is Schwartzian transform."]


def test_a_list_item_keeps_its_own_example_and_the_list_goes_on_after_it():
    page = ("<html><head><title>Patterns</title></head><body><main><h1>Patterns</h1>"
            "<p>Several other key features of patterns:</p><ul>"
            "<li><p>Subpatterns may be captured using the as keyword:</p>"
            "<div class='highlight'><pre><span></span>case (Point(x1, y1), Point(x2, y2) as p2): ...</pre></div>"
            "<p>will capture the second element of the input as p2.</p></li>"
            "<li><p>Most literals are compared by equality.</p></li></ul>"
            "<p>Patterns may also be nested.</p></main></body></html>")
    document = parse_document(Path("patterns.html"), page.encode(), "patterns")
    assert [p.text for p in document.passages] == [
        "Several other key features of patterns: • Subpatterns may be captured using the as keyword: case (Point(x1,"
        " y1), Point(x2, y2) as p2): ... will capture the second element of the input as p2. • Most literals are"
        " compared by equality.", "Patterns may also be nested."]


def test_a_sentence_that_code_interrupts_is_one_passage_with_the_code():
    page = ("<html><head><title>Defaults</title></head><body><main><h1>Default Values</h1>"
            "<p>The default values are evaluated at the point of function definition, so that</p>"
            "<pre>i = 5\n\ndef f(arg=i):\n    print(arg)\n\ni = 6\nf()</pre><p>will print <code>5</code>.</p>"
            "<p>To leave a virtual environment, type:</p>"
            "<div class='highlight'><pre><span></span>deactivate</pre></div><p>into the terminal.</p>"
            "<p>The default value is evaluated only once, which matters for a list or a dictionary.</p>"
            "</main></body></html>")
    document = parse_document(Path("defaults.html"), page.encode(), "defaults")
    assert [(p.kind, p.text) for p in document.passages] == [
        ("text", "The default values are evaluated at the point of function definition, so that "
                 "i = 5\n\ndef f(arg=i):\n    print(arg)\n\ni = 6\nf() will print 5."),
        ("text", "To leave a virtual environment, type: deactivate into the terminal."),
        ("text", "The default value is evaluated only once, which matters for a list or a dictionary.")]


def test_sphinx_footnotes_are_text_under_their_heading():
    page = ("<html><head><title>Control Flow</title></head><body><main><h1>More Control Flow</h1>"
            "<p>Arguments are passed using call by value.<a href='#f1'>1</a></p>"
            "<p class='rubric'>Footnotes</p><aside class='footnote-list brackets'>"
            "<aside class='footnote brackets' id='f1' role='note'><span class='label'>[1]</span>"
            "<p>Actually, call by object reference would be a better description.</p></aside></aside>"
            "</main></body></html>")
    document = parse_document(Path("controlflow.html"), page.encode(), "controlflow")
    assert [(p.section, p.text) for p in document.passages][-1] == (
        "Footnotes", "[1] Actually, call by object reference would be a better description.")


def test_a_pdf_term_and_its_lower_case_description_are_one_paragraph_and_never_a_heading():
    from netqa.documents.passages import passages_of
    from netqa.documents.pdf import from_pages

    page = ("3.4.1. BZ2_bzReadOpen\n"
            "BZFILE *BZ2_bzReadOpen( int *bzerror, FILE *f, int verbosity, int small );\n"
            "Prepare to read compressed data from file handle f. f should refer to a file which has been opened\n"
            "for reading, and for which the error indicator is not set.\n"
            "Possible assignments to bzerror:\n"
            "BZ_CONFIG_ERROR\n"
            "if the library has been mis-compiled\n"
            "BZ_PARAM_ERROR\n"
            "if f is NULL\n"
            "or small is neither 0 nor 1\n"
            "BZ_MEM_ERROR\n"
            "if insufficient memory is available\n"
            "BZ_OK\n"
            "otherwise.\n")
    found = [(p.section, p.text) for p in passages_of(from_pages([page]), "m", "Manual", "m.pdf")]
    assert {section for section, _ in found} == {"3.4.1. BZ2_bzReadOpen"}
    assert ("3.4.1. BZ2_bzReadOpen", "BZ_PARAM_ERROR if f is NULL or small is neither 0 nor 1") in found
    assert ("3.4.1. BZ2_bzReadOpen", "BZ_OK otherwise.") in found


def test_gzipped_documents_are_read_as_the_file_inside_and_cited_by_their_real_path(tmp_path):
    import gzip

    from netqa.index import build, load_index, save_index

    (tmp_path / "README.gz").write_bytes(gzip.compress(
        b"XZ Utils\n\nXZ Utils provide a general-purpose data-compression library plus command-line tools.\n"))
    (tmp_path / "doc").mkdir()
    (tmp_path / "doc" / "FAQ.md.gz").write_bytes(gzip.compress(
        b"# Frequently asked\n\nzlib does not handle dates, so it is **Y2K** compliant.\n"))
    (tmp_path / "broken.txt.gz").write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    (tmp_path / "backup.tar.gz").write_bytes(gzip.compress(b"binary"))
    read = read_corpus(tmp_path)
    by_path = {d.relative_path: d for d in read.documents}
    assert sorted(by_path) == ["README.gz", "doc/FAQ.md.gz"]
    readme, faq = by_path["README.gz"], by_path["doc/FAQ.md.gz"]
    assert (readme.id, readme.format, readme.title) == ("readme", "text", "XZ Utils")
    assert (faq.id, faq.format, faq.passages[0].section) == ("doc-faq", "markdown", "Frequently asked")
    assert faq.passages[0].text == "zlib does not handle dates, so it is Y2K compliant."
    assert faq.passages[0].path == "doc/FAQ.md.gz"
    assert faq.text[faq.passages[0].start:faq.passages[0].end].startswith("zlib does not handle dates")
    reasons = {s.path: s.reason for s in read.skipped}
    assert reasons["broken.txt.gz"].startswith("not a readable gzip file")
    assert reasons["backup.tar.gz"].startswith("unknown suffix .tar.gz")
    built = build(tmp_path)
    save_index(built, tmp_path / ".saved")
    loaded = load_index(tmp_path, tmp_path / ".saved")
    assert loaded is not None
    assert [(p.id, p.text, p.path) for p in loaded.passages] == [(p.id, p.text, p.path) for p in built.passages]


def test_a_gzipped_pdf_has_its_pages_cited(tmp_path):
    import gzip

    manual = Path(__file__).parent / "gold" / "pdf" / "docs" / "bzip2-manual.pdf"
    (tmp_path / "manual.pdf.gz").write_bytes(gzip.compress(manual.read_bytes()))
    (document,) = read_corpus(tmp_path).documents
    assert (document.id, document.format, document.encoding) == ("manual", "pdf", None)
    assert {p.path for p in document.passages} == {"manual.pdf.gz"}
    assert max(p.page or 0 for p in document.passages) > 30


def test_a_titled_lettered_clause_carries_the_numbered_clause_it_is_in():
    text = ("Licence\n\n3.4. Intellectual Property Matters\n\n(a) Third Party Claims.\n"
            "If Contributor has knowledge that a licence is required, Contributor must include a text file.\n\n"
            "(b) Contributor APIs.\nIf Contributor's Modifications include an interface, Contributor must say so.\n\n"
            "3.5. Required Notices.\nYou must duplicate the notice in each file of the Source Code.\n")
    assert [section for section, _ in passages(text)] == [
        "3.4. Intellectual Property Matters: (a) Third Party Claims",
        "3.4. Intellectual Property Matters: (b) Contributor APIs", "3.5. Required Notices"]



def test_where_a_format_marks_its_list_items_only_items_join_a_lead_in():
    page = ("<html><head><title>json</title></head><body><main><h1>json</h1>"
            "<p>Some implementations may set limits on:</p><ul><li><p>the size of accepted texts</p></li>"
            "<li><p>the maximum level of nesting</p></li></ul><p>the range of numbers</p></main></body></html>")
    document = parse_document(Path("json.html"), page.encode(), "json")
    assert [p.text for p in document.passages] == [
        "Some implementations may set limits on: • the size of accepted texts • the maximum level of nesting",
        "the range of numbers"]


def test_a_word_list_joins_the_paragraph_that_introduces_it(tmp_path):
    import docx

    word = docx.Document()
    word.add_heading("Visiting", level=1)
    word.add_paragraph("Please do not bring these to the wards:")
    word.add_paragraph("fresh flowers", style="List Bullet")
    word.add_paragraph("latex balloons", style="List Bullet")
    word.add_paragraph("Visiting hours are nine to five.")
    word.save(tmp_path / "visiting.docx")
    (document,) = read_corpus(tmp_path).documents
    assert [(p.section, p.text) for p in document.passages] == [
        ("Visiting", "Please do not bring these to the wards: fresh flowers latex balloons"),
        ("Visiting", "Visiting hours are nine to five.")]


def test_a_code_example_under_its_introduction_has_a_section_that_says_what_it_shows():
    page = ("<html><head><title>json</title></head><body><main><h1>json</h1>"
            "<p>Compact encoding:</p><pre>json.dumps([1, 2], separators=(',', ':'))</pre>"
            "<p>Python lists become JSON arrays in the output.</p></main></body></html>")
    document = parse_document(Path("json.html"), page.encode(), "json")
    assert [(p.section, p.kind, p.text) for p in document.passages] == [
        ("json: Compact encoding", "code", "json.dumps([1, 2], separators=(',', ':'))"),
        ("json", "text", "Python lists become JSON arrays in the output.")]  # "Compact encoding:" alone says nothing


def test_outline_headings_of_a_gnu_news_file_nest_and_the_mode_line_is_not_in_the_title():
    text = ("GNU frob NEWS                                    -*- outline -*-\n\n"
            "* Noteworthy changes in release 3.8 (2021-08-01) [stable]\n\n** Bug fixes\n\n"
            "  frob no longer crashes on an empty file.\n\n"
            "* Noteworthy changes in release 3.7 (2018-12-31) [stable]\n\n** Improvements\n\n"
            "  frob --color now works with less -R.\n")
    document = parse_document(Path("NEWS"), text.encode(), "news")
    assert document.title == "GNU frob NEWS"
    assert passages(text, "NEWS") == [
        ("Noteworthy changes in release 3.8 (2021-08-01) [stable]: Bug fixes",
         "frob no longer crashes on an empty file."),
        ("Noteworthy changes in release 3.7 (2018-12-31) [stable]: Improvements",
         "frob --color now works with less -R.")]


def test_stars_at_the_start_of_lines_are_bullets_unless_the_file_is_an_outline():
    text = "Notes\n\n* the first point of the notes here\n\n* the second point of the notes here\n"
    assert [section for section, _ in passages(text)] == ["Notes", "Notes"]


def test_every_debian_changelog_entry_heads_its_own_text_and_trailer():
    text = ("apt (2.5.2) unstable; urgency=medium\n\n  Upgrading a package now upgrades its siblings too.\n\n"
            " -- Julian Klode <jak@example.org>  Sun, 24 Jul 2022 15:45:15 +0200\n\n"
            "apt (2.4.0) unstable; urgency=medium\n\n  GPG verification first tries the trusted.gpg.d keys.\n\n"
            " -- Julian Klode <jak@example.org>  Tue, 22 Feb 2022 20:01:00 +0100\n")
    document = parse_document(Path("NEWS.Debian.txt"), text.encode(), "news")
    assert document.title == "NEWS.Debian"
    assert passages(text, "NEWS.Debian.txt") == [
        ("apt (2.5.2) unstable; urgency=medium", "Upgrading a package now upgrades its siblings too."),
        ("apt (2.5.2) unstable; urgency=medium", "-- Julian Klode <jak@example.org> Sun, 24 Jul 2022 15:45:15 +0200"),
        ("apt (2.4.0) unstable; urgency=medium", "GPG verification first tries the trusted.gpg.d keys."),
        ("apt (2.4.0) unstable; urgency=medium", "-- Julian Klode <jak@example.org> Tue, 22 Feb 2022 20:01:00 +0100")]


def test_headings_underlined_with_a_later_character_are_parts_of_the_one_above():
    text = ("frob release notes\n\nfrob 1.14 (2023-09-01)\n======================\n\n"
            "Bug fixes\n---------\n\nThe daemon no longer crashes when a policy fails.\n\n"
            "frob 1.12 (2023-06-06)\n======================\n\nSecurity fixes\n--------------\n\n"
            "An assertion failure in the daemon is fixed.\n")
    assert passages(text) == [
        ("frob 1.14 (2023-09-01): Bug fixes", "The daemon no longer crashes when a policy fails."),
        ("frob 1.12 (2023-06-06): Security fixes", "An assertion failure in the daemon is fixed.")]


def test_a_title_in_a_heading_style_of_its_own_heads_no_section():
    text = ("frob release notes\n==================\n\nBug fixes\n---------\n\n"
            "The daemon no longer crashes when a policy fails.\n")
    assert passages(text) == [("Bug fixes", "The daemon no longer crashes when a policy fails.")]


def test_a_short_command_under_its_lead_in_is_one_passage_with_it_and_a_tab_indent_counts_as_a_column():
    text = ("Notes\n\n1. Beeps\n\n   Put in /etc/inputrc (or in your ~/.inputrc):\n\n\tset show-all-if-ambiguous on\n\n"
            "   Other people prefer:\n\n\tset bell-style none\n\n2. Prompts\n\n   Use colours in prompts with care.\n")
    assert passages(text) == [
        ("1. Beeps", "Put in /etc/inputrc (or in your ~/.inputrc): set show-all-if-ambiguous on"),
        ("1. Beeps", "Other people prefer: set bell-style none"),
        ("2. Prompts", "Use colours in prompts with care.")]


def test_a_wrapped_line_opening_with_a_number_of_another_list_goes_on_with_its_item():
    text = ("5. Modified Versions.\n\n  You may convey a modified work, provided that you also meet all of these"
            " conditions:\n\n    a) The work must carry notices stating that you modified it.\n\n"
            "    b) The work must carry notices stating that it is released under this License and any conditions"
            " added under section\n    7.  This requirement changes the one in section 4.\n\n"
            "    c) You must license the whole work under this License.\n")
    items = [text for _, text in passages(text)]
    assert "b) The work must carry notices stating that it is released under this License and any conditions " \
           "added under section 7. This requirement changes the one in section 4." in " ".join(items)
    assert not any(item.startswith("7.") for item in items)


def test_a_numbered_title_wrapped_onto_a_line_of_its_own_is_one_heading():
    text = ("10. Versions of the License\n\n10.1. New Versions\n\nThe steward may publish new versions of this"
            " License.\n\n10.4. Distributing Source Code Form that is Incompatible With Secondary\nLicenses\n\n"
            "If You choose to distribute such a form, the notice described in Exhibit B must be attached.\n")
    assert passages(text)[-1] == (
        "10.4. Distributing Source Code Form that is Incompatible With Secondary Licenses",
        "If You choose to distribute such a form, the notice described in Exhibit B must be attached.")


def test_a_definition_that_stops_at_its_verb_is_one_passage_with_the_list_of_its_meanings():
    text = ('1. Definitions\n\n1.4. "Covered Software" means the Source Code Form and its Modifications.\n\n'
            '1.5. "Incompatible With Secondary Licenses"\n    means\n\n    (a) that the Contributor has attached the'
            ' notice of Exhibit B; or\n\n    (b) that the software was made available under version 1.1 or'
            ' earlier.\n\n1.6. "Executable Form" means any form other than Source Code Form.\n')
    assert passages(text) == [
        ("1. Definitions", '1.4. "Covered Software" means the Source Code Form and its Modifications.'),
        ("1. Definitions", '1.5. "Incompatible With Secondary Licenses" means (a) that the Contributor has attached'
                           ' the notice of Exhibit B; or (b) that the software was made available under version 1.1'
                           ' or earlier.'),
        ("1. Definitions", '1.6. "Executable Form" means any form other than Source Code Form.')]


def test_untitled_clauses_that_the_text_cites_as_sections_are_those_sections():
    text = ("TERMS AND CONDITIONS\n\n  1. You may copy the Program as you receive it.\n\n  2. You may modify your"
            " copy, provided that you also meet the terms of Section 1:\n\n    a) You must say that you changed"
            " the files and when you changed them.\n\n    b) You must license the whole work at no charge to all"
            " third parties under the terms of this License.\n\nThese requirements apply to the modified work as a"
            " whole.\n\n  3. You may distribute the Program in object code.\n\n  NO WARRANTY\n\n  4. There is no"
            " warranty for the Program.\n\n  Steps\n\nThe Program is installed in two steps.\n")
    # the heading over the first clause heads them all and names none; one inside the list names those after it
    assert [section for section, _ in passages(text)] == [
        "Section 1", "Section 2", "Section 2", "Section 3", "NO WARRANTY: Section 4", "Steps"]  # the text after
    # clause 2 is in it too
    # where the text never cites a section, a numbered list is no list of sections
    assert {section for section, _ in passages(text.replace("Section 1", "the list"))} == {
        "TERMS AND CONDITIONS", "NO WARRANTY", "Steps"}


def test_a_short_line_over_prose_indented_under_it_heads_it_even_ending_in_a_full_stop():
    text = ("   END OF TERMS AND CONDITIONS\n\n   APPENDIX: How to apply the License to your work.\n\n"
            "      To apply the License to your work, attach the following notice to your files.\n\n"
            "Also add information on how to contact you by electronic and paper mail.\n\n"
            "  If the program does terminal interaction, make it print a short notice.\n")
    assert passages(text) == [
        ("APPENDIX: How to apply the License to your work",
         "To apply the License to your work, attach the following notice to your files."),
        # a sentence back at the margin after indented text is no heading; the labelled heading headed only
        # the text indented under it
        ("END OF TERMS AND CONDITIONS", "Also add information on how to contact you by electronic and paper mail."),
        ("END OF TERMS AND CONDITIONS", "If the program does terminal interaction, make it print a short notice.")]


def test_a_list_of_short_items_without_a_lead_in_is_one_passage_each_item_after_its_bullet():
    text = ("# libfoo\n\nlibfoo parses CBOR data for C programs.\n\n## Main features\n\n- Complete RFC conformance\n"
            "- Robust C99 implementation\n- No shared global state\n\n## Install\n\n- First download the release"
            " archive from the project page and unpack it. Then read its notes.\n- Then run the installer.\n")
    assert passages(text, "README.md") == [
        ("libfoo", "libfoo parses CBOR data for C programs."),
        ("Main features", "- Complete RFC conformance - Robust C99 implementation - No shared global state"),
        # items of more than a phrase stay passages of their own
        ("Install", "First download the release archive from the project page and unpack it. Then read its notes."),
        ("Install", "Then run the installer.")]


def test_a_heading_right_after_a_lead_in_is_the_next_section_not_the_example_it_announced():
    text = ("Sorting\n\n   Sort the pupils by age, then list them in reverse age order:\n\n   Terms\n\n"
            "   The Library may be copied by anyone who keeps this notice.\n\n   To turn the bell off, put in"
            " ~/.inputrc:\n\n   set bell-style none\n\n   The change takes effect at the next login.\n")
    assert passages(text) == [
        ("Sorting", "Sort the pupils by age, then list them in reverse age order:"),
        ("Terms", "The Library may be copied by anyone who keeps this notice."),
        ("Terms", "To turn the bell off, put in ~/.inputrc: set bell-style none"),
        ("Terms", "The change takes effect at the next login.")]


def test_a_described_function_heads_only_its_description_and_is_named_as_the_docs_refer_to_it():
    page = ("<html><head><title>heapq</title></head><body><main><h1>heapq</h1><h2>Functions</h2>"
            "<p>The following functions are provided by the module here:</p>"
            "<dl class='py function'><dt id='heapq.heappush'>heapq.heappush(heap, item, *, key=None)¶</dt>"
            "<dd><p>Push the value item onto the heap, maintaining the heap invariant.</p></dd></dl>"
            "<dl class='py class'><dt id='heapq.Heap'>class heapq.Heap(items=())</dt><dd>"
            "<p>A heap kept as a list of the items that were pushed onto it.</p>"
            "<dl class='py method'><dt id='heapq.Heap.pop'>pop()</dt><dd><p>Pop and return the smallest item "
            "of the heap.</p></dd></dl></dd></dl>"
            "<p>The module also offers three general purpose functions based on heaps.</p></main></body></html>")
    document = parse_document(Path("heapq.html"), page.encode(), "heapq")
    assert [(p.section, p.text) for p in document.passages] == [
        ("Functions", "The following functions are provided by the module here:"),
        ("heapq.heappush()", "Push the value item onto the heap, maintaining the heap invariant."),
        ("class heapq.Heap()", "A heap kept as a list of the items that were pushed onto it."),
        ("class heapq.Heap: pop()", "Pop and return the smallest item of the heap."),
        ("Functions", "The module also offers three general purpose functions based on heaps.")]
    assert "heapq.heappush(heap, item, *, key=None)" in document.text  # the signature is shown whole


def test_a_highlighted_code_block_inside_a_description_keeps_its_lines():
    code = ("<div class='highlight'><pre><span></span><span class='kn'>import</span> <span class='nn'>os</span>\n"
            "<span class='k'>for</span> name <span class='ow'>in</span> os.listdir('.'):\n"
            "    print(name)\n</pre></div>")
    page = ("<html><head><title>fnmatch</title></head><body><main><h1>fnmatch</h1><dl class='py function'>"
            "<dt id='fnmatch.fnmatch'>fnmatch.fnmatch(name, pattern)</dt><dd><p>Test whether the name matches the "
            f"pattern. This example prints the names in the folder:</p>{code}</dd></dl></main></body></html>")
    document = parse_document(Path("fnmatch.html"), page.encode(), "fnmatch")
    assert [p.kind for p in document.passages] == ["text", "code"]
    assert document.passages[1].text == "import os\nfor name in os.listdir('.'):\n    print(name)"


def test_an_html_field_is_no_label_and_a_label_over_a_list_joins_its_first_item():
    page = ("<html><head><title>glob</title></head><body><main><h1>glob</h1><p>Source code: Lib/glob.py</p>"
            "<p>The glob module finds all the pathnames matching a specified pattern.</p>"
            "<p>See also</p><ul><li><p>The pathlib module offers high-level path objects.</p></li></ul>"
            "</main></body></html>")
    document = parse_document(Path("glob.html"), page.encode(), "glob")
    assert [p.text for p in document.passages] == [
        "Source code: Lib/glob.py", "The glob module finds all the pathnames matching a specified pattern.",
        "See also: The pathlib module offers high-level path objects."]


def test_short_items_of_a_real_list_are_kept_and_a_heading_inside_an_entry_names_the_entry_too():
    text = ("less (590-2.1) bookworm-security; urgency=high\n\n  * Non-maintainer upload by the Security Team.\n"
            "  * Rebuild for bookworm-security\n\n  [ Milan Kupcevic ]\n  * Fix incorrect display when a file name "
            "holds control characters.\n\n -- Salvatore Bonaccorso <carnil@example.org>  Thu, 02 May 2024 20:30:51 "
            "+0200\n")
    found = passages(text, "changelog.Debian.txt")
    assert ("less (590-2.1) bookworm-security; urgency=high", "Rebuild for bookworm-security") in found
    assert ("less (590-2.1) bookworm-security; urgency=high: [ Milan Kupcevic ]",
            "Fix incorrect display when a file name holds control characters.") in found


def test_sub_items_of_another_bullet_are_one_passage_with_their_item_and_keep_their_bullets():
    text = ("Changes\n\n  * new upstream release (closes: #983599)\n"
            "    - avoid spurious empty lines (closes: #763631)\n    - remove erroneous free() (closes: #990035)\n"
            "  * lesspipe: list zstd file types\n")
    assert passages(text) == [
        ("Changes", "new upstream release (closes: #983599) - avoid spurious empty lines (closes: #763631) - remove "
         "erroneous free() (closes: #990035)"),
        ("Changes", "lesspipe: list zstd file types")]


def test_a_pdf_heading_wrapped_onto_a_second_line_is_one_heading():
    from netqa.documents.passages import passages_of
    from netqa.documents.pdf import from_pages

    wide = "a line as wide as the widest lines of this page goes on and on to the end of it here,"
    page = ("Manual\n3.7. Using the library in a stdio-free\nenvironment\n3.7.1. Getting rid of stdio\n"
            f"In a deeply embedded application, {wide}\nso the memory-to-memory functions are all you need.\n"
            "2.6. RECOVERING DATA FROM DAMAGED\nFILES\n"
            f"bzip2 compresses files in blocks, usually 900kbytes long, and {wide}\nwhich is how it recovers.\n")
    converted = from_pages([page])
    assert [b.label for b in converted.blocks if b.kind is BlockKind.HEADING][1:] == [
        "3.7. Using the library in a stdio-free environment", "3.7.1. Getting rid of stdio",
        "2.6. RECOVERING DATA FROM DAMAGED FILES"]
    found = [(p.section, p.text) for p in passages_of(converted, "m", "Manual", "m.pdf")]
    assert [section for section, _ in found] == ["3.7.1. Getting rid of stdio",
                                                 "2.6. RECOVERING DATA FROM DAMAGED FILES"]
    assert found[1][1].startswith("bzip2 compresses files")


def test_debian_notes_beside_a_package_are_read_as_text(tmp_path):
    import gzip

    entry = ("frob (1.2-1) unstable; urgency=medium\n\n  * New upstream release.\n\n"
             " -- A Maintainer <a@example.org>  Sun, 24 Jul 2022 15:45:15 +0200\n")
    (tmp_path / "NEWS.Debian").write_text(entry, encoding="utf-8")
    (tmp_path / "changelog.Debian.gz").write_bytes(gzip.compress(entry.encode()))
    read = read_corpus(tmp_path)
    assert [(d.relative_path, d.format) for d in read.documents] == [("NEWS.Debian", "text"),
                                                                     ("changelog.Debian.gz", "text")]
    assert not read.skipped


def test_an_outline_line_that_is_a_news_item_is_a_passage_not_a_heading():
    text = ("Frob NEWS                                  -*- outline -*-\n\n"
            "* Noteworthy changes in release 2.3.1 (2021-05-12) [stable]\n\n"
            "** Implement full roundtrip for lookup functionality\nWith TR64 enabled, a label now comes back as it "
            "went in.\n\n** Fix domain too long error\n\n** Mitre has assigned CVE-2019-12290 which was fixed by\n"
            "the roundtrip feature introduced in 2.2.0.\n\n** Bug fixes\n\n  frob no longer crashes on a file\n"
            "  [bug introduced in 2.8]\n")
    release = "Noteworthy changes in release 2.3.1 (2021-05-12) [stable]"
    assert passages(text, "NEWS") == [
        (f"{release}: Implement full roundtrip for lookup functionality",
         "With TR64 enabled, a label now comes back as it went in."),
        (release, "Fix domain too long error"),
        (release, "Mitre has assigned CVE-2019-12290 which was fixed by the roundtrip feature introduced in 2.2.0."),
        (f"{release}: Bug fixes", "frob no longer crashes on a file [bug introduced in 2.8]")]


def test_a_copyright_notice_near_the_top_of_a_readme_cuts_nothing_after_it():
    text = ("Frob\n\nCopyright (c) 2001-2023 The Frob Foundation. All rights reserved.\n\n"
            "Frob compresses files quickly and well on every platform.\n\n"
            "Build it with make, then install it with make install as root.\n\n"
            "Report bugs to the mailing list of the project, with the version you run.\n")
    assert [t for _, t in passages(text)][1:] == [
        "Frob compresses files quickly and well on every platform.",
        "Build it with make, then install it with make install as root.",
        "Report bugs to the mailing list of the project, with the version you run."]


def test_an_opening_lead_in_is_a_passage_not_the_title():
    text = ("You can find more information about the integration online at:\nhttp://wiki.example.org/Frob\n\n"
            "The cron job is not shipped in the package, since APT does this already.\n")
    document = parse_document(Path("README.Debian"), text.encode(), "readme")
    assert document.title == "README"
    assert [p.text for p in document.passages][0] == ("You can find more information about the integration online "
                                                      "at: http://wiki.example.org/Frob")


def test_consecutive_outline_lines_are_items_and_an_outline_has_no_heading_for_a_title():
    text = ("                                            -*- outline -*-\n\n* sm/gpgsm.c\n** Implement --default-key\n"
            "** support the anyPolicy semantic\n** Should we prefer nonRepudiation certs?\n\n* agent/\n"
            "** If we detect that a private key has been deleted\n   Bump the key event counter.\n")
    document = parse_document(Path("TODO"), text.encode(), "todo")
    assert document.title == "TODO"
    assert passages(text, "TODO") == [
        ("sm/gpgsm.c", "Implement --default-key"), ("sm/gpgsm.c", "support the anyPolicy semantic"),
        ("sm/gpgsm.c", "Should we prefer nonRepudiation certs?"),
        ("agent/: If we detect that a private key has been deleted", "Bump the key event counter.")]


def test_an_untitled_clause_among_titled_ones_is_under_the_section_around_the_list():
    text = ("FAQ\n===\n\n1. Beeps\n\n   Put set bell-style none in your inputrc file.\n\n"
            "2. Bourne-style shells have always accepted several directory names as arguments to cd.\n"
            "   If you do not like it, define a shell function of your own.\n")
    assert passages(text) == [
        ("1. Beeps", "Put set bell-style none in your inputrc file."),
        ("FAQ", "2. Bourne-style shells have always accepted several directory names as arguments to cd. If you do "
                "not like it, define a shell function of your own.")]
