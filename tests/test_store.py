"""The feedback store: durable, refuses bad files with a readable message, purges, groups, survives threads."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netqa.store import LATE_REPLY_SECONDS, SQLiteLog, StoreUnavailable, sqlite_file, storable
from netqa.store import question_log as store_module

NOBODY = 65534


def reply(n: int, kind: str = "answer", question: str | None = None) -> dict:
    return {"id": f"r{n}", "question": question or f"question {n}?", "answer": f"answer {n}", "kind": kind,
            "confidence": 0.75, "citations": [], "session_id": "s"}


class Clock:
    """A settable clock, so records can be made to look days old."""

    def __init__(self):
        self.now = datetime(2025, 1, 10, 12, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path):
    with SQLiteLog.open(tmp_path / "netqa.db", retention_days=0) as opened:
        yield opened


def test_feedback_is_listed_with_the_question_answer_and_kind_it_rates(store):
    store.record_reply(reply(1))
    fid = store.add_feedback("r1", False, "too vague")
    [row] = store.feedback()
    assert row["id"] == fid
    assert (row["reply_id"], row["helpful"], row["comment"]) == ("r1", False, "too vague")
    assert (row["question"], row["answer"], row["kind"]) == ("question 1?", "answer 1", "answer")
    assert row["created_at"].endswith("Z")


def test_feedback_on_an_unknown_reply_is_a_key_error_and_stores_nothing(store):
    with pytest.raises(KeyError):
        store.add_feedback("never-logged", True, None)
    assert store.feedback() == []


def test_recording_the_same_reply_twice_keeps_one_row_and_its_feedback(store):
    store.record_reply(reply(1))
    store.add_feedback("r1", True, None)
    store.record_reply(reply(1))
    assert len(store.feedback()) == 1


ANY_TEXT = st.text(st.one_of(st.characters(), st.characters(categories=["Cs"]), st.sampled_from("\x00\u202e\ufeff🙂")))


@settings(max_examples=50, deadline=None)
@given(question=ANY_TEXT, answer=ANY_TEXT, comment=st.none() | ANY_TEXT, reply_id=ANY_TEXT)
def test_any_text_is_stored_and_read_back_with_lone_surrogates_replaced(tmp_path_factory, question, answer,
                                                                        comment, reply_id):
    with SQLiteLog.open(tmp_path_factory.mktemp("any") / "netqa.db", retention_days=0) as store:
        store.record_reply({"id": reply_id, "question": question, "answer": answer, "kind": "no_answer",
                            "confidence": 0.0})
        store.add_feedback(reply_id, True, comment)
        [row] = store.feedback()
        assert (row["reply_id"], row["question"], row["answer"]) == tuple(map(storable, (reply_id, question, answer)))
        assert row["comment"] == (None if comment is None else storable(comment))


def test_feedback_survives_closing_and_reopening(tmp_path):
    with SQLiteLog.open(tmp_path / "netqa.db", retention_days=0) as first:
        first.record_reply(reply(1))
        first.add_feedback("r1", True, "thanks")
    with SQLiteLog.open(tmp_path / "netqa.db", retention_days=0) as second:
        assert [f["comment"] for f in second.feedback()] == ["thanks"]


def test_the_store_runs_in_wal_mode_with_full_sync(store):
    journal = sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"
    assert store._connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


WRITER = """
import sys
from netqa.store import SQLiteLog
store = SQLiteLog.open(sys.argv[1], retention_days=0)
store.record_reply({"id": "r", "question": "q?", "answer": "a", "kind": "answer", "confidence": 1.0})
while True:
    print(store.add_feedback("r", True, "x" * 200), flush=True)
