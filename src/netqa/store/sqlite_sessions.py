"""Conversations in the SQLite file, shared by the server's workers on one machine (see base.Conversations)."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from netqa.records import Turn
from netqa.store.base import (
    MAX_TURNS,
    RATE_WINDOW_SECONDS,
    TRANSCRIPT_TURNS,
    is_session_id,
    turns_from_json,
    turns_to_json,
)
from netqa.store.sqlite_file import connect, rollback

SWEEP_EVERY_SECONDS = 30.0  # expired rows are deleted this often (they are ignored when read meanwhile)
# A conversation write waits at most this long for another worker's commit (they take microseconds), and is
# dropped past it: the event loop must not stall on a busy file; the conversation then loses a turn.
BUSY_TIMEOUT_SECONDS = 1.0
# ... asking again this often: SQLite's own busy handler sleeps a millisecond or more at a time, in the event loop.
BUSY_POLL_SECONDS = 0.0002

log = logging.getLogger("netqa.store")


class SQLiteSessions:
    """Sessions, their reply ids, page transcripts and rate-limit hits in tables of the netqa file.

    One connection behind one lock, synchronous=NORMAL: a commit is seen at once by the other workers, and only
    a power cut may lose the last ones (conversations are not records). A new session past max_sessions pushes
    out the least recently used (the count is kept by triggers, so this costs no table scan). Expired rows are
    ignored when read and deleted every SWEEP_EVERY_SECONDS by a maintenance thread.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path, ttl_seconds: float, max_sessions: int,
                 clock: Callable[[], float] = time.time):
        self.where = str(path)
        self.ttl_seconds = ttl_seconds
        self.max_sessions = max_sessions
        self._connection: sqlite3.Connection | None = connection
        self._lock = threading.Lock()
        self._clock = clock
        self._closing = threading.Event()
        self._maintainer = threading.Thread(target=self._maintain, args=(path,), daemon=True,
                                            name=f"netqa-sessions-{path.name}")
        self._maintainer.start()

    @classmethod
    def open(cls, path: str | Path, ttl_seconds: float, max_sessions: int,
             clock: Callable[[], float] = time.time) -> SQLiteSessions:
        if ttl_seconds <= 0 or max_sessions < 1:
            raise ValueError(f"sessions need a positive idle time and cap, not {ttl_seconds} s and {max_sessions}")
        path = Path(path)
        connection = connect(path, "NORMAL")
        connection.execute("PRAGMA busy_timeout = 0")  # _begin() waits for the write lock itself, in finer steps
        # Checkpoints (which sync the file) and sweeps are the maintenance thread's: here, in the event loop
        # that answers, they would hold up every request meanwhile.
        connection.execute("PRAGMA wal_autocheckpoint = 0")
        return cls(connection, path, ttl_seconds, max_sessions, clock)

    def history(self, session_id: str) -> tuple[Turn, ...] | None:
        if not is_session_id(session_id):
            return None
        row = self._read("SELECT turns FROM sessions WHERE id = ? AND last_used >= ?",
                         (session_id, self._clock() - self.ttl_seconds))
        return None if row is None else turns_from_json(row[0])

    def remember(self, session_id: str, reply_id: str, turn: Turn | None) -> None:
        now = self._clock()
        with self._writing("remember a turn") as db:
            if db is None:
                return
            row = db.execute("SELECT turns FROM sessions WHERE id = ? AND last_used >= ?",
                             (session_id, now - self.ttl_seconds)).fetchone()
            if row is None:
                turns: tuple[Turn, ...] = (turn,) if turn else ()
                db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))  # an expired one of the same id
                db.execute("INSERT INTO sessions (id, turns, transcript, last_used) VALUES (?, ?, NULL, ?)",
                           (session_id, turns_to_json(turns), now))
                (count,) = db.execute("SELECT n FROM session_count").fetchone()
                if count > self.max_sessions:
                    db.execute("DELETE FROM sessions WHERE id IN (SELECT id FROM sessions ORDER BY last_used "
                               "LIMIT ?)", (count - self.max_sessions,))
            elif turn is not None:
                turns = (turns_from_json(row[0]) + (turn,))[-MAX_TURNS:]
                db.execute("UPDATE sessions SET turns = ?, last_used = ? WHERE id = ?",
                           (turns_to_json(turns), now, session_id))
            else:
                db.execute("UPDATE sessions SET last_used = ? WHERE id = ?", (now, session_id))
            db.execute("INSERT OR IGNORE INTO session_replies (reply_id, session_id, given_at) VALUES (?, ?, ?)",
                       (reply_id, session_id, now))

    def session_of(self, reply_id: str) -> str | None:
        row = self._read("SELECT session_id FROM session_replies WHERE reply_id = ? AND given_at >= ?",
                         (reply_id, self._clock() - self.ttl_seconds))
        return None if row is None else row[0]

    def transcript(self, session_id: str) -> list[dict]:
        row = self._read("SELECT transcript FROM sessions WHERE id = ? AND last_used >= ?",
                         (session_id, self._clock() - self.ttl_seconds))
        if row is None or row[0] is None:
            return []
        try:
            turns = json.loads(row[0])
        except ValueError:
            return []
        return turns if isinstance(turns, list) else []

    def save_transcript(self, session_id: str, turns: list[dict]) -> None:
        with self._writing("keep a page transcript") as db:
            if db is not None:
                db.execute("UPDATE sessions SET transcript = ?, last_used = ? WHERE id = ?",
                           (json.dumps(turns[-TRANSCRIPT_TURNS:], ensure_ascii=False), self._clock(), session_id))

    def hit(self, client: str, per_minute: int) -> int:
        if per_minute <= 0:
            return 0
        now = self._clock()
        with self._writing("count a request for the rate limit") as db:
            if db is None:
                return 0
            db.execute("DELETE FROM rate_hits WHERE client = ? AND at <= ?", (client, now - RATE_WINDOW_SECONDS))
            count, oldest = db.execute("SELECT COUNT(*), MIN(at) FROM rate_hits WHERE client = ?",
                                       (client,)).fetchone()
            if count >= per_minute:
                return max(1, int(oldest + RATE_WINDOW_SECONDS - now + 0.999))
            db.execute("INSERT INTO rate_hits (client, at) VALUES (?, ?)", (client, now))
        return 0

    def close(self) -> None:
        self._closing.set()
        self._maintainer.join()
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __len__(self) -> int:
        row = self._read("SELECT n FROM session_count", ())
        return 0 if row is None else row[0]

    # ------------------------------------------------------------ internals

    def _read(self, sql: str, parameters: tuple) -> tuple | None:
        with self._lock:
            if self._connection is None:
                return None
            try:
                return self._connection.execute(sql, parameters).fetchone()
            except sqlite3.Error as exc:
                log.error("conversations: could not read %s: %s", self.where, exc)
                return None

    @contextmanager
    def _writing(self, what: str):
        """A write transaction, or None (logged) when the file cannot be written: never an exception."""
        with self._lock:
            db = self._connection
            if db is None:
                yield None
                return
            try:
                _begin(db)
            except sqlite3.Error as exc:
                log.error("conversations: could not %s in %s: %s", what, self.where, exc)
                yield None
                return
            try:
                yield db
                db.execute("COMMIT")
            except sqlite3.Error as exc:
                rollback(db)
                log.error("conversations: could not %s in %s: %s", what, self.where, exc)
            except BaseException:
                rollback(db)
                raise

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

    def _sweep(self, db: sqlite3.Connection, now: float) -> None:
        """Delete expired rows (in the caller's transaction)."""
        cutoff = now - self.ttl_seconds
        db.execute("DELETE FROM sessions WHERE last_used < ?", (cutoff,))
        db.execute("DELETE FROM session_replies WHERE given_at < ?", (cutoff,))
        # Reply ids are kept in the order given; past max_sessions * MAX_TURNS the oldest go (a session that
        # started afresh for every question, as under a load test, would otherwise keep one per reply).
        db.execute("DELETE FROM session_replies WHERE seq <= (SELECT MAX(seq) FROM session_replies) - ?",
                   (self.max_sessions * MAX_TURNS,))
        db.execute("DELETE FROM rate_hits WHERE at <= ?", (now - RATE_WINDOW_SECONDS,))

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
