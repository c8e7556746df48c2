"""The PostgreSQL store of question logs and feedback, shared by replicas on several machines: the SQLite store's
schema, upgrades and guarantees over a psycopg connection pool."""

from __future__ import annotations

import atexit
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from netqa.config import Settings, masked_url
from netqa.store import (
    BATCH_ROWS,
    BATCH_SECONDS,
    LATE_REPLY_POLL_SECONDS,
    LATE_REPLY_SECONDS,
    LOW_CONFIDENCE,
    MAX_PENDING_ROWS,
    PURGE_EVERY_SECONDS,
    StoreUnavailable,
    _timestamp,
    question_key,
    utc_now,
)

SCHEMA_VERSION = 2  # the SQLite store's version: the same tables, columns and indexes
CONNECT_SECONDS = 3.0  # how long a request waits for a connection before its feedback is refused with a 503
POOL_SIZE = 8  # connections per server process at most: feedback and admin reads in threads, plus the log writer
RECONNECT_SECONDS = 5.0  # the pool retries a lost server this long in the background, then on the next request
_SCHEMA_LOCK = 0x6E716131  # advisory lock ('nqa1'): two replicas starting at once create the tables once

_SCHEMA = """
CREATE TABLE netqa_schema (version INTEGER NOT NULL);
CREATE TABLE replies (
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    question_key TEXT NOT NULL,
    answer TEXT NOT NULL,
    kind TEXT NOT NULL,
    confidence DOUBLE PRECISION NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX replies_created ON replies(created_at);
CREATE INDEX replies_kind ON replies(kind);
CREATE TABLE feedback (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reply_id TEXT NOT NULL REFERENCES replies(id) ON DELETE CASCADE,
    helpful BOOLEAN NOT NULL,
    comment TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX feedback_created ON feedback(created_at);
CREATE INDEX feedback_reply ON feedback(reply_id);
"""
_TABLES = {"netqa_schema", "replies", "feedback"}
# What takes a store of each older version to the next (as in the SQLite store). PostgreSQL stores began at
# version 2, so there is nothing to upgrade yet; a newer netqa adds its step here.
_MIGRATIONS: dict[int, tuple[str, ...]] = {}
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

log = logging.getLogger("netqa.store")
# The pool would log every failed reconnection attempt; the store says once that the server went and once that it
# came back.
logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)


