"""The saved index: same replies as a build, staleness, corrupt or hostile files, read-only folders, `netqa index`."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import netqa

ROOT = Path(__file__).resolve().parents[1]
CLINIC = ROOT / "tests" / "fixtures" / "clinic"
QUESTIONS = [json.loads(line)["question"] for line in (CLINIC / "gold.jsonl").read_text().splitlines() if line]
SAVED = ".netqa-index"


@pytest.fixture
def corpus(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(CLINIC, folder, ignore=shutil.ignore_patterns(SAVED))
    (folder / "lexicon.txt").write_text("visiting times = visiting hours\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return folder


def replies(bot) -> list[dict]:
    """Every reply to the clinic questions, without the parts that are new on every call."""
    out = []
    for question in QUESTIONS:
        reply = bot.ask(question).to_dict()
        for volatile in ("id", "session_id"):
            reply.pop(volatile)
        out.append(reply)
    return out


def manifest(location: Path) -> dict:
    return json.loads((location / "manifest.json").read_text(encoding="utf-8"))


def test_saved_index_gives_the_same_replies_as_a_fresh_build(corpus):
    built = replies(netqa.load(corpus))
    saved = manifest(corpus / SAVED)
    loaded = replies(netqa.load(corpus))
    assert manifest(corpus / SAVED)["saved"] == saved["saved"], "a fresh index must be loaded, not rebuilt"
    assert loaded == built
    assert any(r["kind"] == "answer" for r in loaded)


def test_loading_a_saved_index_does_not_import_scikit_learn(corpus):
    netqa.load(corpus)
    code = "import sys, netqa; netqa.load(sys.argv[1]); print('sklearn' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code, str(corpus)], capture_output=True, text=True, timeout=120,
                            env={**os.environ})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_changed_document_is_noticed_and_the_index_rebuilt(corpus):
    netqa.load(corpus)
    before = manifest(corpus / SAVED)
    policy = corpus / "visitor-policy.md"
    policy.write_text(policy.read_text(encoding="utf-8").replace("between 10:00 and 20:00", "between 09:00 and 21:00"),
                      encoding="utf-8")
    reply = netqa.load(corpus).ask("What are the visiting hours on the general wards?")
    assert "09:00" in reply.answer and "10:00" not in reply.answer
    after = manifest(corpus / SAVED)
    assert after["saved"] != before["saved"]
    assert after["sources"]["visitor-policy.md"] == hashlib.sha256(policy.read_bytes()).hexdigest()


def test_an_added_document_is_noticed(corpus):
    netqa.load(corpus)
    (corpus / "parking.md").write_text("# Parking\n\nThe visitor car park on Mill Lane costs 2 pounds an hour "
                                       "and is free for blue badge holders.\n", encoding="utf-8")
    bot = netqa.load(corpus)
    assert "parking.md" in manifest(corpus / SAVED)["sources"]
    assert bot.ask("How much does the car park cost?").citations[0].passage_id.startswith("parking")


@pytest.mark.parametrize("change", ["lexicon.txt", "metadata.json"])
def test_a_changed_lexicon_or_metadata_file_makes_the_index_stale(corpus, change):
    netqa.load(corpus)
    before = manifest(corpus / SAVED)
    if change == "lexicon.txt":
        (corpus / change).write_text("visiting times = visiting hours\ncar = parking\n", encoding="utf-8")
    else:
        (corpus / change).write_text(json.dumps({"documents": {"visitor-policy.md": {"title": "Visitors"}}}),
                                     encoding="utf-8")
    bot = netqa.load(corpus)
    after = manifest(corpus / SAVED)
    assert after["saved"] != before["saved"]
    assert after[change] == hashlib.sha256((corpus / change).read_bytes()).hexdigest()
    if change == "metadata.json":
        assert bot.title == "Visitors"


def _rewrite_arrays(location: Path, edit) -> None:
    """Replace arrays.npz by an edited copy and fix the manifest's hash, as a deliberate tamperer would."""
    with np.load(location / "arrays.npz", allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    edit(arrays)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    (location / "arrays.npz").write_bytes(buffer.getvalue())
    data = manifest(location)
    data["files"]["arrays.npz"] = hashlib.sha256(buffer.getvalue()).hexdigest()
    (location / "manifest.json").write_text(json.dumps(data), encoding="utf-8")


def _out_of_range(arrays):
    arrays["words.indices"][0] = 10**6  # a row that does not exist


def _offsets_outside(arrays):
    arrays["passage.end"][0] = 10**9


def _object_array(arrays):
    arrays["words.idf"] = np.array([{"not": "numbers"}], dtype=object)  # saved as a pickle


CORRUPTIONS = {
    "truncated arrays": lambda loc: (loc / "arrays.npz").write_bytes((loc / "arrays.npz").read_bytes()[:100]),
    "garbage tables": lambda loc: (loc / "tables.json").write_text("{not json", encoding="utf-8"),
    "garbage manifest": lambda loc: (loc / "manifest.json").write_bytes(b"\x00\xff"),
    "empty manifest": lambda loc: (loc / "manifest.json").write_text("{}", encoding="utf-8"),
    "tables swapped for a list": lambda loc: (loc / "tables.json").write_text("[]", encoding="utf-8"),
    "out-of-range row, hash fixed": lambda loc: _rewrite_arrays(loc, _out_of_range),
    "offset outside the text, hash fixed": lambda loc: _rewrite_arrays(loc, _offsets_outside),
    "pickled object array, hash fixed": lambda loc: _rewrite_arrays(loc, _object_array),
}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_a_corrupt_or_tampered_index_is_rejected_and_rebuilt(corpus, corruption):
    expected = replies(netqa.load(corpus))
    CORRUPTIONS[corruption](corpus / SAVED)
    assert replies(netqa.load(corpus)) == expected
    # The rebuilt index was saved over the bad one and is used from then on.
    assert replies(netqa.load(corpus)) == expected
    assert manifest(corpus / SAVED)["files"]["arrays.npz"] == hashlib.sha256(
        (corpus / SAVED / "arrays.npz").read_bytes()).hexdigest()


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_a_pickle_in_the_arrays_is_never_run(corpus, tmp_path):
    """An .npz member that is a pickle whose unpickling would write a file: it must not be unpickled."""
    netqa.load(corpus)
    marker = tmp_path / "pwned"
    location = corpus / SAVED

    class Payload:
        def __reduce__(self):
            return (Path.touch, (marker,))

    with zipfile.ZipFile(location / "arrays.npz", "a") as archive:
        buffer = io.BytesIO()
        np.save(buffer, np.array([Payload()], dtype=object), allow_pickle=True)
        archive.writestr("words.idf.npy", buffer.getvalue())  # a second member of that name: read last
    data = manifest(location)
    data["files"]["arrays.npz"] = hashlib.sha256((location / "arrays.npz").read_bytes()).hexdigest()
    (location / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    assert netqa.load(corpus).ask(QUESTIONS[0]).kind == "answer"
    assert not marker.exists()


def _cache_location(corpus: Path, tmp_path: Path) -> Path:
    digest = hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:16]
    return tmp_path / "cache" / "netqa" / digest


def test_an_unwritable_corpus_folder_falls_back_to_the_user_cache(corpus, tmp_path):
    # A file where the index folder would go makes the folder unusable even for root, who ignores permissions.
    (corpus / SAVED).write_text("not a folder", encoding="utf-8")
    expected = replies(netqa.load(corpus))
    cached = _cache_location(corpus, tmp_path)
    saved = manifest(cached)["saved"]
    assert replies(netqa.load(corpus)) == expected
    assert manifest(cached)["saved"] == saved, "the cached index must be loaded, not rebuilt"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_corpus_folder_falls_back_to_the_user_cache(corpus, tmp_path):
    corpus.chmod(0o555)
    try:
        netqa.load(corpus)
        assert not (corpus / SAVED).exists()
        assert (_cache_location(corpus, tmp_path) / "manifest.json").exists()
    finally:
        corpus.chmod(0o755)


def test_an_explicit_index_dir_is_used_instead(corpus, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    expected = replies(netqa.load(corpus, index_dir=elsewhere))
    assert (elsewhere / "manifest.json").exists() and not (corpus / SAVED).exists()
    assert replies(netqa.load(corpus, index_dir=elsewhere)) == expected


def run_netqa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "netqa.cli", *args], capture_output=True, text=True, timeout=120,
                          cwd=ROOT)


def test_netqa_index_writes_the_index_and_says_where(corpus):
    result = run_netqa("index", "--corpus", str(corpus))
    assert result.returncode == 0, result.stderr
    assert str(corpus / SAVED) in result.stdout
    assert "1 document" in result.stdout
    assert set(manifest(corpus / SAVED)["sources"]) == {"visitor-policy.md"}
    saved = manifest(corpus / SAVED)["saved"]
    netqa.load(corpus)
    assert manifest(corpus / SAVED)["saved"] == saved


def test_netqa_index_out_writes_where_asked(corpus, tmp_path):
    out = tmp_path / "built"
    result = run_netqa("index", "--corpus", str(corpus), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout
    assert (out / "arrays.npz").exists() and not (corpus / SAVED).exists()
