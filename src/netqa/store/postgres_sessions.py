"""Conversations in PostgreSQL, shared by replicas on several machines: the connection handling of
netqa.store.table_sessions over a pool, in the database of the question log (NETQA_SESSIONS=database with a
postgresql:// NETQA_DB).

Times are the replicas' clocks in seconds since the epoch, as in the SQLite file: keep the machines in step (NTP).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from netqa.config import Settings, masked_url
from netqa.store.base import StoreUnavailable
from netqa.store.outage import Outage
from netqa.store.postgres_db import POSTGRES, open_pool, prepare
from netqa.store.table_sessions import SWEEP_EVERY_SECONDS, Result, TableSessions

WAIT_SECONDS = 0.5  # a conversation call waits this long for a connection: the answer to a question waits on it


class PostgresSessions(TableSessions):
    """A failing database is logged once per outage; while it is away only one call a second tries it. Expired
    rows are deleted by the first remember() after every SWEEP_EVERY_SECONDS."""

    dialect = POSTGRES
    remote = True

    def __init__(self, pool: Any, where: str, ttl_seconds: float, max_sessions: int,
                 clock: Callable[[], float] = time.time):
        super().__init__(where, ttl_seconds, max_sessions, clock)
        self._pool = pool
        self._prepared = False
        self._lock = threading.Lock()
        self._last_sweep = clock()
        self._outage = Outage(f"the conversation store {where}", "follow-up questions lose their context and the "
                                                                 "rate limit is not applied until it is back")

    @classmethod
    def open(cls, url: str, ttl_seconds: float, max_sessions: int, clock: Callable[[], float] = time.time,
             pool_size: int = Settings.pool_size) -> PostgresSessions:
        cls.check_limits(ttl_seconds, max_sessions)
        sessions = cls(open_pool(url, pool_size, "netqa-sessions", WAIT_SECONDS), masked_url(url), ttl_seconds,
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

    def close(self) -> None:
        self._pool.close()

    # ------------------------------------------------------------ the connection

    def _read(self, action: Callable[[Any], Result], default: Result) -> Result:
        return self._run(action, default)

    def _write(self, what: str, action: Callable[[Any], Result], default: Result) -> Result:
        return self._run(action, default)  # the outage says what stopped working, once

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

    def _tidy(self, db: Any, now: float) -> None:
        if now - self._last_sweep >= SWEEP_EVERY_SECONDS:
            self._last_sweep = now
            self._sweep(db, now)