"""


def test_every_feedback_acknowledged_before_sigkill_is_on_disk(tmp_path):
    db = tmp_path / "netqa.db"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True)
    acknowledged = []
    try:
        for line in writer.stdout:
            acknowledged.append(int(line))
            if len(acknowledged) == 300:
                os.kill(writer.pid, signal.SIGKILL)
                break
    finally:
        writer.kill()
        writer.wait()
    assert len(acknowledged) == 300
    with SQLiteLog.open(db, retention_days=0) as reopened:
        stored = {f["id"] for f in reopened.feedback()}
    assert set(acknowledged) <= stored


# ---------------------------------------------------------------- the reply log is written behind


def replies_on_disk(path) -> list[str]:
    """The reply ids committed to the file, read through a connection of its own."""
    connection = sqlite3.connect(path)
    try:
        return [reply_id for (reply_id,) in connection.execute("SELECT id FROM replies ORDER BY rowid")]
    finally:
        connection.close()


def test_queued_replies_reach_the_file_in_batches_without_a_flush(store):
    commits: list[str] = []
    with store._lock:
        store._connection.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    for n in range(1200):
        store.record_reply(reply(n))
    deadline = time.monotonic() + 10
    while len(replies_on_disk(store.path)) < 1200:
        assert time.monotonic() < deadline, "the writer thread did not commit the queued replies"
        time.sleep(0.02)
    assert replies_on_disk(store.path) == [f"r{n}" for n in range(1200)]
    assert 1 <= len(commits) <= 12  # a commit (an fsync) per batch, not per reply


def test_closing_writes_every_queued_reply(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "BATCH_SECONDS", 60.0)  # no batch falls due: only close() can write them
    with SQLiteLog.open(tmp_path / "netqa.db", retention_days=0) as store:
        for n in range(300):
            store.record_reply(reply(n))
        assert replies_on_disk(store.path) == []
    assert replies_on_disk(tmp_path / "netqa.db") == [f"r{n}" for n in range(300)]
    assert not store._writer.is_alive()
    with pytest.raises(StoreUnavailable, match="closed"):
        store.record_reply(reply(301))


def test_feedback_right_after_its_reply_is_accepted_without_waiting_for_the_batch(store, monkeypatch):
    monkeypatch.setattr(store_module, "BATCH_SECONDS", 60.0)
    store.record_reply(reply(1))
    started = time.monotonic()
    feedback_id = store.add_feedback("r1", True, "quick")
    assert time.monotonic() - started < LATE_REPLY_SECONDS
    assert [(f["id"], f["question"]) for f in store.feedback()] == [(feedback_id, "question 1?")]


def test_the_exports_include_replies_still_queued(store, monkeypatch):
    monkeypatch.setattr(store_module, "BATCH_SECONDS", 60.0)
    store.record_reply(reply(1, kind="no_answer"))
    assert [g["question"] for g in store.unanswered()] == ["question 1?"]


def test_a_full_queue_drops_the_oldest_replies_and_counts_them(store, monkeypatch):
    monkeypatch.setattr(store_module, "BATCH_SECONDS", 60.0)
    monkeypatch.setattr(store_module, "MAX_PENDING_ROWS", 5)
    for n in range(8):
        store.record_reply(reply(n))
    assert store.dropped == 3
    store.flush()
    assert replies_on_disk(store.path) == [f"r{n}" for n in range(3, 8)]


def test_replies_whose_batch_fails_are_counted_as_dropped(store, monkeypatch):
    monkeypatch.setattr(store_module, "BATCH_SECONDS", 60.0)
    other = sqlite3.connect(store.path)  # a write that fails, as on a full disk
    other.execute("CREATE TRIGGER failing BEFORE INSERT ON replies WHEN NEW.id = 'r2' "
                  "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END")
    other.close()
    store.record_reply(reply(1))
    store.record_reply(reply(2))
    with pytest.raises(StoreUnavailable, match="disk trouble"):
        store.flush()
    assert store.dropped == 2 and replies_on_disk(store.path) == []
    store.record_reply(reply(3))
    store.flush()
    assert replies_on_disk(store.path) == ["r3"]


# ---------------------------------------------------------------- files that cannot be used


def test_a_file_that_is_not_a_database_is_refused_with_a_readable_message(tmp_path):
    path = tmp_path / "netqa.db"
    path.write_bytes(b"this is not SQLite at all\n" * 200)
    with pytest.raises(StoreUnavailable, match="is not a readable SQLite database.*backup"):
        SQLiteLog.open(path, retention_days=0)


def test_a_damaged_store_is_refused_with_a_readable_message(tmp_path):
    path = tmp_path / "netqa.db"
    with SQLiteLog.open(path, retention_days=0) as store:
        for n in range(300):
            store.record_reply(reply(n, question="a long question " * 20))
    # Merge the log into the file, then overwrite the middle pages with garbage.
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    data = bytearray(path.read_bytes())
    data[8192:len(data) - 4096] = b"\xff" * (len(data) - 4096 - 8192)
    path.write_bytes(bytes(data))
    with pytest.raises(StoreUnavailable, match="(not a readable SQLite database|is damaged).*backup"):
        SQLiteLog.open(path, retention_days=0)


def test_another_programs_sqlite_file_is_refused_and_left_unchanged(foreign_sqlite_file):
    path = foreign_sqlite_file
    before = path.read_bytes()
    with pytest.raises(StoreUnavailable, match="not a netqa feedback store.*patients"):
        SQLiteLog.open(path, retention_days=0)
    assert path.read_bytes() == before



def test_a_store_from_the_first_schema_version_is_upgraded_with_its_records_kept(tmp_path):
    path = tmp_path / "netqa.db"
    old = sqlite3.connect(path)
    old.executescript(f"""
        CREATE TABLE replies (id TEXT PRIMARY KEY, question TEXT NOT NULL, question_key TEXT NOT NULL,
            answer TEXT NOT NULL, kind TEXT NOT NULL, confidence REAL NOT NULL, created_at TEXT NOT NULL);
        CREATE INDEX replies_created ON replies(created_at);
        CREATE INDEX replies_kind_key ON replies(kind, question_key);
        CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT,
            reply_id TEXT NOT NULL REFERENCES replies(id) ON DELETE CASCADE, helpful INTEGER NOT NULL,
            comment TEXT, created_at TEXT NOT NULL);
        CREATE INDEX feedback_created ON feedback(created_at);
        CREATE INDEX feedback_reply ON feedback(reply_id);
        INSERT INTO replies VALUES ('r1', 'Is it a pill?', 'is it a pill', 'The article does not say.',
            'no_answer', 0.1, '2026-01-01T00:00:00.000000Z');
        INSERT INTO feedback (reply_id, helpful, comment, created_at)
            VALUES ('r1', 0, 'no answer', '2026-01-01T00:01:00.000000Z');
        PRAGMA application_id = {sqlite_file.APPLICATION_ID};
        PRAGMA user_version = 1;
    """)
    old.close()
    with SQLiteLog.open(path, retention_days=0) as store:
        assert [row["question"] for row in store.unanswered()] == ["Is it a pill?"]
        assert [row["comment"] for row in store.feedback()] == ["no answer"]
    upgraded = sqlite3.connect(path)
    indexes = {name for (name,) in upgraded.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert upgraded.execute("PRAGMA user_version").fetchone()[0] == sqlite_file.SCHEMA_VERSION
    upgraded.close()
    assert "replies_kind" in indexes and "replies_kind_key" not in indexes


def test_a_store_written_by_a_newer_netqa_is_refused_and_names_both_versions(tmp_path):
    path = tmp_path / "netqa.db"
    SQLiteLog.open(path, retention_days=0).close()
    newer = sqlite3.connect(path)
    newer.execute(f"PRAGMA user_version = {sqlite_file.SCHEMA_VERSION + 1}")
    newer.close()
    with pytest.raises(StoreUnavailable, match=f"schema version {sqlite_file.SCHEMA_VERSION + 1}, "
                                               f"this netqa reads version {sqlite_file.SCHEMA_VERSION}"):
        SQLiteLog.open(path, retention_days=0)

def test_a_missing_folder_is_named_in_the_message(tmp_path):
    with pytest.raises(StoreUnavailable, match="folder .*missing.* does not exist"):
        SQLiteLog.open(tmp_path / "missing" / "netqa.db", retention_days=0)


def test_a_folder_given_as_the_database_path_is_refused(tmp_path):
    with pytest.raises(StoreUnavailable, match="is a folder"):
        SQLiteLog.open(tmp_path, retention_days=0)


def _open_as_unprivileged_user(path) -> str:
    """Try SQLiteLog.open as a user without write permission; returns the error message, or 'opened'.

    Root may write any file, so under root the attempt runs in a forked child that drops to 'nobody'.
    """
    def attempt() -> str:
        try:
            SQLiteLog.open(path, retention_days=0).close()
            return "opened"
        except Exception as exc:  # noqa: BLE001 - the message is what the test checks
            return str(exc)

    if os.geteuid() != 0:
        return attempt()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            os.write(write, attempt().encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        message = pipe.read()
    os.waitpid(pid, 0)
    return message


def test_a_read_only_database_is_refused_at_open_not_at_the_first_feedback():
    # Not pytest's tmp_path: its parent folder is private to the user running the tests, so 'nobody'
    # could not even reach the file.
    folder = Path(tempfile.mkdtemp(prefix="netqa-readonly-"))
    folder.chmod(0o755)
    path = folder / "netqa.db"
    with SQLiteLog.open(path, retention_days=0) as store:
        store.record_reply(reply(1))
    for leftover in folder.glob("netqa.db-*"):
        leftover.unlink()
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        message = _open_as_unprivileged_user(path)
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)
    assert "cannot be written" in message and "permissions" in message


def test_a_closed_store_says_so(tmp_path):
    store = SQLiteLog.open(tmp_path / "netqa.db", retention_days=0)
    store.close()
    with pytest.raises(StoreUnavailable, match="closed"):
        store.feedback()


# ---------------------------------------------------------------- retention


def test_purge_deletes_replies_and_feedback_older_than_the_limit(tmp_path):
    clock = Clock()
    with SQLiteLog.open(tmp_path / "netqa.db", retention_days=0, clock=clock) as store:
        store.record_reply(reply(1))
        store.add_feedback("r1", True, "old")
        clock.now += timedelta(days=20)
        store.record_reply(reply(2))
        store.add_feedback("r2", True, "new")
        clock.now += timedelta(days=20)
        store.record_reply(reply(3))
        store.add_feedback("r3", False, "newest")
        clock.now += timedelta(days=1)
        assert store.purge(30) == 2  # reply 1 and its feedback
        assert [f["comment"] for f in store.feedback()] == ["new", "newest"]


def test_feedback_on_a_purged_reply_goes_with_it_even_if_given_later(tmp_path):
    clock = Clock()
    with SQLiteLog.open(tmp_path / "netqa.db", retention_days=0, clock=clock) as store:
        store.record_reply(reply(1))
        clock.now += timedelta(days=9)
        store.add_feedback("r1", True, "late")
        clock.now += timedelta(days=2)
        assert store.purge(10) == 2
        assert store.feedback() == []


def test_opening_with_a_retention_setting_purges_old_records(tmp_path, monkeypatch):
    clock = Clock()
    with SQLiteLog.open(tmp_path / "netqa.db", retention_days=0, clock=clock) as store:
        store.record_reply(reply(1, kind="no_answer"))
    clock.now += timedelta(days=8)
    monkeypatch.setenv("NETQA_RETENTION_DAYS", "7")
    with SQLiteLog.open(tmp_path / "netqa.db", clock=clock) as store:
        assert store.retention_days == 7
        assert store.unanswered() == []


def test_retention_zero_keeps_records_forever(tmp_path):
    clock = Clock()
    with SQLiteLog.open(tmp_path / "netqa.db", retention_days=0, clock=clock) as store:
        store.record_reply(reply(1, kind="no_answer"))
    clock.now += timedelta(days=3650)
    with SQLiteLog.open(tmp_path / "netqa.db", retention_days=0, clock=clock) as store:
        assert len(store.unanswered()) == 1


def test_a_negative_retention_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="retention"):
        SQLiteLog.open(tmp_path / "netqa.db", retention_days=-1)


# ---------------------------------------------------------------- unanswered questions


def test_unanswered_groups_the_same_question_however_written_most_asked_first(store):
    asked = ["Is it covered by Medicare?", "is it covered by medicare", "IS IT COVERED BY MEDICARE ??",
             "What does it cost?", "what does it  cost", "Who makes the pill?"]
    for n, question in enumerate(asked):
        store.record_reply(reply(n, kind="no_answer", question=question))
    store.record_reply(reply(99, kind="answer", question="Is it covered by Medicare?"))
    groups = store.unanswered()
    assert [(g["count"]) for g in groups] == [3, 2, 1]
    assert groups[0]["question"] == "IS IT COVERED BY MEDICARE ??"  # shown as last asked
    assert groups[2]["question"] == "Who makes the pill?"
    assert all(g["last_asked"].endswith("Z") for g in groups)


def test_low_confidence_groups_answers_under_the_threshold_most_asked_first(store):
    asked = [("Is it covered by Medicare?", 0.55), ("is it covered by medicare", 0.62), ("What dose?", 0.9),
             ("Who paid for the trial?", 0.65), ("who paid for the trial", 0.7)]
    for n, (question, score) in enumerate(asked):
        store.record_reply({**reply(n, question=question), "confidence": score})
    store.record_reply({**reply(9, kind="no_answer", question="Is it covered by Medicare?"), "confidence": 0.1})
    groups = store.low_confidence()
    assert [(g["question"], g["count"], g["answer"], g["confidence"]) for g in groups] == [
        ("is it covered by medicare", 2, "answer 1", 0.62),  # shown as last asked, with the last answer
        ("Who paid for the trial?", 1, "answer 3", 0.65)]  # 0.7 itself is not below 0.7
    assert all(g["last_asked"].endswith("Z") for g in groups)
    assert [(g["question"], g["count"]) for g in store.low_confidence(below=0.6)] == \
        [("Is it covered by Medicare?", 1)]


# ---------------------------------------------------------------- concurrency


def test_eight_threads_adding_feedback_at_once_lose_nothing(store):
    for n in range(8):
        store.record_reply(reply(n))
    ids: list[int] = []
    errors: list[BaseException] = []

    def post(n: int) -> None:
        try:
            for i in range(100):
                ids.append(store.add_feedback(f"r{n}", i % 2 == 0, f"thread {n} item {i}"))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(ids)) == 800
    assert {f["id"] for f in store.feedback()} == set(ids)


def test_two_stores_on_one_file_as_two_server_workers_lose_nothing(tmp_path):
    path = tmp_path / "netqa.db"
    stores = [SQLiteLog.open(path, retention_days=0) for _ in range(2)]
    stores[0].record_reply(reply(1))
    ids: list[int] = []

    def post(store: SQLiteLog) -> None:
        for _ in range(100):
            ids.append(store.add_feedback("r1", True, None, wait=LATE_REPLY_SECONDS))  # r1: the other worker's

    threads = [threading.Thread(target=post, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {f["id"] for f in stores[1].feedback()} == set(ids) and len(ids) == 200
    for store in stores:
        store.close()
