"""Conversation memory: recent turns per session (follow-ups are rewritten by netqa.followup)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from netqa.records import Turn


class SessionStore:
    """Recent turns per session id; idle sessions expire and the oldest go first past the cap.

    One lock guards the whole table: the web server calls in from many threads.
    """

    def __init__(self, ttl_seconds: float = 1800.0, max_sessions: int = 10_000, max_turns: int = 6):
        self.ttl_seconds = ttl_seconds
        self.max_sessions = max_sessions
        self.max_turns = max_turns
        self._sessions: OrderedDict[str, tuple[float, tuple[Turn, ...]]] = OrderedDict()
        self._lock = threading.Lock()

    def history(self, session_id: str) -> tuple[Turn, ...]:
        with self._lock:
            self._expire(time.monotonic())
            entry = self._sessions.get(session_id)
            return entry[1] if entry else ()

    def remember(self, session_id: str, turn: Turn) -> None:
        with self._lock:
            now = time.monotonic()
            turns = self._sessions.pop(session_id, (now, ()))[1]
            self._sessions[session_id] = (now, (turns + (turn,))[-self.max_turns:])
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)

    def __len__(self) -> int:
        return len(self._sessions)

    def _expire(self, now: float) -> None:
        # Entries are in order of last use, so the stale ones are at the front.
        while self._sessions:
            session_id, (last_used, _) = next(iter(self._sessions.items()))
            if now - last_used <= self.ttl_seconds:
                break
            del self._sessions[session_id]
