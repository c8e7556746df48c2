"""The question log and feedback in PostgreSQL, shared by replicas on several machines: the connection handling of
netqa.store.question_log over a psycopg connection pool (the SQLite file's schema, upgrades and guarantees)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from netqa.config import Settings, masked_url
from netqa.store.base import StoreUnavailable, utc_now
from netqa.store.outage import Outage
from netqa.store.postgres_db import CONNECT_SECONDS, POSTGRES, open_pool, prepare, storable
from netqa.store.question_log import QueuedLog

__all__ = ["PostgresLog", "storable"]

log = logging.getLogger("netqa.store")



class PostgresLog(QueuedLog):
    """Feedback is committed (synchronous_commit, the server's default) before add_feedback returns. Unlike a local
    file the server can go away: the queued replies then wait for it (up to MAX_PENDING_ROWS; a failed batch is
    queued again), feedback raises StoreUnavailable, the pool reconnects by itself, and the log says once that the
    database went and once that it came back.
    """

    dialect = POSTGRES

    def __init__(self, pool: Any, where: str, retention_days: int, clock: Callable[[], datetime]):
        super().__init__(where, retention_days, clock, "netqa-log-postgresql")
        self._pool = pool
        self._prepared = False
        self._prepare_lock = threading.Lock()
        self._outage = Outage(f"the database {where}", "feedback is refused and question logs wait until it is "
                                                      "back; the chat still answers")
        self._start()

    @classmethod
    def open(cls, url: str, retention_days: int | None = None, clock: Callable[[], datetime] = utc_now,
             pool_size: int = Settings.pool_size) -> PostgresLog:
        """Open the log at a postgresql:// URL, creating or upgrading its tables.

        A database that is not ours, or of a newer schema, is refused (StoreUnavailable); an unreachable server
        is not: the log opens, says so once, and prepares the database when it answers.
        """
        retention_days = cls.retention(retention_days)
        store = cls(open_pool(url, pool_size, "netqa-log"), masked_url(url), retention_days, clock)
        try:
            store._prepare()
        except StoreUnavailable:
            if store._outage.reason is None:  # not ours, or a newer schema: refused for good
                store.close()
                raise
        return store

    # ------------------------------------------------------------ the connection

    def _transaction(self, write: bool = True, durable: bool = True, prepare: bool = True) -> _Transaction:
        return _Transaction(self, prepare)

    def _unwritten(self, rows: tuple[tuple, ...]) -> None:
        """Queued again, first in line in the order asked (rows are keyed by reply id, so a batch that did commit
        before the connection broke is not written twice)."""
        with self._wake:
            self._pending.extendleft(reversed(rows))
            self._trim()

    def _missing_reply(self, error: BaseException | None) -> bool:
        import psycopg

        return isinstance(error, psycopg.errors.ForeignKeyViolation)

    def _after_failed_batch(self, exc: StoreUnavailable) -> None:
        # The rows went back to the queue and the outage was logged once. Wait before the next try, so an
        # unreachable server is not asked twenty times a second.
        with self._wake:
            self._wake.wait(CONNECT_SECONDS)

    def _disconnect(self) -> None:
        self._pool.close()

    def _prepare(self) -> None:
        """Create the tables in an empty database, upgrade an older one, refuse one that is not ours (once)."""
        with self._prepare_lock:
            if self._prepared:
                return
            with self._transaction(prepare=False) as db:
                prepare(db, self.where)
            self._prepared = True
        self._purge_if_due()


class _Transaction:
    """One transaction on a pooled connection: committed at the end; any database failure becomes
    StoreUnavailable. `execute` is the connection's."""

    def __init__(self, store: PostgresLog, prepare: bool):
        self.store = store
        self.prepare = prepare
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
