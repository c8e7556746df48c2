"""The SQLite question log: replies logged write-behind in batches, feedback committed durably, thread-safe."""

from __future__ import annotations

import atexit
import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from netqa.config import Settings
from netqa.store.base import LOW_CONFIDENCE, StoreUnavailable, question_key, storable, timestamp, utc_now
from netqa.store.sqlite_file import check_identity, connect, identity, rollback

PURGE_EVERY_SECONDS = 3600.0  # a long-running server applies the retention setting hourly, not only at start
BATCH_SECONDS = 0.05  # a logged reply reaches the file within about this long: one commit (one fsync) per batch
BATCH_ROWS = 500  # replies written by one INSERT statement at most
MAX_PENDING_ROWS = 10_000  # replies waiting at most (a few seconds of full load); past it the oldest are dropped
# Feedback on a reply this service gave (its conversation store knows the id) but another worker has not logged
# yet waits up to this long for that worker's batch (normally there within BATCH_SECONDS). A made-up id is not
# waited for: it costs one read, so a flood of them cannot hold up real feedback.
LATE_REPLY_SECONDS = 1.0
LATE_REPLY_POLL_SECONDS = 0.01

log = logging.getLogger("netqa.store")


class SQLiteLog:
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
        self.where = str(path)
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
        self._identity = identity(path)  # the file opened: a write checks the path still names it
        self._broken: StoreUnavailable | None = None  # set once the file is found deleted or replaced
        self._durable = True  # the connection's synchronous setting: FULL (True) or NORMAL
        self._writer = threading.Thread(target=self._write_behind, name=f"netqa-store-{path.name}", daemon=True)
        self._writer.start()
        atexit.register(self.close)  # a program that never closes the store still writes its queue on exit

    @classmethod
    def open(cls, path: str | Path, retention_days: int | None = None,
             clock: Callable[[], datetime] = utc_now) -> SQLiteLog:
        """Open or create the store; retention_days None reads NETQA_RETENTION_DAYS (0 keeps everything)."""
        if retention_days is None:
            retention_days = Settings.from_env().retention_days
        if retention_days < 0:
            raise ValueError(f"retention must be 0 (keep forever) or a number of days, not {retention_days}")
        path = Path(path)
        connection = connect(path, "FULL")
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
                raise StoreUnavailable(f"the database {self.path} is closed")
            if len(self._pending) >= MAX_PENDING_ROWS:
                self._pending.popleft()
                self.dropped += 1
                if self.dropped % 1000 == 1:  # the first, then every thousandth: a stalled disk must not flood the log
                    log.warning("the queue of replies to log is full (is the disk stalled?): "
                                "%d replies dropped so far", self.dropped)
            self._pending.append(row)
            if len(self._pending) == 1:
                self._wake.notify()  # the writer sleeps while nothing waits; it then writes within BATCH_SECONDS

    def flush(self) -> None:
        """Commit every reply queued so far, now."""
        if self._pending:  # read without the lock: at worst one empty transaction, or a row left to the writer
            with self._transaction(durable=False) as db:
                self._write_pending(db)

    def add_feedback(self, reply_id: str, helpful: bool, comment: str | None = None, wait: float = 0.0) -> int:
        """Store feedback on a logged reply and return its id once it is committed to disk.

        KeyError if no reply has that id, after looking for `wait` seconds (see LATE_REPLY_SECONDS).
        """
        reply_id, comment = storable(reply_id), None if comment is None else storable(comment)
        if self._queued(reply_id):
            self.flush()  # a reply this process just gave: written now rather than by the next batch
        deadline = time.monotonic() + wait
        while not self._logged(reply_id):
            if time.monotonic() >= deadline:
                raise KeyError(reply_id)
            time.sleep(LATE_REPLY_POLL_SECONDS)
        with self._transaction() as db:
            try:
                cursor = db.execute("INSERT INTO feedback (reply_id, helpful, comment, created_at) VALUES (?, ?, ?, ?)",
                                    (reply_id, int(bool(helpful)), comment, timestamp(self._clock())))
            except sqlite3.IntegrityError:  # purged by retention in the meantime
                raise KeyError(reply_id) from None
            return int(cursor.lastrowid)

    def purge(self, older_than_days: int) -> int:
        """Delete replies and feedback recorded more than this many days ago; return how many rows went."""
        if older_than_days < 0:
            raise ValueError(f"older_than_days must not be negative, not {older_than_days}")
        cutoff = timestamp(self._clock() - timedelta(days=older_than_days))
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
        return [dict(zip(names, row, strict=True)) | {"helpful": bool(row[2])} for row in rows]

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

    def __enter__(self) -> SQLiteLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ internals

    def _queued(self, reply_id: str) -> bool:
        with self._wake:
            return any(storable(row[0]) == reply_id for row in self._pending)  # reply_id is storable already

    def _logged(self, reply_id: str) -> bool:
        """Whether the reply is in the file: a read, which takes no lock another worker waits for."""
        with self._transaction("DEFERRED") as db:
            return db.execute("SELECT 1 FROM replies WHERE id = ?", (reply_id,)).fetchone() is not None

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
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _write_behind(self) -> None:
        """The writer thread: while replies wait, a batch every BATCH_SECONDS, until close()."""
        while True:
            with self._wake:
                while not self._pending and not self._closing:
                    self._wake.wait()  # record_reply wakes it when the first reply is queued
                # The replies of the next BATCH_SECONDS join this batch: one commit (one fsync) for all of them.
                due = time.monotonic() + BATCH_SECONDS
                while not self._closing and time.monotonic() < due:
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
        rollback(db)
        self._lost()

    def _lost(self) -> None:
        with self._wake:
            self.dropped += self._uncommitted

    @contextmanager
    def _transaction(self, mode: str = "IMMEDIATE", durable: bool = True):
        """BEGIN ... COMMIT under the lock; any database failure becomes StoreUnavailable.

        Writers begin IMMEDIATE so they queue for the file's write lock up front (another worker process
        may hold it) instead of failing halfway; readers begin DEFERRED and never block a writer. A write
        first and last checks that the path still names the file opened: after a commit to a deleted file,
        StoreUnavailable, so nothing lost is acknowledged.

        A durable commit (feedback) is synced to the disk before it returns (synchronous=FULL). A batch of
        question logs is not (NORMAL): it survives the process being killed, only a power cut may lose it, and
        it does not hold the file's write lock through a sync while other workers wait to write conversations.
        """
        writing = mode != "DEFERRED"
        with self._lock:
            db = self._connection
            if db is None:
                raise StoreUnavailable(f"the database {self.path} is closed")
            if writing:
                self._check_file()
            try:
                if writing and durable != self._durable:
                    db.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
                    self._durable = durable
                db.execute(f"BEGIN {mode}")
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"the database {self.path} cannot be written: {exc}") from exc
            try:
                yield db
                db.execute("COMMIT")
                if writing:
                    self._check_file()
            except sqlite3.Error as exc:
                self._rolled_back(db)
                raise StoreUnavailable(f"the database {self.path} failed: {exc}") from exc
            except StoreUnavailable:
                self._lost()  # committed, but to a file no longer there
                raise
            except BaseException:
                self._rolled_back(db)
                raise
            finally:
                self._uncommitted = 0

    def _check_file(self) -> None:
        if self._broken is None:
            try:
                check_identity(self.path, self._identity)
            except StoreUnavailable as exc:
                self._broken = exc
                log.error("%s", exc)
        if self._broken is not None:
            raise StoreUnavailable(str(self._broken))

    def _purge_if_due(self) -> None:
        if self.retention_days and time.monotonic() - self._last_purge >= PURGE_EVERY_SECONDS:
            self._last_purge = time.monotonic()
            self.purge(self.retention_days)


def _reply_values(rows: list[tuple]) -> list:
    """The queued rows as the flat list of values a multi-row INSERT into replies binds."""
    return [value for reply_id, question, answer, kind, confidence, moment in rows
            for value in (reply_id, question, question_key(question), answer, kind, confidence, timestamp(moment))]
