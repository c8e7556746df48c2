"""Telling the log that a shared service (PostgreSQL, Redis) went away and came back: one line each, however many
requests fail in between."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("netqa.store")


RETRY_SECONDS = 1.0  # while a service is away, one call a second tries it; the others go on without it at once


class Outage:
    """Whether a service is reachable, so a long outage is one line in the log when it starts and one at its end,
    and so callers that can do without it (conversations) do not each wait for a timeout meanwhile."""

    def __init__(self, where: str, consequence: str, clock: Callable[[], float] = time.monotonic):
        self.where = where
        self.consequence = consequence
        self.reason: str | None = None
        self._clock = clock
        self._next_try = 0.0
        self._lock = threading.Lock()

    def worth_trying(self) -> bool:
        """True while the service is up, and once a RETRY_SECONDS while it is away."""
        if self.reason is None:
            return True
        with self._lock:
            now = self._clock()
            if now < self._next_try:
                return False
            self._next_try = now + RETRY_SECONDS
            return True

    def down(self, exc: BaseException) -> str:
        """Note a failure to reach the service (logged if it is the first) and return the reason in a line."""
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        with self._lock:
            first, self.reason = self.reason is None, reason
            self._next_try = self._clock() + RETRY_SECONDS
        if first:
            log.error("%s is unreachable (%s): %s", self.where, reason, self.consequence)
        return reason

    def up(self) -> None:
        if self.reason is not None:
            with self._lock:
                was, self.reason = self.reason, None
            if was is not None:
                log.warning("%s is reachable again", self.where)
