"""What only the SQLite log does: its file's modes and schema upgrades, refusing bad files with a readable message,
its commits per batch. What every backend does is in test_store_backends.py."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from netqa.store import SQLiteLog, StoreUnavailable, sqlite_file
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


def test_the_store_runs_in_wal_mode_with_full_sync(store):
    journal = sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"
    assert store._connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


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


# ---------------------------------------------------------------- concurrency




def test_a_deleted_file_is_said_once_and_the_replies_it_cannot_take_are_counted(tmp_path, caplog):
    store = SQLiteLog.open(tmp_path / "netqa.db", retention_days=0)
    store.record_reply(reply(1))
    store.flush()
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"netqa.db{suffix}").unlink(missing_ok=True)
    with caplog.at_level("ERROR", logger="netqa.store"):
        for n in range(2, 12):
            store.record_reply(reply(n))
            time.sleep(0.06)  # a batch falls due between two replies
        deadline = time.monotonic() + 5
        while store.dropped < 10:
            assert time.monotonic() < deadline, "the replies the file cannot take were not counted"
            time.sleep(0.02)
    assert len([r for r in caplog.records if r.levelname == "ERROR"]) <= 2  # not a line every batch
    assert "was deleted or replaced" in caplog.text
    with pytest.raises(StoreUnavailable, match="deleted or replaced"):
        store.add_feedback("r1", True)
    store.close()
