"""The SQL of the question log and the conversations, written once for both databases (the SQLite file and
PostgreSQL), and the small dialect that tells the two apart.

Statements are written with `?` placeholders; `Dialect.sql` gives them in the database's own style. The tables are
the same in both (netqa.store.sqlite_file, netqa.store.postgres_db); what differs is how a time is stored, which
column keeps the order rows were written, how the sessions are counted, and how a row or a client is locked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from netqa.records import Turn
from netqa.store.base import (
    MAX_TURNS,
    RATE_WINDOW_SECONDS,
    StoreUnavailable,
    question_key,
    turns_from_json,
    turns_to_json,
)


@dataclass(frozen=True)
class Dialect:
    """What one database does its own way; everything else is the SQL below."""

    name: str
    placeholder: str  # "?" (sqlite3) or "%s" (psycopg)
    stamp: Callable[[datetime], Any]  # a time as the log stores it (text in SQLite, timestamptz in PostgreSQL)
    shown_stamp: Callable[[Any], str]  # a stored time as the admin exports show it (base.timestamp's text)
    storable: Callable[[str], str]  # text the database can hold (what it cannot, replaced)
    clean_first: bool  # make every text storable before writing (else only when the database refuses a batch)
    written_order: str  # the column that keeps the order replies were written (ties between equal times)
    session_count: str  # how many sessions there are, expired ones included
    for_update: str = ""  # locks the row read, where the database does not lock the whole file for a write
    lock_client: str = ""  # one client's rate-limit count at a time, where transactions may run side by side
    _translated: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def sql(self, statement: str) -> str:
        """The statement with this database's placeholders (no statement here has a `?` of its own)."""
        found = self._translated.get(statement)
        if found is None:
            found = self._translated[statement] = statement.replace("?", self.placeholder)
        return found


def upgrade(db: Any, version: int, migrations: Mapping[int, tuple[str, ...]], where: str, schema_version: int) -> None:
    """Run the steps that take a store of `version` up to `schema_version` (in the caller's transaction);
    StoreUnavailable for a store this netqa cannot read (written by a newer one)."""
    while version in migrations:
        for statement in migrations[version]:
            db.execute(statement)
        version += 1
    if version != schema_version:
        raise StoreUnavailable(f"the database {where} has schema version {version}, "
                               f"this netqa reads version {schema_version}")


def missing_tables(expected: set[str], found: set[str], where: str) -> None:
    missing = expected - found
    if missing:
        raise StoreUnavailable(f"the database {where} lacks the table(s) {', '.join(sorted(missing))}")


# ---------------------------------------------------------------- the question log and feedback

BATCH_ROWS = 500  # replies written by one INSERT statement at most
UNANSWERED = "kind = 'no_answer'"
LOW_CONFIDENCE_BELOW = "kind = 'answer' AND confidence < ?"
_FEEDBACK_FIELDS = ("id", "reply_id", "helpful", "comment", "question", "answer", "kind", "created_at")
_GROUP_FIELDS = ("question", "count", "last_asked", "answer", "confidence")


def insert_replies(db: Any, dialect: Dialect, rows: tuple[tuple, ...] | list[tuple]) -> None:
    """Write queued replies (id, question, answer, kind, confidence, time); a reply already there is kept."""
    for start in range(0, len(rows), BATCH_ROWS):
        chunk = rows[start:start + BATCH_ROWS]
        # One multi-row INSERT rather than executemany(): sqlite3 lets go of the GIL at every statement step,
        # and each hand-back can hold up the event loop (under wrk, 10-25% more asks a second this way).
        insert = dialect.sql("INSERT INTO replies (id, question, question_key, answer, kind, confidence, created_at) "
                             "VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(chunk)) +
                             " ON CONFLICT (id) DO NOTHING")
        if dialect.clean_first:
            db.execute(insert, _reply_values(dialect, chunk, clean=True))
            continue
        try:
            db.execute(insert, _reply_values(dialect, chunk, clean=False))
        except UnicodeEncodeError:
            # A lone surrogate, which UTF-8 cannot encode, and nothing was written. Rare, so only now is every
            # text made storable: searching each answer for surrogates would cost more than writing it.
            db.execute(insert, _reply_values(dialect, chunk, clean=True))


