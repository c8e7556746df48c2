"""The question log and feedback in a SQL database, the SQLite file or PostgreSQL (see base.QuestionLog): replies
logged write-behind in batches, feedback committed before it is acknowledged, over the SQL of netqa.store.sql. A
backend adds only its connection handling: `_transaction` and what becomes of a batch that failed."""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

from netqa.config import Settings
from netqa.store import sql
from netqa.store.base import LOW_CONFIDENCE, StoreUnavailable
from netqa.store.sql import Dialect

PURGE_EVERY_SECONDS = 3600.0  # a long-running server applies the retention setting hourly, not only at start
BATCH_SECONDS = 0.05  # a logged reply reaches the database within about this long: one commit per batch
MAX_PENDING_ROWS = 10_000  # replies waiting at most (a few seconds of full load); past it the oldest are dropped
# Feedback on a reply this service gave (its conversation store knows the id) but another worker has not logged
# yet waits up to this long for that worker's batch (normally there within BATCH_SECONDS). A made-up id is not
# waited for: it costs one read, so a flood of them cannot hold up real feedback.
LATE_REPLY_SECONDS = 1.0
LATE_REPLY_POLL_SECONDS = 0.01

log = logging.getLogger("netqa.store")


class QueuedLog:
    """Replies are logged write-behind: record_reply only queues the row, and a writer thread commits the replies
    of each BATCH_SECONDS in one transaction, so answering never waits for the database. Feedback is committed at
    once (and durably), after the queued reply it rates is written. close() writes what is still queued.
    Thread-safe.
    """

    dialect: Dialect

    def __init__(self, where: str, retention_days: int, clock: Callable[[], datetime], thread_name: str):
        self.where = where
        self.retention_days = retention_days
        self.dropped = 0  # queued replies lost: queue full (see MAX_PENDING_ROWS), or a batch that failed for good
        self._clock = clock
        self._last_purge = float("-inf")
        self._pending: deque[tuple] = deque()
        self._in_flight: tuple[tuple, ...] = ()  # the batch being written (under _wake)
        self._flush_lock = threading.Lock()  # one batch at a time: a flush that follows one waits for its commit
        self._wake = threading.Condition(threading.Lock())  # guards _pending, _closing and dropped; wakes the writer
        self._closing = False
        self._closed = False
        self._writer = threading.Thread(target=self._write_behind, name=thread_name, daemon=True)

    @staticmethod
    def retention(days: int | None) -> int:
        """The retention to open with: `days`, or NETQA_RETENTION_DAYS when None (0 keeps everything)."""
        if days is None:
            days = Settings.from_env().retention_days
        if days < 0:
            raise ValueError(f"retention must be 0 (keep forever) or a number of days, not {days}")
        return days

    def _start(self) -> None:
        """Start the writer (once the backend is set up)."""
        self._writer.start()
        atexit.register(self.close)  # a program that never closes the store still writes its queue on exit

    # ------------------------------------------------------------ writing

    def record_reply(self, reply: Mapping) -> None:
        """Queue a reply (its id, question, answer, kind and confidence) for the log and return at once; the writer
        commits it within BATCH_SECONDS.

        When MAX_PENDING_ROWS are already waiting (the database has stalled or is away) the oldest queued reply is
        dropped and counted in `dropped`: waiting here instead would stall every answer of the server on it.
        """
        row = (reply["id"], reply["question"], reply["answer"], reply["kind"], float(reply["confidence"]),
               self._clock())
        with self._wake:
            if self._closing:
                raise StoreUnavailable(f"the database {self.where} is closed")
            self._pending.append(row)
            self._trim()
            if len(self._pending) == 1:
                self._wake.notify()  # the writer sleeps while nothing waits; it then writes within BATCH_SECONDS

    def flush(self) -> None:
        """Commit every reply queued so far, now (after any batch already under way: its rows are then written)."""
        with self._flush_lock:
            if not self._pending:  # read without the lock: at worst a row left to the next batch
                return
            rows: tuple[tuple, ...] = ()
            try:
                with self._transaction(durable=False) as db:
                    # Taken once the transaction has begun: a database that cannot even begin one keeps them queued.
                    with self._wake:
                        rows = self._in_flight = tuple(self._pending)
                        self._pending.clear()
                    sql.insert_replies(db, self.dialect, rows)
            except StoreUnavailable:
                if rows:
                    self._unwritten(rows)
                raise
            finally:
                with self._wake:
                    self._in_flight = ()

    def add_feedback(self, reply_id: str, helpful: bool, comment: str | None = None, wait: float = 0.0) -> int:
        """Store feedback on a logged reply and return its id once it is committed.

        KeyError if no reply has that id, after looking for `wait` seconds (see LATE_REPLY_SECONDS).
        """
        storable = self.dialect.storable
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
                return sql.insert_feedback(db, self.dialect, reply_id, helpful, comment, self._clock())
        except StoreUnavailable as exc:
            if self._missing_reply(exc.__cause__):
                raise KeyError(reply_id) from None  # purged by retention in the meantime
            raise

    def purge(self, older_than_days: int) -> int:
        """Delete replies and feedback recorded more than this many days ago; return how many rows went."""
        if older_than_days < 0:
            raise ValueError(f"older_than_days must not be negative, not {older_than_days}")
        with self._transaction() as db:
            return sql.purge(db, self.dialect, self._clock() - timedelta(days=older_than_days))

    # ------------------------------------------------------------ reading

    def feedback(self) -> list[dict]:
        """Every feedback with the question, answer and kind it was about, oldest first."""
        self.flush()
        with self._transaction(write=False) as db:
            return sql.all_feedback(db, self.dialect)

    def unanswered(self) -> list[dict]:
        """Questions that got no_answer, the same question counted once however written, most asked first."""
        return [{"question": row["question"], "count": row["count"], "last_asked": row["last_asked"]}
                for row in self._grouped(sql.UNANSWERED, ())]

    def low_confidence(self, below: float = LOW_CONFIDENCE) -> list[dict]:
        """Answered questions whose confidence was under `below`, grouped like unanswered(), most asked first;
        each group shows the latest answer given and its confidence."""
        return self._grouped(sql.LOW_CONFIDENCE_BELOW, (float(below),))

    def close(self) -> None:
        """Write the queued replies, then close; a second call does nothing."""
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
        self._disconnect()

    def __enter__(self) -> QueuedLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ what a backend provides

    def _transaction(self, write: bool = True, durable: bool = True) -> AbstractContextManager[Any]:
        """A transaction on a connection (what it yields has `execute`), committed at the end: durably (synced
        before it returns) unless `durable` is False. Any database failure raises StoreUnavailable, with the
        database's own exception as its __cause__."""
        raise NotImplementedError

    def _unwritten(self, rows: tuple[tuple, ...]) -> None:
        """What becomes of a batch whose transaction failed: queued again, or counted as dropped."""
        raise NotImplementedError

    def _missing_reply(self, error: BaseException | None) -> bool:
        """Whether a failed feedback insert was refused for the reply it rates not being there (a foreign key)."""
        raise NotImplementedError

    def _after_failed_batch(self, exc: StoreUnavailable) -> None:
        """The writer's next step after a batch failed (say so; or wait before trying again)."""
        log.error("could not log replies: %s (%d dropped so far)", exc, self.dropped)

    def _disconnect(self) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------ internals

    def _trim(self) -> None:
        """Drop the oldest queued replies past MAX_PENDING_ROWS (under self._wake), saying so now and then."""
        overflow = len(self._pending) - MAX_PENDING_ROWS
        if overflow <= 0:
            return
        for _ in range(overflow):
            self._pending.popleft()
        if self.dropped == 0 or self.dropped // 1000 != (self.dropped + overflow) // 1000:
            # the first, then every thousandth: a stalled database must not flood the log
            log.warning("the queue of replies to log is full (is the database stalled or away?): "
                        "%d replies dropped so far", self.dropped + overflow)
        self.dropped += overflow

    def _queued(self, reply_id: str) -> bool:
        """Whether the reply waits in this process's queue, or in a batch being written."""
        storable = self.dialect.storable
        with self._wake:
            # reply_id is storable already
            return any(storable(row[0]) == reply_id for rows in (self._pending, self._in_flight) for row in rows)

    def _logged(self, reply_id: str) -> bool:
        """Whether the reply is in the database: a read, which takes no lock another worker waits for."""
        with self._transaction(write=False) as db:
            return sql.reply_logged(db, self.dialect, reply_id)

    def _grouped(self, where: str, parameters: tuple) -> list[dict]:
        self.flush()
        with self._transaction(write=False) as db:
            return sql.grouped(db, self.dialect, where, parameters)

    def _write_behind(self) -> None:
        """The writer thread: while replies wait, a batch every BATCH_SECONDS, until close()."""
        while True:
            with self._wake:
                while not self._pending and not self._closing:
                    self._wake.wait()  # record_reply wakes it when the first reply is queued
                # The replies of the next BATCH_SECONDS join this batch: one commit for all of them.
                due = time.monotonic() + BATCH_SECONDS
                while not self._closing and time.monotonic() < due:
                    self._wake.wait(due - time.monotonic())
                if self._closing:
                    return  # close() writes the rest
            try:
                self.flush()
                self._purge_if_due()
            except StoreUnavailable as exc:
                self._after_failed_batch(exc)

    def _purge_if_due(self) -> None:
        if self.retention_days and time.monotonic() - self._last_purge >= PURGE_EVERY_SECONDS:
            self._last_purge = time.monotonic()
            self.purge(self.retention_days)
