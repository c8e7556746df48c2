"""The installed `netqa` command on bad input: one line on stderr naming the problem, a non-zero exit."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

# The command installed next to the interpreter running the tests (a virtual environment's bin/), else on PATH.
_BESIDE_PYTHON = Path(sys.executable).with_name("netqa")
NETQA = str(_BESIDE_PYTHON) if _BESIDE_PYTHON.exists() else shutil.which("netqa")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    assert NETQA, "the netqa command is not installed: pip install -e ."
    return subprocess.run([NETQA, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def assert_one_line_error(result: subprocess.CompletedProcess, *phrases: str) -> None:
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("netqa: error: ")
    for phrase in phrases:
        assert phrase in lines[0]


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "visiting.md").write_text("# Visiting\n\nVisiting hours are from 9 am to 8 pm every day.\n",
                                        encoding="utf-8")
    return folder


def test_a_good_question_still_succeeds(corpus):
    result = run("ask", "--corpus", str(corpus), "What are the visiting hours?")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip()


def test_a_missing_corpus_folder_is_named(tmp_path):
    missing = tmp_path / "no-such-folder"
    assert_one_line_error(run("ask", "--corpus", str(missing), "hello?"), "not found", str(missing))


def test_a_file_given_as_the_corpus_folder_is_refused(corpus):
    document = corpus / "visiting.md"
    assert_one_line_error(run("ask", "--corpus", str(document), "hello?"), "not a folder")


def test_an_empty_corpus_folder_is_refused(tmp_path):
    assert_one_line_error(run("ask", "--corpus", str(tmp_path), "hello?"), "no documents in")


def test_a_corpus_of_blank_documents_is_refused(tmp_path):
    (tmp_path / "blank.txt").write_text("\n\n   \n", encoding="utf-8")
    assert_one_line_error(run("ask", "--corpus", str(tmp_path), "hello?"), "no readable text")


def test_a_document_in_another_encoding_is_read(corpus):
    (corpus / "latin1.txt").write_bytes("The caf\xe9 on the ground floor opens at 8 and closes at 5 on "
                                        "weekdays.".encode("latin-1"))
    result = run("ask", "--corpus", str(corpus), "When does the café open?")
    assert (result.returncode, result.stderr) == (0, "")
    assert "café" in result.stdout


def test_a_file_that_is_no_text_is_skipped_with_one_line_naming_it(corpus):
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (corpus / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = run("ask", "--corpus", str(corpus), "What are the visiting hours?")
    assert result.returncode == 0 and "9 am" in result.stdout
    assert result.stderr.splitlines() == ["netqa: skipped binary.txt: not a text file (it holds NUL bytes)",
                                          "netqa: skipped photo.png: unknown suffix .png (netqa reads .txt, .text, "
                                          ".rst, .debian, .md, .markdown, .html, .htm, .pdf, .docx and files "
                                          "without a "
                                          "suffix, each also gzipped (.gz))"]


def test_chat_with_a_missing_corpus_fails_the_same_way(tmp_path):
    assert_one_line_error(run("chat", "--corpus", str(tmp_path / "gone")), "not found")


@pytest.mark.parametrize("question", ["", "\t\n ", "\x07\x1b\u200b\u200e"])
def test_an_empty_question_is_refused(corpus, question):
    assert_one_line_error(run("ask", "--corpus", str(corpus), question), "question is empty")


def test_a_question_over_the_limit_is_refused_with_the_limit(corpus):
    assert_one_line_error(run("ask", "--corpus", str(corpus), "why " * 600,
                              env={"NETQA_MAX_QUESTION_CHARS": "1000"}), "too long", "at most 1000")


def test_a_bad_setting_in_the_environment_is_named(corpus):
    assert_one_line_error(run("ask", "--corpus", str(corpus), "hello?", env={"NETQA_TOP_K": "lots"}),
                          "NETQA_TOP_K", "lots")


GOOD_LINE = '{"id": "q1", "question": "When are visiting hours?", "answers": ["9 am"], "category": "fact"}'


@pytest.mark.parametrize(("lines", "problem"), [
    ([GOOD_LINE, "{not json"], "not valid JSON"),
    ([GOOD_LINE, "", '["a list"]'], "expected a JSON object"),
    ([GOOD_LINE, '{"id": "q2", "category": "fact"}'], "question"),
    ([GOOD_LINE, GOOD_LINE], "duplicate id"),
])
def test_a_corrupt_gold_file_is_refused_naming_the_line(corpus, tmp_path, lines, problem):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = len(lines)
    assert_one_line_error(run("eval", "--corpus", str(corpus), str(gold)), f"line {line}", problem)


def test_a_missing_gold_file_is_named(corpus, tmp_path):
    assert_one_line_error(run("eval", "--corpus", str(corpus), str(tmp_path / "gold.jsonl")),
                          "cannot read gold file", "gold.jsonl")


def test_a_gold_file_that_is_not_utf8_is_refused(corpus, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_bytes(b'{"id": "q1", "question": "caf\xe9?", "category": "fact"}\n')
    assert_one_line_error(run("eval", "--corpus", str(corpus), str(gold)), "not UTF-8")


def test_a_gold_line_cut_short_is_reported_whole(corpus, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(GOOD_LINE + '\n{"id": "q2", "question": "When are the visiting hours and\n', encoding="utf-8")
    result = run("eval", "--corpus", str(corpus), str(gold))
    assert_one_line_error(result, "line 2", "not valid JSON")
    assert re.search(r"\(Unterminated string starting at column \d+\)$", result.stderr.strip())


@pytest.mark.parametrize("option", ["--report", "--predictions"])
def test_an_output_path_in_a_missing_folder_is_refused_before_any_work(corpus, tmp_path, option):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(GOOD_LINE + "\n", encoding="utf-8")
    missing = tmp_path / "no-such-dir" / "out.file"
    result = run("eval", "--corpus", str(corpus), str(gold), option, str(missing))
    assert_one_line_error(result, option, "does not exist")  # no score table on stdout: nothing was run
    assert result.returncode == 2


@pytest.mark.parametrize("value", ["95", "-0.1", "1.5", "lots"])
def test_a_bar_outside_0_to_1_is_a_usage_error(corpus, tmp_path, value):
    result = run("eval", "--corpus", str(corpus), str(tmp_path / "gold.jsonl"), "--min-answer", value)
    assert result.returncode == 2 and result.stdout == ""
    assert "--min-answer" in result.stderr and "between 0 and 1" in result.stderr


def test_a_bar_given_as_a_percentage_gets_a_hint(corpus, tmp_path):
    result = run("eval", "--corpus", str(corpus), str(tmp_path / "gold.jsonl"), "--min-answer", "95")
    assert "write 0.95" in result.stderr


@pytest.mark.parametrize("port", ["0", "99999", "http"])
def test_a_port_outside_1_to_65535_is_a_usage_error(port):
    result = run("serve", "--port", port)
    assert result.returncode == 2 and result.stdout == ""
    assert "--port" in result.stderr and "65535" in result.stderr


def test_a_port_in_use_is_explained_in_one_line(corpus):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = run("serve", "--corpus", str(corpus), "--port", str(port))
    assert_one_line_error(result, f"port {port}", "already in use", "--port")
