"""Conversations in PostgreSQL, shared by replicas on several machines (see base.Conversations): the SQLite
conversations' tables and sweeps, in the database of the question log (NETQA_SESSIONS=database with a
postgresql:// NETQA_DB).

Times are the replicas' clocks in seconds since the epoch, as in the SQLite file: keep the machines in step (NTP).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from netqa.config import masked_url
from netqa.records import Turn
from netqa.store.base import (
    MAX_TURNS,
    RATE_WINDOW_SECONDS,
    TRANSCRIPT_TURNS,
    StoreUnavailable,
    is_session_id,
    turns_from_json,
    turns_to_json,
)
from netqa.store.outage import Outage
from netqa.store.postgres_db import open_pool, prepare
from netqa.store.sqlite_sessions import SWEEP_EVERY_SECONDS

POOL_SIZE = 8  # connections per server process at most (the answers of many threads read and write turns)
WAIT_SECONDS = 0.5  # a conversation call waits this long for a connection: the answer to a question waits on it

Result = TypeVar("Result")


class PostgresSessions:
    """Sessions, their reply ids, page transcripts and rate-limit hits in tables of the netqa PostgreSQL database.

    A failing database is logged once per outage and the conversations then behave as if they knew nothing; while
    it is away only one call a second tries it. A new session past max_sessions pushes out the least recently
    used. Expired rows are ignored when read and deleted every SWEEP_EVERY_SECONDS (by the next remember).
    """

    def __init__(self, pool: Any, where: str, ttl_seconds: float, max_sessions: int,
                 clock: Callable[[], float] = time.time):
        self.where = where
        self.ttl_seconds = ttl_seconds
        self.max_sessions = max_sessions
        self._pool = pool
        self._clock = clock
        self._prepared = False
        self._lock = threading.Lock()
        self._last_sweep = clock()
        self._outage = Outage(f"the conversation store {where}", "follow-up questions lose their context and the "
                                                                 "rate limit is not applied until it is back")

    @classmethod
    def open(cls, url: str, ttl_seconds: float, max_sessions: int,
             clock: Callable[[], float] = time.time) -> PostgresSessions:
        if ttl_seconds <= 0 or max_sessions < 1:
            raise ValueError(f"sessions need a positive idle time and cap, not {ttl_seconds} s and {max_sessions}")
        sessions = cls(open_pool(url, POOL_SIZE, "netqa-sessions", WAIT_SECONDS), masked_url(url), ttl_seconds,
                       max_sessions, clock)
        import psycopg
        from psycopg_pool import PoolTimeout

        try:
            with sessions._pool.connection() as db:
                sessions._prepare(db)
        except StoreUnavailable:  # not ours, or a newer schema: refused for good
            sessions.close()
            raise
        except (psycopg.Error, PoolTimeout) as exc:  # away: said now, prepared when it is back
            sessions._outage.down(exc)
        return sessions

    def history(self, session_id: str) -> tuple[Turn, ...] | None:
        if not is_session_id(session_id):
            return None
        row = self._run(lambda db: db.execute("SELECT turns FROM sessions WHERE id = %s AND last_used >= %s",
                                              (session_id, self._clock() - self.ttl_seconds)).fetchone(), None)
        return None if row is None else turns_from_json(row[0])

    def remember(self, session_id: str, reply_id: str, turn: Turn | None) -> None:
        def write(db: Any) -> None:
            now = self._clock()
            row = db.execute("SELECT turns FROM sessions WHERE id = %s AND last_used >= %s FOR UPDATE",
                             (session_id, now - self.ttl_seconds)).fetchone()
            if row is None:
                db.execute("INSERT INTO sessions (id, turns, transcript, last_used) VALUES (%s, %s, NULL, %s) "
                           "ON CONFLICT (id) DO UPDATE SET turns = EXCLUDED.turns, transcript = NULL, "
                           "last_used = EXCLUDED.last_used", (session_id, turns_to_json((turn,) if turn else ()), now))
                # Past the cap the least recently used go (an index-only count: about a millisecond at 10,000).
                db.execute("DELETE FROM sessions WHERE id IN (SELECT id FROM sessions ORDER BY last_used "
                           "LIMIT (SELECT GREATEST(COUNT(*) - %s, 0) FROM sessions))", (self.max_sessions,))
            elif turn is not None:
                turns = (turns_from_json(row[0]) + (turn,))[-MAX_TURNS:]
                db.execute("UPDATE sessions SET turns = %s, last_used = %s WHERE id = %s",
                           (turns_to_json(turns), now, session_id))
            else:
                db.execute("UPDATE sessions SET last_used = %s WHERE id = %s", (now, session_id))
            db.execute("INSERT INTO session_replies (reply_id, session_id, given_at) VALUES (%s, %s, %s) "
                       "ON CONFLICT (reply_id) DO NOTHING", (reply_id, session_id, now))
            if now - self._last_sweep >= SWEEP_EVERY_SECONDS:
                self._sweep(db, now)

        self._run(write, None)

    def session_of(self, reply_id: str) -> str | None:
        row = self._run(lambda db: db.execute("SELECT session_id FROM session_replies WHERE reply_id = %s "
                                              "AND given_at >= %s", (reply_id, self._clock() - self.ttl_seconds)
                                              ).fetchone(), None)
        return None if row is None else row[0]

    def transcript(self, session_id: str) -> list[dict]:
        row = self._run(lambda db: db.execute("SELECT transcript FROM sessions WHERE id = %s AND last_used >= %s",
                                              (session_id, self._clock() - self.ttl_seconds)).fetchone(), None)
        if row is None or row[0] is None:
            return []
        try:
            turns = json.loads(row[0])
        except ValueError:
            return []
        return turns if isinstance(turns, list) else []

    def save_transcript(self, session_id: str, turns: list[dict]) -> None:
        page = json.dumps(turns[-TRANSCRIPT_TURNS:], ensure_ascii=False)
        self._run(lambda db: db.execute("UPDATE sessions SET transcript = %s, last_used = %s WHERE id = %s",
                                        (page, self._clock(), session_id)), None)

    def hit(self, client: str, per_minute: int) -> int:
        if per_minute <= 0:
            return 0

        def count(db: Any) -> int:
            now = self._clock()
            # One client's requests are counted one at a time, whichever replica they reach.
            db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (client,))
            db.execute("DELETE FROM rate_hits WHERE client = %s AND at <= %s", (client, now - RATE_WINDOW_SECONDS))
            hits, oldest = db.execute("SELECT COUNT(*), MIN(at) FROM rate_hits WHERE client = %s",
                                      (client,)).fetchone()
            if hits >= per_minute:
                return max(1, int(oldest + RATE_WINDOW_SECONDS - now + 0.999))
            db.execute("INSERT INTO rate_hits (client, at) VALUES (%s, %s)", (client, now))
            return 0

        return self._run(count, 0)

    def close(self) -> None:
        self._pool.close()

    def __len__(self) -> int:
        row = self._run(lambda db: db.execute("SELECT COUNT(*) FROM sessions WHERE last_used >= %s",
                                              (self._clock() - self.ttl_seconds,)).fetchone(), None)
        return 0 if row is None else int(row[0])

    # ------------------------------------------------------------ internals

    def _run(self, action: Callable[[Any], Result], default: Result) -> Result:
        """action(connection) in one transaction, or `default` when the database fails (logged once per outage)
        or is known to be away."""
        import psycopg
        from psycopg_pool import PoolTimeout

        if not self._outage.worth_trying():
            return default
        try:
            with self._pool.connection() as db:  # commits at the end, rolls back on an error
                if not self._prepared:
                    self._prepare(db)
                result = action(db)
        except (psycopg.Error, PoolTimeout, StoreUnavailable) as exc:
            self._outage.down(exc)
            return default
        self._outage.up()
        return result

    def _prepare(self, db: Any) -> None:
        with self._lock:
            if not self._prepared:
                with db.transaction():
                    prepare(db, self.where)
                self._prepared = True

    def _sweep(self, db: Any, now: float) -> None:
        """Delete expired rows (in the caller's transaction)."""
        self._last_sweep = now
        cutoff = now - self.ttl_seconds
        db.execute("DELETE FROM sessions WHERE last_used < %s", (cutoff,))
        db.execute("DELETE FROM session_replies WHERE given_at < %s", (cutoff,))
        db.execute("DELETE FROM session_replies WHERE seq <= (SELECT MAX(seq) FROM session_replies) - %s",
                   (self.max_sessions * MAX_TURNS,))
        db.execute("DELETE FROM rate_hits WHERE at <= %s", (now - RATE_WINDOW_SECONDS,))
