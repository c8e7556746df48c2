"""The question log and feedback in PostgreSQL, shared by replicas on several machines: the SQLite log's schema,
upgrades and guarantees over a psycopg connection pool (see base.QuestionLog)."""

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
from netqa.store.base import LOW_CONFIDENCE, StoreUnavailable, question_key, timestamp, utc_now
from netqa.store.outage import Outage
from netqa.store.postgres_db import CONNECT_SECONDS, open_pool, prepare
from netqa.store.sqlite_log import (
    BATCH_ROWS,
    BATCH_SECONDS,
    LATE_REPLY_POLL_SECONDS,
    MAX_PENDING_ROWS,
    PURGE_EVERY_SECONDS,
)

log = logging.getLogger("netqa.store")

POOL_SIZE = 8  # connections per server process at most: feedback and admin reads in threads, plus the writer
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """Text PostgreSQL can hold: NUL (never allowed in its text) and lone surrogates become U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


class PostgresLog:
    """Question logs and feedback in a PostgreSQL database, through a pool of connections.

    As the SQLite log: replies are logged write-behind (record_reply queues, a writer thread commits the replies
    of each BATCH_SECONDS in one transaction), feedback is committed (synchronous_commit, the server's default)
    before add_feedback returns. Unlike a local file the server can go away: the queued replies then wait for
    it (up to MAX_PENDING_ROWS), feedback raises StoreUnavailable, the pool reconnects by itself, and the log
    says once that the database went and once that it came back.
    """

    def __init__(self, pool: Any, where: str, retention_days: int, clock: Callable[[], datetime]):
        self.where = where
        self.retention_days = retention_days
        self.dropped = 0  # queued replies lost because the queue was full (see MAX_PENDING_ROWS)
        self._pool = pool
        self._clock = clock
        self._prepared = False
        self._prepare_lock = threading.Lock()
        self._outage = Outage(f"the database {where}", "feedback is refused and question logs wait until it is "
                                                      "back; the chat still answers")
        self._last_purge = float("-inf")
        self._pending: deque[tuple] = deque()
        self._in_flight: tuple[tuple, ...] = ()  # the batch being written (under _wake)
        self._flush_lock = threading.Lock()  # one batch at a time: a flush that follows one waits for its commit
        self._wake = threading.Condition(threading.Lock())  # guards _pending, _closing, dropped; wakes the writer
        self._closing = False
        self._closed = False
        self._writer = threading.Thread(target=self._write_behind, name="netqa-log-postgresql", daemon=True)
        self._writer.start()
        atexit.register(self.close)

    @classmethod
    def open(cls, url: str, retention_days: int | None = None,
             clock: Callable[[], datetime] = utc_now) -> PostgresLog:
        """Open the log at a postgresql:// URL, creating or upgrading its tables.

        A database that is not ours, or of a newer schema, is refused (StoreUnavailable); an unreachable server
        is not: the log opens, says so once, and prepares the database when it answers.
        """
        if retention_days is None:
            retention_days = Settings.from_env().retention_days
        if retention_days < 0:
            raise ValueError(f"retention must be 0 (keep forever) or a number of days, not {retention_days}")
        store = cls(open_pool(url, POOL_SIZE, "netqa-log"), masked_url(url), retention_days, clock)
        try:
            store._prepare()
        except StoreUnavailable:
            if store._outage.reason is None:  # not ours, or a newer schema: refused for good
                store.close()
                raise
        return store

    # ------------------------------------------------------------ writing

    def record_reply(self, reply: Mapping) -> None:
        """Queue a reply for the log and return at once; the writer commits it within BATCH_SECONDS.

        Past MAX_PENDING_ROWS waiting (the database has been away a while) the oldest is dropped and counted.
        """
        row = (reply["id"], reply["question"], reply["answer"], reply["kind"], float(reply["confidence"]),
               self._clock())
        with self._wake:
            if self._closing:
                raise StoreUnavailable(f"the database {self.where} is closed")
            self._queue([row])
            if len(self._pending) == 1:
                self._wake.notify()  # the writer sleeps while nothing waits; it then writes within BATCH_SECONDS

    def flush(self) -> None:
        """Commit every reply queued so far, now (after any flush already under way: its rows are then written)."""
        with self._flush_lock:
            if self._pending:
                try:
                    with self._transaction() as db:
                        self._write_pending(db)
                finally:
                    with self._wake:
                        self._in_flight = ()

    def add_feedback(self, reply_id: str, helpful: bool, comment: str | None = None, wait: float = 0.0) -> int:
        """Store feedback on a logged reply and return its id once it is committed.

        KeyError if no reply has that id, after looking for `wait` seconds (another replica's batch may be on its
        way).
        """
        import psycopg

        reply_id, comment = storable(reply_id), None if comment is None else storable(comment)
        if self._queued(reply_id):
            self.flush()  # a reply this process just gave: written now rather than by the next batch
        deadline = time.monotonic() + wait
        while not self._logged(reply_id):
            if time.monotonic() >= deadline:
                raise KeyError(reply_id)
            time.sleep(LATE_REPLY_POLL_SECONDS)
        try:
            with self._transaction() as db:
                row = db.execute("INSERT INTO feedback (reply_id, helpful, comment, created_at) "
                                 "VALUES (%s, %s, %s, %s) RETURNING id",
                                 (reply_id, bool(helpful), comment, self._clock())).fetchone()
        except StoreUnavailable as exc:
            if isinstance(exc.__cause__, psycopg.errors.ForeignKeyViolation):
                raise KeyError(reply_id) from None  # purged by retention in the meantime
            raise
        return int(row[0])

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
        return [dict(zip(names, row, strict=True)) | {"created_at": timestamp(row[7])} for row in rows]

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

    def __enter__(self) -> PostgresLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ internals

    def _queued(self, reply_id: str) -> bool:
        """Whether the reply waits in this process's queue, or in a batch being written."""
        with self._wake:
            # reply_id is storable already
            return any(storable(row[0]) == reply_id for rows in (self._pending, self._in_flight) for row in rows)

    def _logged(self, reply_id: str) -> bool:
        with self._transaction() as db:
            return db.execute("SELECT 1 FROM replies WHERE id = %s", (reply_id,)).fetchone() is not None

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
        return [dict(zip(names, row, strict=True)) | {"last_asked": timestamp(row[2])} for row in rows]

    def _queue(self, rows: list[tuple]) -> None:
        """Add rows behind the queue (under self._wake), dropping the oldest past MAX_PENDING_ROWS."""
        self._pending.extend(rows)
        overflow = len(self._pending) - MAX_PENDING_ROWS
        if overflow > 0:
            for _ in range(overflow):
                self._pending.popleft()
            if self.dropped == 0 or self.dropped // 1000 != (self.dropped + overflow) // 1000:
                log.warning("the queue of replies to log is full (is the database away?): %d replies dropped so far",
                            self.dropped + overflow)
            self.dropped += overflow

    def _write_behind(self) -> None:
        """The writer thread: while replies wait, a batch every BATCH_SECONDS, until close()."""
        while True:
            with self._wake:
                while not self._pending and not self._closing:
                    self._wake.wait()
                due = time.monotonic() + BATCH_SECONDS
                while not self._closing and time.monotonic() < due:
                    self._wake.wait(due - time.monotonic())
                if self._closing:
                    return  # close() writes the rest
            try:
                self.flush()
                self._purge_if_due()
            except StoreUnavailable:
                # The rows went back to the queue and the outage was logged once. Wait before the next try, so an
                # unreachable server is not asked twenty times a second.
                with self._wake:
                    self._wake.wait(CONNECT_SECONDS)

    def _write_pending(self, db: _Transaction) -> None:
        """Insert the queued replies in the caller's transaction; if it fails they are queued again (rows are
        keyed by reply id, so a batch that did commit before the connection broke is not written twice)."""
        with self._wake:
            rows = list(self._pending)
            self._pending.clear()
            self._in_flight = tuple(rows)
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
                prepare(db, self.where)
            self._prepared = True
        self._purge_if_due()

    def _purge_if_due(self) -> None:
        if self.retention_days and time.monotonic() - self._last_purge >= PURGE_EVERY_SECONDS:
            self._last_purge = time.monotonic()
            self.purge(self.retention_days)


class _Transaction:
    """One transaction on a pooled connection: committed at the end; any database failure becomes
    StoreUnavailable, with the replies it was writing queued again. `execute` is the connection's."""

    def __init__(self, store: PostgresLog, prepare: bool):
        self.store = store
        self.prepare = prepare
        self.unwritten: list[tuple] = []  # replies inserted in this transaction, not yet committed
        self._context: Any = None  # the pool's connection() context manager, and the connection it lent
        self._connection: Any = None

    def execute(self, query: str, parameters: tuple | list = ()) -> Any:
        return self._connection.execute(query, parameters)

    def __enter__(self) -> _Transaction:
        import psycopg
        from psycopg_pool import PoolTimeout

        store = self.store
        if store._closed:
            raise StoreUnavailable(f"the database {store.where} is closed")
        if self.prepare and not store._prepared:
            store._prepare()
        try:
            self._context = store._pool.connection()
            self._connection = self._context.__enter__()
        except (PoolTimeout, psycopg.OperationalError) as exc:
            reason = store._outage.down(exc)
            raise StoreUnavailable(f"the database {store.where} is unreachable ({reason})") from None
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
            store._outage.up()
        elif isinstance(failure, psycopg.OperationalError):
            reason = store._outage.down(failure)
            raise StoreUnavailable(f"the database {store.where} is unreachable ({reason})") from None
        elif isinstance(failure, psycopg.Error):
            raise StoreUnavailable(f"the database {store.where} failed: {failure}") from failure
