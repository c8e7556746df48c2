"""Conversations held in this process only (the CLI, the Python API, a server without a usable database)."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from netqa.records import Turn
from netqa.store.base import MAX_TURNS, RATE_WINDOW_SECONDS, TRANSCRIPT_TURNS, is_session_id

RATE_LIMITED_CLIENTS = 100_000  # clients the rate limiter remembers at most; the least recent are forgotten
REPLIES_PER_SESSION = 50  # reply ids remembered per session (for feedback), the latest


@dataclass
class _Session:
    last_used: float
    turns: tuple[Turn, ...] = ()
    replies: list[str] = field(default_factory=list)
    transcript: list[dict] = field(default_factory=list)


class MemorySessions:
    """base.Conversations in a dict: idle sessions expire and the least recently used go first past the cap.

    One lock guards everything: the web server calls in from many threads.
    """

    remote = False

    def __init__(self, ttl_seconds: float = 1800.0, max_sessions: int = 10_000,
                 clock: Callable[[], float] = time.monotonic):
        self.where = "memory"
        self.ttl_seconds = ttl_seconds
        self.max_sessions = max_sessions
        self._clock = clock
        self._sessions: OrderedDict[str, _Session] = OrderedDict()
        self._reply_sessions: dict[str, str] = {}
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def history(self, session_id: str) -> tuple[Turn, ...] | None:
        if not is_session_id(session_id):
            return None
        with self._lock:
            session = self._live(session_id)
            return None if session is None else session.turns

    def remember(self, session_id: str, reply_id: str, turn: Turn | None) -> None:
        with self._lock:
            now = self._clock()
            session = self._live(session_id) or _Session(now)
            session.last_used = now
            if turn is not None:
                session.turns = (session.turns + (turn,))[-MAX_TURNS:]
            if reply_id not in self._reply_sessions:  # a message of two questions remembers two turns, one reply
                session.replies.append(reply_id)
                self._reply_sessions[reply_id] = session_id
            while len(session.replies) > REPLIES_PER_SESSION:
                self._reply_sessions.pop(session.replies.pop(0), None)
            self._sessions[session_id] = session
            self._sessions.move_to_end(session_id)
            while len(self._sessions) > self.max_sessions:
                self._forget(self._sessions.popitem(last=False)[1])

    def session_of(self, reply_id: str) -> str | None:
        with self._lock:
            session_id = self._reply_sessions.get(reply_id)
            return session_id if session_id is not None and self._live(session_id) is not None else None

    def transcript(self, session_id: str) -> list[dict]:
        with self._lock:
            session = self._live(session_id)
            return list(session.transcript) if session else []

    def save_transcript(self, session_id: str, turns: list[dict]) -> None:
        with self._lock:
            session = self._live(session_id)
            if session is not None:
                session.transcript = list(turns[-TRANSCRIPT_TURNS:])

    def hit(self, client: str, per_minute: int) -> int:
        if per_minute <= 0:
            return 0
        now = self._clock()
        with self._lock:
            times = self._hits.setdefault(client, deque())
            self._hits.move_to_end(client)
            while times and times[0] <= now - RATE_WINDOW_SECONDS:
                times.popleft()
            if len(times) >= per_minute:
                return max(1, math.ceil(times[0] + RATE_WINDOW_SECONDS - now))
            times.append(now)
            if len(self._hits) > RATE_LIMITED_CLIENTS:
                self._hits.popitem(last=False)
        return 0

    def close(self) -> None:
        pass

    def __len__(self) -> int:
        return len(self._sessions)

    def _live(self, session_id: str) -> _Session | None:
        """The session if it has not expired (under the lock); expired ones at the front are dropped on the way."""
        cutoff = self._clock() - self.ttl_seconds
        while self._sessions:  # in order of last use, so the stale ones are at the front
            oldest = next(iter(self._sessions.values()))
            if oldest.last_used >= cutoff:
                break
            self._forget(self._sessions.popitem(last=False)[1])
        return self._sessions.get(session_id)

    def _forget(self, session: _Session) -> None:
        for reply_id in session.replies:
            self._reply_sessions.pop(reply_id, None)
