"""Where netqa keeps what outlives a reply: the question log and feedback, and the conversations.

`open_log(location)` and `open_sessions(location, ...)` choose the backend from the location; each returns an object
of the protocols in `netqa.store.base` (QuestionLog, Conversations), so the web layer never names a backend.
"""

from __future__ import annotations

from pathlib import Path

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
from netqa.store.sqlite_log import LATE_REPLY_SECONDS, SQLiteLog
from netqa.store.sqlite_sessions import SQLiteSessions


def open_log(location: str | Path, retention_days: int | None = None) -> QuestionLog:
    """The question log at `location`: a SQLite file path (the only backend so far)."""
    return SQLiteLog.open(location, retention_days)


def open_sessions(location: str | Path, ttl_seconds: float, max_sessions: int) -> Conversations:
    """The conversations at `location`: "memory" (this process only) or a SQLite file path (shared by the workers
    of one machine)."""
    if str(location) == "memory":
        return MemorySessions(ttl_seconds, max_sessions)
    return SQLiteSessions.open(location, ttl_seconds, max_sessions)


def conversations_beside(database: str | Path) -> Path:
    """Where the server keeps conversations by default: a SQLite file beside the question log's, so that a
    conversation's write (in the request) never waits for the log's batch to be written (behind it)."""
    path = Path(database)
    return path.with_name(path.name + "-conversations")


__all__ = ["LATE_REPLY_SECONDS", "LOW_CONFIDENCE", "Conversations", "MemorySessions", "QuestionLog", "SQLiteLog",
           "SQLiteSessions", "StoreUnavailable", "conversations_beside", "new_session_id", "open_log", "open_sessions",
           "question_key", "storable"]
