"""Where netqa keeps what outlives a reply: the question log and feedback, and the conversations.

`open_log(location)` and `open_sessions(location, ...)` choose the backend from the location; each returns an object
of the protocols in `netqa.store.base` (QuestionLog, Conversations), so the web layer never names a backend.
"""

from __future__ import annotations

import re
from pathlib import Path

from netqa.config import Settings
from netqa.store.base import (
    LOW_CONFIDENCE,
    Conversations,
    QuestionLog,
    StoreUnavailable,
    new_session_id,
    question_key,
    storable,
)
from netqa.store.memory import MemorySessions
from netqa.store.question_log import LATE_REPLY_SECONDS
from netqa.store.sqlite_log import SQLiteLog
from netqa.store.sqlite_sessions import SQLiteSessions

LOG_SCHEMES = ("postgresql", "postgres")
SESSION_SCHEMES = ("redis", "rediss", "unix", *LOG_SCHEMES)


def open_log(location: str | Path, retention_days: int | None = None,
             pool_size: int = Settings.pool_size) -> QuestionLog:
    """The question log at `location`: a SQLite file path, or a postgresql:// URL (shared by several machines;
    `pool_size` connections at most)."""
    scheme = _scheme(location, LOG_SCHEMES, "the database (NETQA_DB)")
    if scheme is None:
        return SQLiteLog.open(location, retention_days)
    from netqa.store.postgres_log import PostgresLog  # psycopg is imported only where it is used

    return PostgresLog.open(str(location), retention_days, pool_size=pool_size)


def open_sessions(location: str | Path, ttl_seconds: float, max_sessions: int,
                  prefix: str = "netqa:", pool_size: int = Settings.pool_size) -> Conversations:
    """The conversations at `location`: "memory" (this process only), a SQLite file path (shared by the workers
    of one machine), or a redis:// or postgresql:// URL (shared by several machines, over `pool_size`
    connections at most; `prefix` starts every Redis key)."""
    if str(location) == "memory":
        return MemorySessions(ttl_seconds, max_sessions)
    scheme = _scheme(location, SESSION_SCHEMES, "the conversation store (NETQA_SESSIONS)")
    if scheme is None:
        return SQLiteSessions.open(location, ttl_seconds, max_sessions)
    if scheme in LOG_SCHEMES:
        from netqa.store.postgres_sessions import PostgresSessions

        return PostgresSessions.open(str(location), ttl_seconds, max_sessions, pool_size=pool_size)
    from netqa.store.redis_sessions import RedisSessions  # redis-py is imported only where it is used

    return RedisSessions.open(str(location), ttl_seconds, max_sessions, prefix, pool_size=pool_size)


def _scheme(location: str | Path, schemes: tuple[str, ...], what: str) -> str | None:
    """The URL scheme of `location` (None for a file path); StoreUnavailable naming the choices for another one."""
    found = re.match(r"([a-z][a-z0-9+.-]*)://", str(location))
    if found is None:
        return None
    if found.group(1) not in schemes:
        raise StoreUnavailable(f"{what} must be a file path or a URL starting with "
                               f"{', '.join(s + '://' for s in schemes)}; not {found.group(1)}://")
    return found.group(1)


def conversations_beside(database: str | Path) -> str | Path:
    """Where the server keeps conversations by default: a SQLite file beside the question log's, so that a
    conversation's write (in the request) never waits for the log's batch to be written (behind it); with a
    postgresql:// log, the same database (its own tables, its own connections)."""
    if _scheme(database, LOG_SCHEMES, "the database (NETQA_DB)") is not None:
        return str(database)
    path = Path(database)
    return path.with_name(path.name + "-conversations")


__all__ = ["LATE_REPLY_SECONDS", "LOW_CONFIDENCE", "Conversations", "MemorySessions", "QuestionLog", "SQLiteLog",
           "SQLiteSessions", "StoreUnavailable", "conversations_beside", "new_session_id", "open_log", "open_sessions",
           "question_key", "storable"]
