"""Conversations in the SQLite file, shared by the server's workers on one machine: the connection handling of
netqa.store.table_sessions over one local file."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from netqa.store.sqlite_file import SQLITE, connect, rollback
from netqa.store.table_sessions import SWEEP_EVERY_SECONDS, Result, TableSessions

# A conversation write waits at most this long for another worker's commit (they take microseconds), and is
# dropped past it: the event loop must not stall on a busy file; the conversation then loses a turn.
BUSY_TIMEOUT_SECONDS = 1.0
# ... asking again this often: SQLite's own busy handler sleeps a millisecond or more at a time, in the event loop.
BUSY_POLL_SECONDS = 0.0002

log = logging.getLogger("netqa.store")


class SQLiteSessions(TableSessions):
    """One connection behind one lock, synchronous=NORMAL: a commit is seen at once by the other workers, and only
    a power cut may lose the last ones (conversations are not records). The session count is kept by triggers, so
    the cap costs no table scan. A maintenance thread deletes expired rows every SWEEP_EVERY_SECONDS.
    """

    dialect = SQLITE

    def __init__(self, connection: sqlite3.Connection, path: Path, ttl_seconds: float, max_sessions: int,
                 clock: Callable[[], float] = time.time):
        super().__init__(str(path), ttl_seconds, max_sessions, clock)
        self._connection: sqlite3.Connection | None = connection
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._maintainer = threading.Thread(target=self._maintain, args=(path,), daemon=True,
                                            name=f"netqa-sessions-{path.name}")
        self._maintainer.start()

    @classmethod
    def open(cls, path: str | Path, ttl_seconds: float, max_sessions: int,
             clock: Callable[[], float] = time.time) -> SQLiteSessions:
        cls.check_limits(ttl_seconds, max_sessions)  # before the file is made
        path = Path(path)
        connection = connect(path, "NORMAL")
        connection.execute("PRAGMA busy_timeout = 0")  # _begin() waits for the write lock itself, in finer steps
        # Checkpoints (which sync the file) and sweeps are the maintenance thread's: here, in the event loop
        # that answers, they would hold up every request meanwhile.
        connection.execute("PRAGMA wal_autocheckpoint = 0")
        return cls(connection, path, ttl_seconds, max_sessions, clock)

    def close(self) -> None:
        self._closing.set()
        self._maintainer.join()
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    # ------------------------------------------------------------ the connection

    def _read(self, action: Callable[[Any], Result], default: Result) -> Result:
        with self._lock:
            if self._connection is None:
                return default
            try:
                return action(self._connection)
            except sqlite3.Error as exc:
                log.error("conversations: could not read %s: %s", self.where, exc)
                return default

    def _write(self, what: str, action: Callable[[Any], Result], default: Result) -> Result:
        with self._lock:
            db = self._connection
            if db is None:
                return default
            try:
                _begin(db)
                try:
                    result = action(db)
                    db.execute("COMMIT")
                except BaseException:
                    rollback(db)
                    raise
            except sqlite3.Error as exc:
                log.error("conversations: could not %s in %s: %s", what, self.where, exc)
                return default
            return result

    def _maintain(self, path: Path) -> None:
        """The maintenance thread, on a connection of its own: every SWEEP_EVERY_SECONDS, delete expired rows and
        copy the write-ahead log back into the file (so it does not grow without end)."""
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            while not self._closing.wait(SWEEP_EVERY_SECONDS):
                try:
                    _begin(connection)
                    try:
                        self._sweep(connection, self._clock())
                        connection.execute("COMMIT")
                    except BaseException:
                        rollback(connection)
                        raise
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error as exc:
                    log.warning("conversations: could not tidy %s: %s", self.where, exc)
        finally:
            connection.close()


def _begin(db: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, waiting up to BUSY_TIMEOUT_SECONDS while another worker holds the write lock."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            db.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(BUSY_POLL_SECONDS)
