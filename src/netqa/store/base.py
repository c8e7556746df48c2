"""What a store must do: the question log with its feedback, and the conversations (sessions, reply ids, rate limit).

Two small protocols, so another backend (PostgreSQL, Redis) can take the place of the SQLite file without the web
layer or the engine changing. Every implementation keeps the guarantees listed in each method's docstring.
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
from collections.abc import Mapping
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Protocol

from netqa.records import Turn
from netqa.text import normalise, words

SESSION_ID = re.compile(r"[0-9a-f]{32}")  # what new_session_id() issues; anything else is not one of ours
LOW_CONFIDENCE = 0.7  # answered, but below this: worth a look by the people who maintain the documents
RATE_WINDOW_SECONDS = 60.0
MAX_TURNS = 6  # turns of a conversation kept for follow-ups
TRANSCRIPT_TURNS = 20  # turns of a no-JavaScript conversation kept to render the page again
_SURROGATE = re.compile("[\ud800-\udfff]")


class StoreUnavailable(RuntimeError):
    """The store cannot be used (missing folder, not a database, not ours, unwritable, deleted); the message says
    why."""


class QuestionLog(Protocol):
    """The durable record: every reply given (write-behind) and the feedback on them (written before it is
    acknowledged). Safe to call from many threads."""

    where: str  # the file or URL it writes to, for messages (never a password)
    dropped: int  # replies that could not be logged (queue full while the disk stalled, or a failed batch)

    def record_reply(self, reply: Mapping) -> None:
        """Queue a reply (id, question, answer, kind, confidence) for the log and return at once; it is written
        within 100 ms whatever the traffic. StoreUnavailable once the store is closed."""

    def flush(self) -> None:
        """Write every queued reply now."""

    def add_feedback(self, reply_id: str, helpful: bool, comment: str | None = None, wait: float = 0.0) -> int:
        """Store feedback on a logged reply and return its id once it is durable (committed and synced).

        KeyError if no reply has that id; `wait` seconds are spent waiting for it first (for a reply the service
        gave but another worker has not written yet). StoreUnavailable if the store cannot write, including when
        its file was deleted or replaced since it was opened: never an id for a row that is not kept."""

    def feedback(self) -> list[dict]:
        """Every feedback with the question, answer and kind it rates, oldest first."""

    def unanswered(self) -> list[dict]:
        """Questions that got no_answer, the same question (question_key) counted once, most asked first."""

    def low_confidence(self, below: float = LOW_CONFIDENCE) -> list[dict]:
        """Answered questions whose confidence was under `below`, grouped like unanswered()."""

    def purge(self, older_than_days: int) -> int:
        """Delete replies and feedback older than this; return how many rows went."""

    def close(self) -> None:
        """Write what is queued, then close; a second call does nothing."""


class Conversations(Protocol):
    """What the workers of a service share about conversations: each session's recent turns (for follow-ups),
    the reply ids given in it (so feedback on a reply from another worker is accepted), the no-JavaScript page's
    transcript, and the rate limit's counts.

    Sessions expire after the idle time (Settings.session_ttl_seconds) and at most Settings.max_sessions are kept.
    A backend that fails logs it and behaves as if it knew nothing (a fresh session, no history, requests
    allowed): a conversation store never stops an answer. Safe to call from many threads.
    """

    where: str  # "memory", the file or the URL it keeps them in, for messages (never a password)
    # True when a call crosses the network (Redis, PostgreSQL) and may wait for it: the web layer then never makes
    # it on the event loop. False for this process's memory and a local file (microseconds).
    remote: bool

    def history(self, session_id: str) -> tuple[Turn, ...] | None:
        """The session's recent turns, oldest first; None when there is no such live session (never issued,
        expired, evicted, or not an id of ours): the caller then starts a new one with new_session_id()."""

    def remember(self, session_id: str, reply_id: str, turn: Turn | None) -> None:
        """Record a reply given in the session (creating the session, renewing its idle time), and its turn for
        follow-ups when there is one (at most MAX_TURNS kept)."""

    def session_of(self, reply_id: str) -> str | None:
        """The session a recent reply was given in (this idle time at least), else None."""

    def transcript(self, session_id: str) -> list[dict]:
        """The no-JavaScript page's turns of the session (JSON-able dicts), oldest first; [] if none."""

    def save_transcript(self, session_id: str, turns: list[dict]) -> None:
        """Replace the session's page transcript (the last TRANSCRIPT_TURNS are kept)."""

    def hit(self, client: str, per_minute: int) -> int:
        """Count a request from `client` against `per_minute` in a sliding minute, shared by every worker:
        0 when it may go on, else the whole seconds to wait (the request is then not counted)."""

    def close(self) -> None:
        """Release the connection; a second call does nothing."""


def new_session_id() -> str:
    """A session id only the server issues: 128 random bits as 32 hex digits."""
    return secrets.token_hex(16)


def is_session_id(text: str) -> bool:
    return SESSION_ID.fullmatch(text) is not None


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def timestamp(moment: datetime) -> str:
    """One fixed format, so timestamps sort and compare correctly as text: 2026-01-31T09:05:00.000000Z."""
    # isoformat, not strftime: half the time, and the writer formats one for every logged reply.
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")[:26] + "Z"


def storable(text: str) -> str:
    """Text a UTF-8 store can hold: a lone surrogate (which UTF-8 cannot encode) becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


@lru_cache(maxsize=4096)  # patients ask the same questions again and again; the writer keys every logged reply
def question_key(question: str) -> str:
    """What counts as the same question when grouping: case, punctuation and spacing ignored."""
    return " ".join(words(normalise(question)))


_TURN_FIELDS = tuple(field.name for field in dataclasses.fields(Turn))


def turns_to_json(turns: tuple[Turn, ...]) -> str:
    """Turns as JSON text, for a store shared between processes (never a pickle: a store must not run code)."""
    return json.dumps([{name: getattr(turn, name) for name in _TURN_FIELDS} for turn in turns],
                      ensure_ascii=False, separators=(",", ":"))


def turns_from_json(text: str) -> tuple[Turn, ...]:
    """Turns back from turns_to_json (lists become tuples again); () for text written by a netqa whose Turn had
    other fields: after an upgrade, a conversation in flight loses its context rather than the server failing."""
    def turn(item: dict[str, Any]) -> Turn:
        fields: dict[str, Any] = {name: tuple(value) if isinstance(value, list) else value
                                  for name, value in item.items()}
        return Turn(**fields)

    try:
        return tuple(turn(item) for item in json.loads(text))
    except (TypeError, ValueError, AttributeError):
        return ()
