"""The SQLite store of question logs and feedback: durable commits, safe from many threads, with retention."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

from netqa.config import Settings
from netqa.text import normalise, words

# 'nqa1' in the file header marks a database as ours, so a stranger's SQLite file is refused, not altered.
APPLICATION_ID = 0x6E716131
SCHEMA_VERSION = 1
PURGE_EVERY_SECONDS = 3600.0  # a long-running server applies the retention setting hourly, not only at start
BUSY_TIMEOUT_SECONDS = 10.0  # several server workers share one file; a writer waits for another's commit

_SCHEMA = """
CREATE TABLE replies (
    id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    question_key TEXT NOT NULL,
    answer TEXT NOT NULL,
    kind TEXT NOT NULL,
    confidence REAL NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX replies_created ON replies(created_at);
CREATE INDEX replies_kind_key ON replies(kind, question_key);
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reply_id TEXT NOT NULL REFERENCES replies(id) ON DELETE CASCADE,
    helpful INTEGER NOT NULL,
    comment TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX feedback_created ON feedback(created_at);
CREATE INDEX feedback_reply ON feedback(reply_id);
"""
_TABLES = {"replies", "feedback"}
_SURROGATE = re.compile("[\ud800-\udfff]")


class StoreUnavailable(RuntimeError):
    """The database cannot be used (missing folder, not a database, not ours, unwritable); the message says why."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _timestamp(moment: datetime) -> str:
    # One fixed format, so timestamps sort and compare correctly as text.
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def storable(text: str) -> str:
    """Text SQLite can hold: a lone surrogate (which UTF-8 cannot encode) becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def question_key(question: str) -> str:
    """What counts as the same question when grouping: case, punctuation and spacing ignored."""
    return " ".join(words(normalise(question)))


class Store:
    """One connection behind one lock: SQLite serialises writers anyway, and the lock keeps
    the connection's transaction state from being shared by two threads at once."""

    def __init__(self, connection: sqlite3.Connection, path: Path, retention_days: int,
                 clock: Callable[[], datetime]):
        self.path = path
        self.retention_days = retention_days
        self._connection: sqlite3.Connection | None = connection
        self._lock = threading.Lock()
        self._clock = clock
        self._last_purge = float("-inf")

    @classmethod
    def open(cls, path: str | Path, retention_days: int | None = None,
             clock: Callable[[], datetime] = utc_now) -> "Store":
        """Open or create the store; retention_days None reads NETQA_RETENTION_DAYS (0 keeps everything)."""
        if retention_days is None:
            retention_days = Settings.from_env().retention_days
        if retention_days < 0:
            raise ValueError(f"retention must be 0 (keep forever) or a number of days, not {retention_days}")
        path = Path(path)
        if not path.parent.is_dir():
            raise StoreUnavailable(f"cannot open the feedback database {path}: "
                                   f"the folder {path.parent} does not exist")
        if path.is_dir():
            raise StoreUnavailable(f"cannot open the feedback database {path}: it is a folder, not a file")
        try:
            connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                                         check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open the feedback database {path}: {exc}") from exc
        try:
            _prepare(connection, path)
        except BaseException:
            connection.close()
            raise
        store = cls(connection, path, retention_days, clock)
        store._purge_if_due()
        return store

    # ------------------------------------------------------------ writing

    def record_reply(self, reply: Mapping) -> None:
        """Log a reply (its id, question, answer, kind and confidence) so feedback can refer to it."""
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO replies (id, question, question_key, answer, kind, confidence, "
                       "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (storable(reply["id"]), storable(reply["question"]), question_key(reply["question"]),
                        storable(reply["answer"]), reply["kind"], float(reply["confidence"]),
                        _timestamp(self._clock())))
        self._purge_if_due()

    def add_feedback(self, reply_id: str, helpful: bool, comment: str | None = None) -> int:
        """Store feedback on a logged reply and return its id once it is committed to disk.

        KeyError if no reply has that id.
        """
        reply_id, comment = storable(reply_id), None if comment is None else storable(comment)
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM replies WHERE id = ?", (reply_id,)).fetchone() is None:
                raise KeyError(reply_id)
            cursor = db.execute("INSERT INTO feedback (reply_id, helpful, comment, created_at) VALUES (?, ?, ?, ?)",
                                (reply_id, int(bool(helpful)), comment, _timestamp(self._clock())))
            return int(cursor.lastrowid)

    def purge(self, older_than_days: int) -> int:
        """Delete replies and feedback recorded more than this many days ago; return how many rows went."""
        if older_than_days < 0:
            raise ValueError(f"older_than_days must not be negative, not {older_than_days}")
        cutoff = _timestamp(self._clock() - timedelta(days=older_than_days))
        with self._transaction() as db:
            # Feedback first and counted apart: the cascade from replies would delete it uncounted.
            feedback = db.execute("DELETE FROM feedback WHERE created_at < ? OR reply_id IN "
                                  "(SELECT id FROM replies WHERE created_at < ?)", (cutoff, cutoff)).rowcount
            replies = db.execute("DELETE FROM replies WHERE created_at < ?", (cutoff,)).rowcount
        return feedback + replies

    # ------------------------------------------------------------ reading

    def feedback(self) -> list[dict]:
        """Every feedback with the question, answer and kind it was about, oldest first."""
        with self._transaction("DEFERRED") as db:
            rows = db.execute("SELECT f.id, f.reply_id, f.helpful, f.comment, r.question, r.answer, r.kind, "
                              "f.created_at FROM feedback f JOIN replies r ON r.id = f.reply_id "
                              "ORDER BY f.id").fetchall()
        names = ("id", "reply_id", "helpful", "comment", "question", "answer", "kind", "created_at")
        return [dict(zip(names, row)) | {"helpful": bool(row[2])} for row in rows]

    def unanswered(self) -> list[dict]:
        """Questions that got no_answer, the same question counted once however written, most asked first."""
        with self._transaction("DEFERRED") as db:
            # With MAX(), SQLite takes the bare column `question` from the row holding the maximum:
            # each group is shown as it was last written.
            rows = db.execute("SELECT question, COUNT(*) AS count, MAX(created_at) AS last_asked FROM replies "
                              "WHERE kind = 'no_answer' GROUP BY question_key "
                              "ORDER BY count DESC, last_asked DESC").fetchall()
        return [{"question": q, "count": n, "last_asked": last} for q, n, last in rows]

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ internals

    @contextmanager
    def _transaction(self, mode: str = "IMMEDIATE"):
        """BEGIN ... COMMIT under the lock; any database failure becomes StoreUnavailable.

        Writers begin IMMEDIATE so they queue for the file's write lock up front (another worker process
        may hold it) instead of failing halfway; readers begin DEFERRED and never block a writer.
        """
        with self._lock:
            db = self._connection
            if db is None:
                raise StoreUnavailable(f"the feedback database {self.path} is closed")
            try:
                db.execute(f"BEGIN {mode}")
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"the feedback database {self.path} cannot be written: {exc}") from exc
            try:
                yield db
                db.execute("COMMIT")
            except sqlite3.Error as exc:
                _rollback(db)
                raise StoreUnavailable(f"the feedback database {self.path} failed: {exc}") from exc
            except BaseException:
                _rollback(db)
                raise

    def _purge_if_due(self) -> None:
        if self.retention_days and time.monotonic() - self._last_purge >= PURGE_EVERY_SECONDS:
            self._last_purge = time.monotonic()
            self.purge(self.retention_days)


