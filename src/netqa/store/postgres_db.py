"""The netqa PostgreSQL database: the SQLite file's tables and schema version, the connection pool, and how an
unreachable server is reported (once per outage, the URL's password masked)."""

from __future__ import annotations

import logging
import re
from typing import Any

from netqa.config import masked_url
from netqa.store.base import StoreUnavailable, timestamp
from netqa.store.sql import Dialect, missing_tables, upgrade
from netqa.store.sqlite_file import SCHEMA_VERSION

CONNECT_SECONDS = 3.0  # a request waits this long for a connection before its feedback is refused with a 503
RECONNECT_SECONDS = 5.0  # the pool retries a lost server this long in the background, then again on demand
_SCHEMA_LOCK = 0x6E716131  # advisory lock ('nqa1'): replicas starting at once create the tables once

# The tables of the SQLite file (netqa.store.sqlite_file), in PostgreSQL's types: `seq` stands for SQLite's rowid
# (the order replies were written, which breaks ties between equal timestamps); conversation times are seconds
# since the epoch, as there.
_SCHEMA = """
CREATE TABLE netqa_schema (version INTEGER NOT NULL);
CREATE TABLE replies (
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    question_key TEXT NOT NULL,
    answer TEXT NOT NULL,
    kind TEXT NOT NULL,
    confidence DOUBLE PRECISION NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX replies_created ON replies(created_at);
CREATE INDEX replies_kind ON replies(kind);
CREATE TABLE feedback (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reply_id TEXT NOT NULL REFERENCES replies(id) ON DELETE CASCADE,
    helpful BOOLEAN NOT NULL,
    comment TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX feedback_created ON feedback(created_at);
CREATE INDEX feedback_reply ON feedback(reply_id);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    turns TEXT NOT NULL,
    transcript TEXT,
    last_used DOUBLE PRECISION NOT NULL
);
CREATE INDEX sessions_last_used ON sessions(last_used);
CREATE TABLE session_replies (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reply_id TEXT NOT NULL UNIQUE,
    session_id TEXT NOT NULL,
    given_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE rate_hits (
    client TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL
);
CREATE INDEX rate_hits_client ON rate_hits(client, at)
"""
_TABLES = {"netqa_schema", "replies", "feedback", "sessions", "session_replies", "rate_hits"}
# What takes a database of each older version to the next, as in the SQLite file. PostgreSQL databases began at
# version 3 (the SQLite file's version when they came), so there is nothing to upgrade yet; a newer netqa adds
# its step here, beside the SQLite file's.
_MIGRATIONS: dict[int, tuple[str, ...]] = {}

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """Text PostgreSQL can hold: NUL (never allowed in its text) and lone surrogates become U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


# Times in the log are timestamptz (psycopg passes datetimes both ways); `seq` keeps the order rows were written;
# replicas write the same rows at once, so a session's row is locked when read for a write, and one client's
# rate-limit count is taken under an advisory lock.
POSTGRES = Dialect("postgresql", "%s", stamp=lambda moment: moment, shown_stamp=timestamp, storable=storable,
                   clean_first=True, written_order="seq", session_count="SELECT COUNT(*) FROM sessions",
                   for_update=" FOR UPDATE", lock_client="SELECT pg_advisory_xact_lock(hashtext(?))")

log = logging.getLogger("netqa.store")
# The pool would log every failed reconnection attempt; the stores say once that the server went and once that it
# came back.
logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)


def open_pool(url: str, size: int, name: str, timeout: float = CONNECT_SECONDS) -> Any:
    """A psycopg pool to `url`, connecting in the background (an unreachable server does not stop the caller)."""
    from psycopg_pool import ConnectionPool

    try:
        pool = ConnectionPool(url, min_size=1, max_size=size, open=False, timeout=timeout, name=name,
                              check=ConnectionPool.check_connection, reconnect_timeout=RECONNECT_SECONDS,
                              kwargs={"connect_timeout": int(CONNECT_SECONDS)})
        pool.open(wait=False)
    except Exception as exc:  # a malformed URL: psycopg names the bad part, never the password
        raise StoreUnavailable(f"cannot use the database {masked_url(url)}: {exc}") from exc
    return pool


def prepare(db: Any, where: str) -> None:
    """Check the database is a sound netqa store (creating the tables in an empty one, upgrading an old one), in
    the caller's transaction."""
    db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))  # another replica may be starting too
    tables = {name for (name,) in db.execute("SELECT table_name FROM information_schema.tables "
                                             "WHERE table_schema = current_schema()")}
    if not tables:
        for statement in filter(str.strip, _SCHEMA.split(";")):
            db.execute(statement)
        db.execute("INSERT INTO netqa_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
        return
    if "netqa_schema" not in tables:
        raise StoreUnavailable(f"{where} is a PostgreSQL database but not a netqa feedback store (its tables: "
                               f"{', '.join(sorted(tables))}); give netqa a database or schema of its own")
    row = db.execute("SELECT version FROM netqa_schema").fetchone()
    upgrade(db, row[0] if row else 0, _MIGRATIONS, where, SCHEMA_VERSION)
    missing_tables(_TABLES, tables, where)
    db.execute("UPDATE netqa_schema SET version = %s", (SCHEMA_VERSION,))
