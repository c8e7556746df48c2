"""The netqa SQLite file: opening it private (0600), its schema and upgrades, and noticing it was deleted or replaced.

One file holds the question log, the feedback and the conversations; each store opens its own connection to it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from netqa.store.base import StoreUnavailable, storable, timestamp
from netqa.store.sql import Dialect, missing_tables, upgrade

# 'nqa1' in the file header marks a database as ours, so a stranger's SQLite file is refused, not altered.
APPLICATION_ID = 0x6E716131
SCHEMA_VERSION = 4
BUSY_TIMEOUT_SECONDS = 10.0  # several server workers share one file; a writer waits for another's commit
PRIVATE = 0o600  # the file holds health questions: readable by the server's user only

log = logging.getLogger("netqa.store")

# Times in the log are text in one fixed format (base.timestamp), which sorts and compares as the times do; the
# file's own rowid keeps the order rows were written; the session count is kept by triggers (see below).
SQLITE = Dialect("sqlite", "?", stamp=timestamp, shown_stamp=str, storable=storable, clean_first=False,
                 written_order="rowid", session_count="SELECT n FROM session_count")


def _statements(script: str) -> list[str]:
    """The statements of a script, split at semicolons outside trigger bodies (which end with "END")."""
    statements, current = [], ""
    for part in script.split(";"):
        current += part
        if current.strip() and (" BEGIN " not in current or current.rstrip().endswith("END")):
            statements.append(current)
            current = ""
        elif current.strip():
            current += ";"
    return statements


_LOG_SCHEMA = """
CREATE TABLE replies (
    id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    question_key TEXT NOT NULL,
    answer TEXT NOT NULL,
    kind TEXT NOT NULL,
    confidence REAL NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX replies_created ON replies(created_at);
CREATE INDEX replies_kind ON replies(kind);
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reply_id TEXT NOT NULL REFERENCES replies(id) ON DELETE CASCADE,
    helpful INTEGER NOT NULL,
    comment TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX feedback_created ON feedback(created_at);
CREATE INDEX feedback_reply ON feedback(reply_id)
"""
# Conversations, shared by the server's workers: times are seconds since the epoch (every worker's clock is the
# machine's). Rows past the idle time are ignored when read and swept now and then (netqa.store.sqlite_sessions).
_SESSIONS_SCHEMA = """
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    turns TEXT NOT NULL,
    transcript TEXT,
    last_used REAL NOT NULL
);
CREATE INDEX sessions_last_used ON sessions(last_used);
CREATE TABLE session_replies (
    seq INTEGER PRIMARY KEY,
    reply_id TEXT NOT NULL UNIQUE,
    session_id TEXT NOT NULL,
    given_at REAL NOT NULL
);
CREATE TABLE rate_hits (
    client TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX rate_hits_client ON rate_hits(client, at)
"""
# How many sessions there are, kept by triggers: the cap is then checked in O(1) at every new session (COUNT(*)
# reads the whole table). Every delete goes through DELETE (never INSERT OR REPLACE, which skips the trigger).
_SESSION_COUNT_SCHEMA = """
CREATE TABLE session_count (n INTEGER NOT NULL);
INSERT INTO session_count SELECT COUNT(*) FROM sessions;
CREATE TRIGGER sessions_added AFTER INSERT ON sessions BEGIN UPDATE session_count SET n = n + 1; END;
CREATE TRIGGER sessions_removed AFTER DELETE ON sessions BEGIN UPDATE session_count SET n = n - 1; END
"""
_TABLES = {"replies", "feedback", "sessions", "session_replies", "rate_hits", "session_count"}
# What takes a file of each older version to the next. Version 1 indexed replies by (kind, question_key): each
# logged reply landed on its own page of that index, which made logging three times dearer, and reading the
# grouped lists was no faster for it. Version 3 adds the conversations shared by the workers, version 4 their count.
_MIGRATIONS = {1: ("DROP INDEX replies_kind_key", "CREATE INDEX replies_kind ON replies(kind)"),
               2: tuple(_statements(_SESSIONS_SCHEMA)),
               3: tuple(_statements(_SESSION_COUNT_SCHEMA))}


def connect(path: Path, synchronous: str) -> sqlite3.Connection:
    """A connection to the netqa file at `path` (created 0600 if missing; checked, upgraded, tightened to 0600).

    `synchronous` is FULL where a commit must survive a crash (feedback), NORMAL where losing the last commits
    to a power cut is fine (conversations): in WAL mode NORMAL skips the sync on commit.
    """
    if not path.parent.is_dir():
        raise StoreUnavailable(f"cannot open the database {path}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise StoreUnavailable(f"cannot open the database {path}: it is a folder, not a file")
    with _opening(path.parent):
        _create_private(path)
        try:
            connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                                         check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open the database {path}: {exc}") from exc
        try:
            _prepare(connection, path, synchronous)
        except BaseException:
            connection.close()
            raise
    _make_private(path)
    return connection


def identity(path: Path) -> tuple[int, int] | None:
    """Which file `path` names now (device, inode), or None when nothing is there."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def check_identity(path: Path, opened: tuple[int, int] | None) -> None:
    """StoreUnavailable when the file at `path` is no longer the one opened: deleted, moved or replaced. SQLite
    would go on writing to the old, unlinked file, and every row written there is lost at the next start."""
    if identity(path) != opened:
        raise StoreUnavailable(f"the database file {path} was deleted or replaced while the server was running; "
                               "nothing more can be saved until the server is restarted")


def rollback(db: sqlite3.Connection) -> None:
    if db.in_transaction:
        db.execute("ROLLBACK")


@contextmanager
def _opening(folder: Path) -> Iterator[None]:
    """One open at a time in the folder, across threads and processes (the workers of a server start together):
    the first creates the tables and turns on WAL, the others then find a prepared file. Switching a new file to
    WAL needs it to itself, which SQLite does not wait for, and a file half made looks like a stranger's.

    The folder is locked (flock), not the database file: closing a descriptor of the database would drop the
    locks SQLite holds on it for the other connections of this process.
    """
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:  # an unreadable folder: SQLite says why when it opens the file
        yield
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _create_private(path: Path) -> None:
    # Created here rather than by SQLite, which would use 0644: its -wal and -shm files then copy this file's mode.
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE))
    except FileExistsError:
        pass
    except OSError as exc:
        raise StoreUnavailable(f"cannot create the database {path}: {exc.strerror or exc}") from exc