def _reply_values(dialect: Dialect, rows: tuple[tuple, ...] | list[tuple], clean: bool) -> list:
    """The rows as the flat list of values a multi-row INSERT into replies binds."""
    same: Callable[[str], str] = dialect.storable if clean else str
    return [value for reply_id, question, answer, kind, confidence, moment in rows
            for value in (same(reply_id), same(question), question_key(question), same(answer), kind, confidence,
                          dialect.stamp(moment))]


def reply_logged(db: Any, dialect: Dialect, reply_id: str) -> bool:
    return db.execute(dialect.sql("SELECT 1 FROM replies WHERE id = ?"), (reply_id,)).fetchone() is not None


def insert_feedback(db: Any, dialect: Dialect, reply_id: str, helpful: bool, comment: str | None,
                    moment: datetime) -> int:
    """The new feedback's id (the database refuses it if the reply is not there: a foreign key)."""
    row = db.execute(dialect.sql("INSERT INTO feedback (reply_id, helpful, comment, created_at) VALUES (?, ?, ?, ?) "
                                 "RETURNING id"), (reply_id, bool(helpful), comment, dialect.stamp(moment))).fetchone()
    return int(row[0])


def purge(db: Any, dialect: Dialect, cutoff: datetime) -> int:
    """Delete replies and feedback recorded before `cutoff`; how many rows went."""
    before = dialect.stamp(cutoff)
    # Feedback first and counted apart: the cascade from replies would delete it uncounted.
    feedback = db.execute(dialect.sql("DELETE FROM feedback WHERE created_at < ? OR reply_id IN "
                                      "(SELECT id FROM replies WHERE created_at < ?)"), (before, before)).rowcount
    replies = db.execute(dialect.sql("DELETE FROM replies WHERE created_at < ?"), (before,)).rowcount
    return feedback + replies


def all_feedback(db: Any, dialect: Dialect) -> list[dict]:
    """Every feedback with the question, answer and kind it was about, oldest first."""
    rows = db.execute("SELECT f.id, f.reply_id, f.helpful, f.comment, r.question, r.answer, r.kind, f.created_at "
                      "FROM feedback f JOIN replies r ON r.id = f.reply_id ORDER BY f.id").fetchall()
    return [dict(zip(_FEEDBACK_FIELDS, row, strict=True)) | {"helpful": bool(row[2]),
                                                              "created_at": dialect.shown_stamp(row[7])}
            for row in rows]


def grouped(db: Any, dialect: Dialect, where: str, parameters: tuple) -> list[dict]:
    """Replies matching `where`, one row per question however written (question_key), most asked first: how often
    it was asked, and the latest asking's question, answer, confidence and time."""
    # The order written breaks ties: replies queued in the same microsecond are inserted in the order asked.
    rows = db.execute(dialect.sql(
        "SELECT question, count, last_asked, answer, confidence FROM ("
        "SELECT question, answer, confidence, created_at AS last_asked, COUNT(*) OVER same AS count, "
        f"ROW_NUMBER() OVER (same ORDER BY created_at DESC, {dialect.written_order} DESC) AS latest "
        f"FROM replies WHERE {where} WINDOW same AS (PARTITION BY question_key)) AS grouped "
        "WHERE latest = 1 ORDER BY count DESC, last_asked DESC"), parameters).fetchall()
    return [dict(zip(_GROUP_FIELDS, row, strict=True)) | {"last_asked": dialect.shown_stamp(row[2])} for row in rows]


# ---------------------------------------------------------------- conversations

# Times are seconds since the epoch by the servers' clocks; rows past the idle time are ignored when read.
SESSION_TURNS = "SELECT turns FROM sessions WHERE id = ? AND last_used >= ?"
SESSION_TRANSCRIPT = "SELECT transcript FROM sessions WHERE id = ? AND last_used >= ?"
SESSION_OF_REPLY = "SELECT session_id FROM session_replies WHERE reply_id = ? AND given_at >= ?"
SAVE_TRANSCRIPT = "UPDATE sessions SET transcript = ?, last_used = ? WHERE id = ?"


