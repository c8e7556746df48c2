"""The SQLite store of question logs and feedback: batched reply logs, durable feedback, safe from many threads."""

from __future__ import annotations

import atexit
import logging
import re
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from netqa.config import Settings
from netqa.text import normalise, words

# 'nqa1' in the file header marks a database as ours, so a stranger's SQLite file is refused, not altered.
APPLICATION_ID = 0x6E716131
SCHEMA_VERSION = 2
PURGE_EVERY_SECONDS = 3600.0  # a long-running server applies the retention setting hourly, not only at start
BUSY_TIMEOUT_SECONDS = 10.0  # several server workers share one file; a writer waits for another's commit
BATCH_SECONDS = 0.05  # a logged reply reaches the file within about this long: one commit (one fsync) per batch
BATCH_ROWS = 500  # ... or as soon as this many replies are waiting
MAX_PENDING_ROWS = 10_000  # replies waiting at most (a few seconds of full load); past it the oldest are dropped
# Feedback for a reply logged by another server process (--workers 2) may arrive before that process's batch
# is committed: an unknown reply_id is looked up again for this long (two batches) before it is called unknown.
# Only unknown ids pay the wait; it is kept short because every one of them holds a worker thread meanwhile.
LATE_REPLY_SECONDS = 0.1
LATE_REPLY_POLL_SECONDS = 0.01
LOW_CONFIDENCE = 0.7  # answered, but below this: worth a look by the people who maintain the documents

log = logging.getLogger("netqa.store")

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
CREATE INDEX replies_kind ON replies(kind);
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
# What takes a store of each older version to the next. Version 1 indexed replies by (kind, question_key): each
# logged reply landed on its own page of that index, which made logging three times dearer, and reading the
# grouped lists was no faster for it.
_MIGRATIONS = {1: ("DROP INDEX replies_kind_key", "CREATE INDEX replies_kind ON replies(kind)")}
_SURROGATE = re.compile("[\ud800-\udfff]")


class StoreUnavailable(RuntimeError):
    """The database cannot be used (missing folder, not a database, not ours, unwritable); the message says why."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _timestamp(moment: datetime) -> str:
    # One fixed format, so timestamps sort and compare correctly as text: 2026-01-31T09:05:00.000000Z
    # (isoformat, not strftime: half the time, and the writer formats one for every logged reply).
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")[:26] + "Z"


def storable(text: str) -> str:
    """Text SQLite can hold: a lone surrogate (which UTF-8 cannot encode) becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


@lru_cache(maxsize=4096)  # patients ask the same questions again and again; the writer keys every logged reply
def question_key(question: str) -> str:
    """What counts as the same question when grouping: case, punctuation and spacing ignored."""
    return " ".join(words(normalise(question)))


