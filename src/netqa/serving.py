"""`netqa serve` on uvicorn: what a hostile or broken client may hold (header bytes, time, connections), which
proxies are believed, and workers that stop when their main process is gone."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import signal
import threading
import time
from dataclasses import dataclass

import uvicorn
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from netqa.config import Settings
from netqa.web import SECURITY_HEADERS

SUPERVISOR_ENV = "NETQA_SUPERVISOR_PID"  # set by `netqa serve --workers N` for its workers to watch
PARENT_POLL_SECONDS = 0.5
STOP_GRACE_SECONDS = 3.0  # in-flight requests get this long to finish when a worker stops

log = logging.getLogger("netqa.serve")


@dataclass(frozen=True)
class Limits:
    max_header_bytes: int
    read_timeout_seconds: float
    max_connections: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        if settings.max_header_bytes < 1024 or settings.read_timeout_seconds <= 0 or settings.max_connections < 1:
            raise ValueError("NETQA_MAX_HEADER_BYTES must be 1024 or more, NETQA_READ_TIMEOUT and "
                             "NETQA_MAX_CONNECTIONS above 0")
        return cls(settings.max_header_bytes, settings.read_timeout_seconds, settings.max_connections)


@functools.cache
def limits() -> Limits:
    return Limits.from_settings(Settings.from_env())


class GuardedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with limits it lacks: at most max_header_bytes of request line and headers
    (431), the whole request within read_timeout_seconds of its first byte or of the connection (408), at most
    max_connections per worker (503), and the security headers on the responses uvicorn writes itself (400).

    Without them a client can hold a worker's memory (unterminated headers are buffered without bound) or its
    connections (a connection that never finishes its request is never closed).
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._limits = limits()
        self._reading_headers = True
        self._header_bytes = 0
        self._messages_read = 0
        self._read_timer: asyncio.TimerHandle | None = None
        if len(self.connections) > self._limits.max_connections:
            self._refuse(503, "The server is busy. Please try again in a moment.")
            return
        self._arm_read_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_read_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        while self._reading_headers and len(data) > self._limits.max_header_bytes - self._header_bytes:
            # Only what fits is parsed: the headers must end within it, or the request is refused unread.
            room = self._limits.max_header_bytes - self._header_bytes
            read = self._messages_read
            super().data_received(data[:room])
            data = data[room:]
            if self.transport.is_closing():
                return
            if self._reading_headers and self._messages_read == read:
                self._refuse(431, f"The request headers are too large: at most {self._limits.max_header_bytes} "
                                  "bytes are accepted.")
                return
            # Else the headers ended (a body follows), or a whole request was read and the next one's count starts.
        if self._reading_headers:
            self._header_bytes += len(data)
        if data:
            super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._read_timer is None:
            self._arm_read_timer()  # the next request on a kept-alive connection

    def on_headers_complete(self) -> None:
        self._reading_headers = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm_read_timer()
        self._reading_headers, self._header_bytes = True, 0
        self._messages_read += 1

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, msg)

    def _arm_read_timer(self) -> None:
        self._read_timer = self.loop.call_later(self._limits.read_timeout_seconds, self._read_timed_out)

    def _disarm_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _read_timed_out(self) -> None:
        self._read_timer = None
        if self.cycle is not None and self.cycle.response_started:
            log.info("closed a connection from %s: the request did not arrive within %g s", _peer(self.client),
                     self._limits.read_timeout_seconds)
            self.transport.close()
        else:
            self._refuse(408, f"The request did not arrive within {self._limits.read_timeout_seconds:g} seconds.")

    def _refuse(self, status: int, message: str) -> None:
        """Answer `status` with a sentence and close, whatever state the request is in."""
        if self.transport.is_closing():
            return
        if self.cycle is not None:
            self.cycle.disconnected = True  # the app's own answer, if it is still working on one, goes nowhere
        if status != 400:
            log.info("refused a request from %s with %d: %s", _peer(self.client), status, message)
        body = message.encode()
        head = [STATUS_LINE[status], *(name + b": " + value + b"\r\n"
                                       for name, value in self.server_state.default_headers + list(SECURITY_HEADERS))]
        head += [b"content-type: text/plain; charset=utf-8\r\n", b"cache-control: no-store\r\n",
                 b"content-length: %d\r\n" % len(body), b"connection: close\r\n\r\n"]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def _peer(client: tuple[str, int] | None) -> str:
    return f"{client[0]}:{client[1]}" if client else "an unknown address"


def run(host: str, port: int, workers: int, settings: Settings) -> None:
    """Serve netqa.web's app (built in each worker from NETQA_* variables) until stopped."""
    Limits.from_settings(settings)  # a bad limit fails here, once, rather than in every worker
    proxies = [address.strip() for address in settings.trusted_proxies.split(",") if address.strip()]
    if workers > 1:
        os.environ[SUPERVISOR_ENV] = str(os.getpid())
    # An import string and environment variables, because with --workers each process builds its own app.
    uvicorn.run("netqa.web:app_from_env", factory=True, host=host, port=port, workers=workers,
                http=GuardedHttpTools, ws="none", timeout_keep_alive=int(max(1, settings.keep_alive_seconds)),
                timeout_graceful_shutdown=int(STOP_GRACE_SECONDS),
                proxy_headers=bool(proxies), forwarded_allow_ips=",".join(proxies) or "")


def stop_with_supervisor() -> None:
    """In a worker of `netqa serve --workers N`: stop (gracefully, then for good) once the main process is gone,
    so a killed server never leaves workers holding its port."""
    supervisor = os.environ.get(SUPERVISOR_ENV)
    if not supervisor or int(supervisor) == os.getpid():
        return  # a single process, or the main process itself

    def watch() -> None:
        while os.getppid() == int(supervisor):
            time.sleep(PARENT_POLL_SECONDS)
        log.warning("the server's main process has gone; worker %d stops", os.getpid())
        os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's graceful stop: the question log is written out
        time.sleep(STOP_GRACE_SECONDS + 2.0)
        os._exit(1)

    threading.Thread(target=watch, name="netqa-supervisor-watch", daemon=True).start()