def remember(db: Any, dialect: Dialect, session_id: str, reply_id: str, turn: Turn | None, now: float,
             ttl_seconds: float, max_sessions: int) -> None:
    """Record a reply of the session (a new session if it is not live), with its turn if any (the last MAX_TURNS
    are kept), in the caller's write transaction."""
    row = db.execute(dialect.sql(SESSION_TURNS + dialect.for_update), (session_id, now - ttl_seconds)).fetchone()
    if row is None:
        # Unknown, or expired: a session starting afresh (an expired row of the same id is overwritten).
        db.execute(dialect.sql("INSERT INTO sessions (id, turns, transcript, last_used) VALUES (?, ?, NULL, ?) "
                               "ON CONFLICT (id) DO UPDATE SET turns = excluded.turns, transcript = NULL, "
                               "last_used = excluded.last_used"),
                   (session_id, turns_to_json((turn,) if turn else ()), now))
        (count,) = db.execute(dialect.session_count).fetchone()
        if count > max_sessions:  # past the cap the least recently used go
            db.execute(dialect.sql("DELETE FROM sessions WHERE id IN (SELECT id FROM sessions ORDER BY last_used "
                                   "LIMIT ?)"), (count - max_sessions,))
    elif turn is not None:
        turns = (turns_from_json(row[0]) + (turn,))[-MAX_TURNS:]
        db.execute(dialect.sql("UPDATE sessions SET turns = ?, last_used = ? WHERE id = ?"),
                   (turns_to_json(turns), now, session_id))
    else:
        db.execute(dialect.sql("UPDATE sessions SET last_used = ? WHERE id = ?"), (now, session_id))
    db.execute(dialect.sql("INSERT INTO session_replies (reply_id, session_id, given_at) VALUES (?, ?, ?) "
                           "ON CONFLICT (reply_id) DO NOTHING"), (reply_id, session_id, now))


def hit(db: Any, dialect: Dialect, client: str, per_minute: int, now: float) -> int:
    """Count a request of `client` in the sliding minute (in the caller's write transaction): 0, or the whole
    seconds to wait when it is over the limit (it is then not counted)."""
    if dialect.lock_client:
        db.execute(dialect.sql(dialect.lock_client), (client,))  # whichever server the requests reach
    db.execute(dialect.sql("DELETE FROM rate_hits WHERE client = ? AND at <= ?"), (client, now - RATE_WINDOW_SECONDS))
    count, oldest = db.execute(dialect.sql("SELECT COUNT(*), MIN(at) FROM rate_hits WHERE client = ?"),
                               (client,)).fetchone()
    if count >= per_minute:
        return max(1, int(oldest + RATE_WINDOW_SECONDS - now + 0.999))
    db.execute(dialect.sql("INSERT INTO rate_hits (client, at) VALUES (?, ?)"), (client, now))
    return 0


def sweep(db: Any, dialect: Dialect, now: float, ttl_seconds: float, max_sessions: int) -> None:
    """Delete expired rows (in the caller's transaction)."""
    cutoff = now - ttl_seconds
    db.execute(dialect.sql("DELETE FROM sessions WHERE last_used < ?"), (cutoff,))
    db.execute(dialect.sql("DELETE FROM session_replies WHERE given_at < ?"), (cutoff,))
    # Reply ids are kept in the order given; past max_sessions * MAX_TURNS the oldest go (a session that
    # started afresh for every question, as under a load test, would otherwise keep one per reply).
    db.execute(dialect.sql("DELETE FROM session_replies WHERE seq <= (SELECT MAX(seq) FROM session_replies) - ?"),
               (max_sessions * MAX_TURNS,))
    db.execute(dialect.sql("DELETE FROM rate_hits WHERE at <= ?"), (now - RATE_WINDOW_SECONDS,))
