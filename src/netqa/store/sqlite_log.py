"""The question log in the SQLite file: the connection handling of netqa.store.question_log over one local file."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from netqa.store.base import StoreUnavailable, utc_now
from netqa.store.question_log import QueuedLog
from netqa.store.sqlite_file import SQLITE, check_identity, connect, identity, rollback

log = logging.getLogger("netqa.store")


class SQLiteLog(QueuedLog):
    """One connection behind one lock: SQLite serialises writers anyway, and the lock keeps the connection's
    transaction state from being shared by two threads at once. A batch that fails is lost (counted in
    `dropped`): a local file that refuses a write (a full disk, a deleted file) is not waited for.
    """

    dialect = SQLITE

    def __init__(self, connection: sqlite3.Connection, path: Path, retention_days: int,
                 clock: Callable[[], datetime]):
        super().__init__(str(path), retention_days, clock, f"netqa-store-{path.name}")
        self.path = path
        self._connection: sqlite3.Connection | None = connection
        self._lock = threading.Lock()
        self._identity = identity(path)  # the file opened: a write checks the path still names it
        self._broken: StoreUnavailable | None = None  # set once the file is found deleted or replaced
        self._durable = True  # the connection's synchronous setting: FULL (True) or NORMAL
        self._start()

    @classmethod
    def open(cls, path: str | Path, retention_days: int | None = None,
             clock: Callable[[], datetime] = utc_now) -> SQLiteLog:
        """Open or create the store; retention_days None reads NETQA_RETENTION_DAYS (0 keeps everything)."""
        retention_days = cls.retention(retention_days)
        path = Path(path)
        store = cls(connect(path, "FULL"), path, retention_days, clock)
        store._purge_if_due()
        return store

    # ------------------------------------------------------------ the connection

    @contextmanager
    def _transaction(self, write: bool = True, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """BEGIN ... COMMIT under the lock.

        Writers begin IMMEDIATE so they queue for the file's write lock up front (another worker process
        may hold it) instead of failing halfway; readers begin DEFERRED and never block a writer. A write
        first and last checks that the path still names the file opened: after a commit to a deleted file,
        StoreUnavailable, so nothing lost is acknowledged (and every read after it, too).

        A durable commit (feedback) is synced to the disk before it returns (synchronous=FULL). A batch of
        question logs is not (NORMAL): it survives the process being killed, only a power cut may lose it, and
        it does not hold the file's write lock through a sync while other workers wait to write conversations.
        """
        with self._lock:
            db = self._connection
            if db is None:
                raise StoreUnavailable(f"the database {self.path} is closed")
            if write:
                self._check_file()
            elif self._broken is not None:  # known gone: reading the old file would answer from rows now lost
                raise StoreUnavailable(str(self._broken))
            try:
                if write and durable != self._durable:
                    db.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
                    self._durable = durable
                db.execute("BEGIN IMMEDIATE" if write else "BEGIN DEFERRED")
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"the database {self.path} cannot be written: {exc}") from exc
            try:
                yield db
                db.execute("COMMIT")
            except sqlite3.Error as exc:
                rollback(db)
                raise StoreUnavailable(f"the database {self.path} failed: {exc}") from exc
            except BaseException:
                rollback(db)
                raise
            if write:
                self._check_file()  # committed, but to a file no longer there: StoreUnavailable

    def _unwritten(self, rows: tuple[tuple, ...]) -> None:
        with self._wake:
            self.dropped += len(rows)

    def _after_failed_batch(self, exc: StoreUnavailable) -> None:
        if self._broken is not None:
            # The file is gone: what is queued can never be written. Counted, and not said again every batch (the
            # log said once that the file was deleted or replaced).
            with self._wake:
                self.dropped += len(self._pending)
                self._pending.clear()
            return
        super()._after_failed_batch(exc)

    def _missing_reply(self, error: BaseException | None) -> bool:
        return isinstance(error, sqlite3.IntegrityError)

    def _disconnect(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _check_file(self) -> None:
        if self._broken is None:
            try:
                check_identity(self.path, self._identity)
            except StoreUnavailable as exc:
                self._broken = exc
                log.error("%s", exc)
        if self._broken is not None:
            raise StoreUnavailable(str(self._broken))
