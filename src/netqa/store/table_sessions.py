"""Conversations in the tables of a SQL database, the SQLite file or PostgreSQL (see base.Conversations): what they
do, over the SQL of netqa.store.sql. A backend adds only its connection handling: `_read` and `_write`."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from netqa.records import Turn
from netqa.store import sql
from netqa.store.base import TRANSCRIPT_TURNS, is_session_id, turns_from_json
from netqa.store.sql import Dialect

SWEEP_EVERY_SECONDS = 30.0  # expired rows are deleted this often (they are ignored when read meanwhile)

Result = TypeVar("Result")


class TableSessions:
    """Sessions, their reply ids, page transcripts and rate-limit hits in the tables `sessions`, `session_replies`
    and `rate_hits`. A new session past max_sessions pushes out the least recently used; expired rows are ignored
    when read and deleted every SWEEP_EVERY_SECONDS.

    A database that fails is logged by the backend, and the conversations then behave as if they knew nothing
    (no history, no known reply, requests allowed): a conversation store never stops an answer.
    """

    dialect: Dialect
    remote = False  # whether a call crosses the network (the web layer then makes it off the event loop)

    def __init__(self, where: str, ttl_seconds: float, max_sessions: int, clock: Callable[[], float] = time.time):
        self.check_limits(ttl_seconds, max_sessions)
        self.where = where
        self.ttl_seconds = ttl_seconds
        self.max_sessions = max_sessions
        self._clock = clock

    @staticmethod
    def check_limits(ttl_seconds: float, max_sessions: int) -> None:
        if ttl_seconds <= 0 or max_sessions < 1:
            raise ValueError(f"sessions need a positive idle time and cap, not {ttl_seconds} s and {max_sessions}")

    def history(self, session_id: str) -> tuple[Turn, ...] | None:
        if not is_session_id(session_id):
            return None
        row = self._read(lambda db: db.execute(self.dialect.sql(sql.SESSION_TURNS),
                                               (session_id, self._clock() - self.ttl_seconds)).fetchone(), None)
        return None if row is None else turns_from_json(row[0])

    def remember(self, session_id: str, reply_id: str, turn: Turn | None) -> None:
        def write(db: Any) -> None:
            now = self._clock()
            sql.remember(db, self.dialect, session_id, reply_id, turn, now, self.ttl_seconds, self.max_sessions)
            self._tidy(db, now)

        self._write("remember a turn", write, None)

    def session_of(self, reply_id: str) -> str | None:
        row = self._read(lambda db: db.execute(self.dialect.sql(sql.SESSION_OF_REPLY),
                                               (reply_id, self._clock() - self.ttl_seconds)).fetchone(), None)
        return None if row is None else row[0]

    def transcript(self, session_id: str) -> list[dict]:
        row = self._read(lambda db: db.execute(self.dialect.sql(sql.SESSION_TRANSCRIPT),
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
        self._write("keep a page transcript", lambda db: db.execute(self.dialect.sql(sql.SAVE_TRANSCRIPT),
                                                                    (page, self._clock(), session_id)), None)

    def hit(self, client: str, per_minute: int) -> int:
        if per_minute <= 0:
            return 0
        return self._write("count a request for the rate limit",
                           lambda db: sql.hit(db, self.dialect, client, per_minute, self._clock()), 0)

    def __len__(self) -> int:
        row = self._read(lambda db: db.execute(self.dialect.session_count).fetchone(), None)
        return 0 if row is None else int(row[0])

    # ------------------------------------------------------------ what a backend provides

    def _read(self, action: Callable[[Any], Result], default: Result) -> Result:
        """action(connection) for a read, or `default` when the database fails (the backend logs it)."""
        raise NotImplementedError

    def _write(self, what: str, action: Callable[[Any], Result], default: Result) -> Result:
        """action(connection) in a write transaction, committed; `default` when the database fails (logged,
        saying that it could not `what`)."""
        raise NotImplementedError

    def _tidy(self, db: Any, now: float) -> None:
        """After a turn is remembered, in its transaction: nothing, unless the backend sweeps there."""

    def _sweep(self, db: Any, now: float) -> None:
        sql.sweep(db, self.dialect, now, self.ttl_seconds, self.max_sessions)