def _make_private(path: Path) -> None:
    """Tighten an older file (and its -wal and -shm files) that others could read, when it is ours to change."""
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            mode = stat.S_IMODE(os.stat(part).st_mode)
            if mode & 0o077:
                os.chmod(part, mode & 0o700)
                log.info("%s could be read by other users; it is now readable by the server's user only", part)
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("%s can be read by other users and could not be changed: %s", part, exc.strerror or exc)


def _prepare(db: sqlite3.Connection, path: Path, synchronous: str) -> None:
    """Check the file is a sound netqa store (creating the tables in an empty one, upgrading an old one) and set
    WAL mode."""
    try:
        _is_empty(db, path)  # before anything writes: a stranger's file must be left exactly as it was
        db.execute("PRAGMA foreign_keys = ON")
        # WAL: readers never block the writer, and with synchronous=FULL every commit is synced before it returns.
        db.execute("PRAGMA journal_mode = WAL")
        db.execute(f"PRAGMA synchronous = {synchronous}")
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise StoreUnavailable(f"the database {path} is damaged ({check}); "
                                   "restore it from a backup or move it away to start a new one")
        db.execute("BEGIN IMMEDIATE")
        try:
            # Asked again under the write lock: another server worker may have just created the tables.
            if _is_empty(db, path):
                _create_schema(db)
            else:
                _upgrade_schema(db, path)
            db.execute("COMMIT")
        except BaseException:
            rollback(db)
            raise
    except sqlite3.DatabaseError as exc:
        message = str(exc)
        if "not a database" in message or "malformed" in message:
            raise StoreUnavailable(f"the database {path} is not a readable SQLite database ({message}); "
                                   "restore it from a backup or move it away to start a new one") from exc
        if "readonly" in message or "unable to open" in message or "disk I/O" in message:
            raise StoreUnavailable(f"the database {path} cannot be written ({message}); "
                                   "check the permissions of the file and its folder") from exc
        raise StoreUnavailable(f"cannot use the database {path}: {message}") from exc


def _is_empty(db: sqlite3.Connection, path: Path) -> bool:
    """True for a new, empty database, False for a netqa store; StoreUnavailable for anything else."""
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                              "AND name NOT LIKE 'sqlite_%'")}
    if application_id == 0 and not tables:
        return True
    if application_id != APPLICATION_ID:
        listed = ", ".join(sorted(tables)) or "none"
        raise StoreUnavailable(f"{path} is a SQLite database but not a netqa feedback store "
                               f"(its tables: {listed}); give netqa a file of its own")
    return False


def _create_schema(db: sqlite3.Connection) -> None:
    # One by one, not executescript(), which would commit the open transaction first.
    for statement in _statements(_LOG_SCHEMA + ";" + _SESSIONS_SCHEMA + ";" + _SESSION_COUNT_SCHEMA):
        db.execute(statement)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _upgrade_schema(db: sqlite3.Connection, path: Path) -> None:
    """Bring a store of an older schema version up to this one (in the caller's transaction), then check it."""
    upgrade(db, db.execute("PRAGMA user_version").fetchone()[0], _MIGRATIONS, str(path), SCHEMA_VERSION)
    missing_tables(_TABLES, {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")},
                   str(path))
    # Rewriting the version is a real write: a read-only file fails here, at start, not at the first feedback.
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