class Store:
    """One connection behind one lock: SQLite serialises writers anyway, and the lock keeps
    the connection's transaction state from being shared by two threads at once.

    Replies are logged write-behind: record_reply only queues the row, and a writer thread commits the
    queue in batches, so answering never waits for the disk. Feedback is written at once and durably,
    in a transaction that first writes every queued reply (so feedback on a reply just given finds it).
    close() writes what is still queued.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path, retention_days: int,
                 clock: Callable[[], datetime]):
        self.path = path
        self.where = str(path)  # for messages, as every store names where it writes
        self.retention_days = retention_days
        self.dropped = 0  # queued replies lost: queue full, or their batch failed (see MAX_PENDING_ROWS)
        self._connection: sqlite3.Connection | None = connection
        self._lock = threading.Lock()
        self._clock = clock
        self._last_purge = float("-inf")
        self._pending: deque[tuple] = deque()
        self._uncommitted = 0  # queued replies written in the open transaction (under self._lock)
        self._wake = threading.Condition(threading.Lock())  # guards _pending, _closing and dropped; wakes the writer
        self._closing = False
        self._writer = threading.Thread(target=self._write_behind, name=f"netqa-store-{path.name}", daemon=True)
        self._writer.start()
        atexit.register(self.close)  # a program that never closes the store still writes its queue on exit

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
        """Queue a reply (its id, question, answer, kind and confidence) for the log, so feedback can refer to it.

        Returns at once; the row is committed with the next batch. When MAX_PENDING_ROWS are already
        waiting (the disk has stalled) the oldest queued reply is dropped and counted in `dropped`:
        waiting here instead would stall every answer of the server on the disk.
        """
        row = (reply["id"], reply["question"], reply["answer"], reply["kind"], float(reply["confidence"]),
               self._clock())
        with self._wake:
            if self._closing:
                raise StoreUnavailable(f"the feedback database {self.path} is closed")
            if len(self._pending) >= MAX_PENDING_ROWS:
                self._pending.popleft()
                self.dropped += 1
                if self.dropped % 1000 == 1:  # the first, then every thousandth: a stalled disk must not flood the log
                    log.warning("the queue of replies to log is full (is the disk stalled?): "
                                "%d replies dropped so far", self.dropped)
            self._pending.append(row)
            if len(self._pending) >= BATCH_ROWS:
                self._wake.notify()

    def flush(self) -> None:
        """Commit every reply queued so far, now."""
        if self._pending:  # read without the lock: at worst one empty transaction, or a row left to the writer
            with self._transaction() as db:
                self._write_pending(db)

    def add_feedback(self, reply_id: str, helpful: bool, comment: str | None = None) -> int:
        """Store feedback on a logged reply and return its id once it is committed to disk.

        KeyError if no reply has that id, not even after LATE_REPLY_SECONDS.
        """
        reply_id, comment = storable(reply_id), None if comment is None else storable(comment)
        deadline = time.monotonic() + LATE_REPLY_SECONDS
        while True:
            with self._transaction() as db:
                self._write_pending(db)
                if db.execute("SELECT 1 FROM replies WHERE id = ?", (reply_id,)).fetchone() is not None:
                    cursor = db.execute("INSERT INTO feedback (reply_id, helpful, comment, created_at) "
                                        "VALUES (?, ?, ?, ?)",
                                        (reply_id, int(bool(helpful)), comment, _timestamp(self._clock())))
                    return int(cursor.lastrowid)
            if time.monotonic() >= deadline:
                raise KeyError(reply_id)
            time.sleep(LATE_REPLY_POLL_SECONDS)  # outside the lock: this process's writer may go on

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
        self.flush()
        with self._transaction("DEFERRED") as db:
            rows = db.execute("SELECT f.id, f.reply_id, f.helpful, f.comment, r.question, r.answer, r.kind, "
                              "f.created_at FROM feedback f JOIN replies r ON r.id = f.reply_id "
                              "ORDER BY f.id").fetchall()
        names = ("id", "reply_id", "helpful", "comment", "question", "answer", "kind", "created_at")
        return [dict(zip(names, row)) | {"helpful": bool(row[2])} for row in rows]

    def unanswered(self) -> list[dict]:
        """Questions that got no_answer, the same question counted once however written, most asked first."""
        return [{"question": row["question"], "count": row["count"], "last_asked": row["last_asked"]}
                for row in self._grouped("kind = 'no_answer'", ())]

    def low_confidence(self, below: float = LOW_CONFIDENCE) -> list[dict]:
        """Answered questions whose confidence was under `below`, grouped like unanswered(), most asked first;
        each group shows the latest answer given and its confidence."""
        return self._grouped("kind = 'answer' AND confidence < ?", (float(below),))

    def close(self) -> None:
        """Write the queued replies, then close; a second call does nothing."""
        with self._wake:
            self._closing = True
            self._wake.notify()
        self._writer.join()
        atexit.unregister(self.close)
        try:
            self.flush()
        except StoreUnavailable as exc:
            with self._wake:
                self.dropped += len(self._pending)
                self._pending.clear()
            log.error("could not log replies before closing: %s (%d dropped)", exc, self.dropped)
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ internals

    def _grouped(self, where: str, parameters: tuple) -> list[dict]:
        """Replies matching `where`, one row per question however written (question_key): how often it was
        asked, and the latest asking's question, answer, confidence and time."""
        self.flush()
        with self._transaction("DEFERRED") as db:
            # rowid breaks ties: replies queued in the same microsecond are inserted in the order asked.
            rows = db.execute("SELECT question, count, last_asked, answer, confidence FROM ("
                              "SELECT question, answer, confidence, created_at AS last_asked, "
                              "COUNT(*) OVER same AS count, "
                              "ROW_NUMBER() OVER (same ORDER BY created_at DESC, rowid DESC) AS latest "
                              f"FROM replies WHERE {where} WINDOW same AS (PARTITION BY question_key)) "
                              "WHERE latest = 1 ORDER BY count DESC, last_asked DESC", parameters).fetchall()
        names = ("question", "count", "last_asked", "answer", "confidence")
        return [dict(zip(names, row)) for row in rows]

    def _write_behind(self) -> None:
        """The writer thread: a batch every BATCH_SECONDS (sooner when BATCH_ROWS wait), until close()."""
        while True:
            with self._wake:
                while not self._pending and not self._closing:
                    self._wake.wait()
                due = time.monotonic() + BATCH_SECONDS
                while len(self._pending) < BATCH_ROWS and not self._closing and time.monotonic() < due:
                    self._wake.wait(due - time.monotonic())
                if self._closing:
                    return  # close() writes the rest
            try:
                self.flush()
                self._purge_if_due()
            except StoreUnavailable as exc:
                # Rows whose transaction failed are lost; if it could not even begin they wait for the next try.
                log.error("could not log replies: %s (%d dropped so far)", exc, self.dropped)

    def _write_pending(self, db: sqlite3.Connection) -> None:
        """Insert the queued replies in the caller's transaction (under self._lock).

        If that transaction then fails, the rows are counted as dropped: the chat answered them already.
        """
        with self._wake:
            rows = list(self._pending)
            self._pending.clear()
        self._uncommitted = len(rows)
        for start in range(0, len(rows), BATCH_ROWS):
            chunk = rows[start:start + BATCH_ROWS]
            # One multi-row INSERT rather than executemany(): sqlite3 lets go of the GIL at every statement step,
            # and each hand-back can hold up the event loop (under wrk, 10-25% more asks a second this way).
            insert = ("INSERT OR IGNORE INTO replies (id, question, question_key, answer, kind, confidence, "
                      "created_at) VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(chunk)))
            try:
                db.execute(insert, _reply_values(chunk))
            except UnicodeEncodeError:
                # A lone surrogate, which UTF-8 cannot encode, and nothing was written. Rare, so only now is every
                # text made storable: searching each answer for surrogates would cost more than writing it.
                db.execute(insert, _reply_values([(storable(reply_id), storable(question), storable(answer), *rest)
                                                  for reply_id, question, answer, *rest in chunk]))

    def _rolled_back(self, db: sqlite3.Connection) -> None:
        _rollback(db)
        with self._wake:
            self.dropped += self._uncommitted

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
                self._rolled_back(db)
                raise StoreUnavailable(f"the feedback database {self.path} failed: {exc}") from exc
            except BaseException:
                self._rolled_back(db)
                raise
            finally:
                self._uncommitted = 0

    def _purge_if_due(self) -> None:
        if self.retention_days and time.monotonic() - self._last_purge >= PURGE_EVERY_SECONDS:
            self._last_purge = time.monotonic()
            self.purge(self.retention_days)


def open_store(location: str | Path, retention_days: int | None = None,
               clock: Callable[[], datetime] = utc_now):
    """The store at `location` (--db / NETQA_DB): a postgresql:// URL (netqa.pgstore), else a SQLite file."""
    scheme = re.match(r"([a-z][a-z0-9+.-]*)://", str(location))
    if scheme is None:
        return Store.open(location, retention_days, clock)
    if scheme.group(1) not in ("postgresql", "postgres"):
        raise StoreUnavailable(f"the feedback database must be a SQLite file path or a postgresql:// URL, "
                               f"not a {scheme.group(1)}:// URL")
    from netqa.pgstore import PostgresStore  # psycopg is imported only where it is used

    return PostgresStore.open(str(location), retention_days, clock)


def _reply_values(rows: list[tuple]) -> list:
    """The queued rows as the flat list of values a multi-row INSERT into replies binds."""
    return [value for reply_id, question, answer, kind, confidence, moment in rows
            for value in (reply_id, question, question_key(question), answer, kind, confidence, _timestamp(moment))]


def _rollback(db: sqlite3.Connection) -> None:
    if db.in_transaction:
        db.execute("ROLLBACK")


def _prepare(db: sqlite3.Connection, path: Path) -> None:
    """Check the file is a sound netqa store (creating the tables in an empty one, upgrading an old one) and set
    durable mode."""
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
                _upgrade_schema(db, path)
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


def _upgrade_schema(db: sqlite3.Connection, path: Path) -> None:
    """Bring a store of an older schema version up to this one (in the caller's transaction), then check it."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    while version in _MIGRATIONS:
        for statement in _MIGRATIONS[version]:
            db.execute(statement)
        version += 1
    if version != SCHEMA_VERSION:
        raise StoreUnavailable(f"the feedback database {path} has schema version {version}, "
                               f"this netqa reads version {SCHEMA_VERSION}")
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = _TABLES - tables
    if missing:
        raise StoreUnavailable(f"the feedback database {path} lacks the table(s) {', '.join(sorted(missing))}")
    # Rewriting the version is a real write: a read-only file fails here, at start, not at the first feedback.
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