def storable(text: str) -> str:
    """Text PostgreSQL can hold: NUL (never allowed in its text) and lone surrogates become U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


class PostgresStore:
    """Question logs and feedback in a PostgreSQL database, through a pool of connections.

    As the SQLite store: replies are logged write-behind (record_reply queues, a writer thread commits a batch
    every BATCH_SECONDS), feedback is committed (synchronous_commit, the server's default) before add_feedback
    returns. Unlike a local file the server can go away: then the queued replies wait (up to MAX_PENDING_ROWS),
    feedback raises StoreUnavailable, and the pool reconnects by itself; the log says once that the database
    went and once that it came back.
    """

    def __init__(self, pool, where: str, retention_days: int, clock: Callable[[], datetime]):
        self.where = where
        self.path = where  # what the SQLite store calls its location
        self.retention_days = retention_days
        self.dropped = 0  # queued replies lost because the queue was full (see MAX_PENDING_ROWS)
        self._pool = pool
        self._clock = clock
        self._prepared = False
        self._prepare_lock = threading.Lock()
        self._down: str | None = None  # why the database is unreachable, while it is
        self._last_purge = float("-inf")
        self._pending: deque[tuple] = deque()
        self._wake = threading.Condition(threading.Lock())  # guards _pending, _closing, dropped; wakes the writer
        self._closing = False
        self._closed = False
        self._writer = threading.Thread(target=self._write_behind, name="netqa-store-postgresql", daemon=True)
        self._writer.start()
        atexit.register(self.close)

    @classmethod
    def open(cls, url: str, retention_days: int | None = None,
             clock: Callable[[], datetime] = utc_now) -> PostgresStore:
        """Open the store at a postgresql:// URL, creating or upgrading its tables.

        A database that is not ours, or of a newer schema, is refused (StoreUnavailable); an unreachable server
        is not: the store opens, says so in the log, and prepares the database once it answers.
        """
        from psycopg_pool import ConnectionPool

        if retention_days is None:
            retention_days = Settings.from_env().retention_days
        if retention_days < 0:
            raise ValueError(f"retention must be 0 (keep forever) or a number of days, not {retention_days}")
        where = masked_url(url)
        try:
            pool = ConnectionPool(url, min_size=1, max_size=POOL_SIZE, open=False, timeout=CONNECT_SECONDS,
                                  check=ConnectionPool.check_connection, reconnect_timeout=RECONNECT_SECONDS,
                                  name="netqa", kwargs={"connect_timeout": int(CONNECT_SECONDS)})
            pool.open(wait=False)
        except Exception as exc:  # a malformed URL: psycopg names the bad part, never the password
            raise StoreUnavailable(f"cannot use the feedback database {where}: {exc}") from exc
        store = cls(pool, where, retention_days, clock)
        try:
            store._prepare()
        except StoreUnavailable:
            if store._down is None:  # not ours, or a newer schema: refused for good
                store.close()
                raise
        return store

    # ------------------------------------------------------------ writing

    def record_reply(self, reply: Mapping) -> None:
        """Queue a reply for the log and return at once; the writer commits it with the next batch.

        Past MAX_PENDING_ROWS waiting (the database has been away a while) the oldest is dropped and counted.
        """
        row = (reply["id"], reply["question"], reply["answer"], reply["kind"], float(reply["confidence"]),
               self._clock())
        with self._wake:
            if self._closing:
                raise StoreUnavailable(f"the feedback database {self.where} is closed")
            self._queue([row])
            if len(self._pending) in (1, BATCH_ROWS):  # the first starts a batch's window, a full batch ends it
                self._wake.notify()

    def flush(self) -> None:
        """Commit every reply queued so far, now."""
        if self._pending:
            with self._transaction() as db:
                self._write_pending(db)

    def add_feedback(self, reply_id: str, helpful: bool, comment: str | None = None,
                     wait: float = LATE_REPLY_SECONDS) -> int:
        """Store feedback on a logged reply and return its id once it is committed.

        KeyError if no reply has that id, not even after `wait` seconds (another replica may not have written
        its batch yet).
        """
        reply_id, comment = storable(reply_id), None if comment is None else storable(comment)
        deadline = time.monotonic() + wait
        while True:
            with self._transaction() as db:
                self._write_pending(db)
                if db.execute("SELECT 1 FROM replies WHERE id = %s", (reply_id,)).fetchone() is not None:
                    row = db.execute("INSERT INTO feedback (reply_id, helpful, comment, created_at) "
                                     "VALUES (%s, %s, %s, %s) RETURNING id",
                                     (reply_id, bool(helpful), comment, self._clock())).fetchone()
                    return int(row[0])
            if time.monotonic() >= deadline:
                raise KeyError(reply_id)
            time.sleep(LATE_REPLY_POLL_SECONDS)

    def purge(self, older_than_days: int) -> int:
        """Delete replies and feedback recorded more than this many days ago; return how many rows went."""
        if older_than_days < 0:
            raise ValueError(f"older_than_days must not be negative, not {older_than_days}")
        cutoff = self._clock() - timedelta(days=older_than_days)
        with self._transaction() as db:
            # Feedback first and counted apart: the cascade from replies would delete it uncounted.
            feedback = db.execute("DELETE FROM feedback WHERE created_at < %s OR reply_id IN "
                                  "(SELECT id FROM replies WHERE created_at < %s)", (cutoff, cutoff)).rowcount
            replies = db.execute("DELETE FROM replies WHERE created_at < %s", (cutoff,)).rowcount
        return feedback + replies

    # ------------------------------------------------------------ reading

    def feedback(self) -> list[dict]:
        """Every feedback with the question, answer and kind it was about, oldest first."""
        self.flush()
        with self._transaction() as db:
            rows = db.execute("SELECT f.id, f.reply_id, f.helpful, f.comment, r.question, r.answer, r.kind, "
                              "f.created_at FROM feedback f JOIN replies r ON r.id = f.reply_id "
                              "ORDER BY f.id").fetchall()
        names = ("id", "reply_id", "helpful", "comment", "question", "answer", "kind", "created_at")
        return [dict(zip(names, row, strict=True)) | {"created_at": _timestamp(row[7])} for row in rows]

    def unanswered(self) -> list[dict]:
        """Questions that got no_answer, the same question counted once however written, most asked first."""
        return [{"question": row["question"], "count": row["count"], "last_asked": row["last_asked"]}
                for row in self._grouped("kind = 'no_answer'", ())]

    def low_confidence(self, below: float = LOW_CONFIDENCE) -> list[dict]:
        """Answered questions whose confidence was under `below`, grouped like unanswered(), most asked first."""
        return self._grouped("kind = 'answer' AND confidence < %s", (float(below),))

    def close(self) -> None:
        """Write the queued replies, then close the pool; a second call does nothing."""
        with self._wake:
            if self._closed:
                return
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
        self._closed = True
        self._pool.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ internals

    def _grouped(self, where: str, parameters: tuple) -> list[dict]:
        """Replies matching `where`, one row per question however written (question_key): how often it was
        asked, and the latest asking's question, answer, confidence and time."""
        self.flush()
        with self._transaction() as db:
            rows = db.execute("SELECT question, count, last_asked, answer, confidence FROM ("
                              "SELECT question, answer, confidence, created_at AS last_asked, "
                              "COUNT(*) OVER same AS count, "
                              "ROW_NUMBER() OVER (same ORDER BY created_at DESC, seq DESC) AS latest "
                              f"FROM replies WHERE {where} WINDOW same AS (PARTITION BY question_key)) AS grouped "
                              "WHERE latest = 1 ORDER BY count DESC, last_asked DESC", parameters).fetchall()
        names = ("question", "count", "last_asked", "answer", "confidence")
        return [dict(zip(names, row, strict=True)) | {"last_asked": _timestamp(row[2])} for row in rows]

    def _queue(self, rows: list[tuple]) -> None:
        """Add rows behind the queue (under self._wake), dropping the oldest past MAX_PENDING_ROWS."""
        self._pending.extend(rows)
        overflow = len(self._pending) - MAX_PENDING_ROWS
        if overflow > 0:
            for _ in range(overflow):
                self._pending.popleft()
            if self.dropped // 1000 != (self.dropped + overflow) // 1000 or self.dropped == 0:
                log.warning("the queue of replies to log is full (is the database away?): %d replies dropped so far",
                            self.dropped + overflow)
            self.dropped += overflow

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
            except StoreUnavailable:
                # The rows went back to the queue (_transaction); the outage was logged once. Wait before the next
                # try, so an unreachable server is not asked fifty times a second.
                with self._wake:
                    self._wake.wait(CONNECT_SECONDS)

    def _write_pending(self, db: _Transaction) -> None:
        """Insert the queued replies in the caller's transaction; if it fails they are queued again (the rows
        are keyed by reply id, so a batch that did commit before the connection broke is not written twice)."""
        with self._wake:
            rows = list(self._pending)
            self._pending.clear()
        db.unwritten += rows
        for start in range(0, len(rows), BATCH_ROWS):
            chunk = rows[start:start + BATCH_ROWS]
            insert = ("INSERT INTO replies (id, question, question_key, answer, kind, confidence, created_at) "
                      "VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk)) +
                      " ON CONFLICT (id) DO NOTHING")
            db.execute(insert, [value for reply_id, question, answer, kind, confidence, moment in chunk
                                for value in (storable(reply_id), storable(question), question_key(question),
                                              storable(answer), kind, confidence, moment)])

    def _transaction(self, prepare: bool = True) -> _Transaction:
        return _Transaction(self, prepare)

    def _prepare(self) -> None:
        """Create the tables in an empty database, upgrade an older one, refuse one that is not ours (once)."""
        with self._prepare_lock:
            if self._prepared:
                return
            with self._transaction(prepare=False) as db:
                _prepare(db, self.where)
            self._prepared = True
        self._purge_if_due()

    def _unreachable(self, exc: Exception) -> StoreUnavailable:
        """Note that the server is away (logged once per outage) and say so as a StoreUnavailable."""
        from psycopg_pool import PoolTimeout

        reason = (f"no connection within {CONNECT_SECONDS:.0f} s" if isinstance(exc, PoolTimeout)
                  else str(exc).strip().splitlines()[0])
        self._went_down(reason)
        return StoreUnavailable(f"the feedback database {self.where} is unreachable ({reason})")

    def _went_down(self, reason: str) -> None:
        if self._down is None:
            log.error("the feedback database %s is unreachable (%s): feedback is refused and question logs wait "
                      "until it is back; the chat still answers", self.where, reason)
        self._down = reason

    def _came_back(self) -> None:
        if self._down is not None:
            self._down = None
            log.warning("the feedback database %s is reachable again", self.where)

    def _purge_if_due(self) -> None:
        if self.retention_days and time.monotonic() - self._last_purge >= PURGE_EVERY_SECONDS:
            self._last_purge = time.monotonic()
            self.purge(self.retention_days)


class _Transaction:
    """One transaction on a pooled connection: commit at the end, and any database failure becomes
    StoreUnavailable, with the replies it was writing queued again. `execute` is the connection's."""

    def __init__(self, store: PostgresStore, prepare: bool):
        self.store = store
        self.prepare = prepare
        self.unwritten: list[tuple] = []  # replies inserted in this transaction, not yet committed
        self._context: Any = None  # the pool's connection() context manager, and the connection it lent
        self._connection: Any = None

    def execute(self, query: str, parameters: tuple | list = ()):
        assert self._connection is not None
        return self._connection.execute(query, parameters)

    def __enter__(self) -> _Transaction:
        import psycopg
        from psycopg_pool import PoolTimeout

        store = self.store
        if store._closed:
            raise StoreUnavailable(f"the feedback database {store.where} is closed")
        if self.prepare and not store._prepared:
            store._prepare()
        try:
            self._context = store._pool.connection()
            self._connection = self._context.__enter__()
        except (PoolTimeout, psycopg.OperationalError) as exc:
            raise store._unreachable(exc) from None
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        import psycopg

        store, failure = self.store, exc
        if failure is None:
            try:
                self._connection.commit()
            except psycopg.Error as error:
                failure = error
        if failure is not None and self.unwritten:
            with store._wake:
                store._pending.extendleft(reversed(self.unwritten))  # first in line again, in the order asked
                store._queue([])
        try:
            # Rolls back after a failure and hands the connection back (the pool drops a broken one).
            self._context.__exit__(type(failure) if failure else None, failure, None)
        except psycopg.Error:
            pass
        if failure is None:
            store._came_back()
        elif isinstance(failure, psycopg.OperationalError):
            raise store._unreachable(failure) from None
        elif isinstance(failure, psycopg.Error):
            raise StoreUnavailable(f"the feedback database {store.where} failed: {failure}") from None


def _prepare(db: _Transaction, where: str) -> None:
    """Check the database is a sound netqa store (creating the tables in an empty one, upgrading an old one)."""
    db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))  # another replica may be starting too
    tables = {name for (name,) in db.execute("SELECT table_name FROM information_schema.tables "
                                             "WHERE table_schema = current_schema()")}
    if not tables:
        for statement in filter(str.strip, _SCHEMA.split(";")):
            db.execute(statement)
        db.execute("INSERT INTO netqa_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
        return
    if "netqa_schema" not in tables:
        raise StoreUnavailable(f"{where} is a PostgreSQL database but not a netqa feedback store (its tables: "
                               f"{', '.join(sorted(tables))}); give netqa a database or schema of its own")
    row = db.execute("SELECT version FROM netqa_schema").fetchone()
    version = row[0] if row else 0
    while version in _MIGRATIONS:
        for statement in _MIGRATIONS[version]:
            db.execute(statement)
        version += 1
    if version != SCHEMA_VERSION:
        raise StoreUnavailable(f"the feedback database {where} has schema version {version}, "
                               f"this netqa reads version {SCHEMA_VERSION}")
    missing = _TABLES - tables
    if missing:
        raise StoreUnavailable(f"the feedback database {where} lacks the table(s) {', '.join(sorted(missing))}")
    db.execute("UPDATE netqa_schema SET version = %s", (SCHEMA_VERSION,))