def _rollback(db: sqlite3.Connection) -> None:
    if db.in_transaction:
        db.execute("ROLLBACK")


def _prepare(db: sqlite3.Connection, path: Path) -> None:
    """Check the file is a sound netqa store (creating the tables in an empty one) and set durable mode."""
    try:
        _is_empty(db, path)  # before anything writes: a stranger's file must be left exactly as it was
        db.execute("PRAGMA foreign_keys = ON")
        # WAL with synchronous=FULL syncs the log on every commit: an acknowledged write survives a crash.
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise StoreUnavailable(f"the feedback database {path} is damaged ({check}); "
                                   "restore it from a backup or move it away to start a new one")
        db.execute("BEGIN IMMEDIATE")
        try:
            # Asked again under the write lock: another server worker may have just created the tables.
            if _is_empty(db, path):
                _create_schema(db)
            else:
                _check_schema(db, path)
            db.execute("COMMIT")
        except BaseException:
            _rollback(db)
            raise
    except sqlite3.DatabaseError as exc:
        message = str(exc)
        if "not a database" in message or "malformed" in message:
            raise StoreUnavailable(f"the feedback database {path} is not a readable SQLite database ({message}); "
                                   "restore it from a backup or move it away to start a new one") from exc
        if "readonly" in message or "unable to open" in message or "disk I/O" in message:
            raise StoreUnavailable(f"the feedback database {path} cannot be written ({message}); "
                                   "check the permissions of the file and its folder") from exc
        raise StoreUnavailable(f"cannot use the feedback database {path}: {message}") from exc


def _is_empty(db: sqlite3.Connection, path: Path) -> bool:
    """True for a new, empty database, False for a netqa store; StoreUnavailable for anything else."""
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                              "AND name NOT LIKE 'sqlite_%'")}
    if application_id == 0 and not tables:
        return True
    if application_id != APPLICATION_ID:
        listed = ", ".join(sorted(tables)) or "none"
        raise StoreUnavailable(f"{path} is a SQLite database but not a netqa feedback store "
                               f"(its tables: {listed}); give netqa a file of its own")
    return False


def _create_schema(db: sqlite3.Connection) -> None:
    # One by one, not executescript(), which would commit the open transaction first.
    for statement in filter(str.strip, _SCHEMA.split(";")):
        db.execute(statement)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _check_schema(db: sqlite3.Connection, path: Path) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        raise StoreUnavailable(f"the feedback database {path} has schema version {version}, "
                               f"this netqa reads version {SCHEMA_VERSION}")
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = _TABLES - tables
    if missing:
        raise StoreUnavailable(f"the feedback database {path} lacks the table(s) {', '.join(sorted(missing))}")
    # Rewriting the version is a real write: a read-only file fails here, at start, not at the first feedback.
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
