"""A real `netqa serve` in a subprocess on 127.0.0.1, for the tests that need sockets, workers and signals."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

TOKEN = "live-server-test-token"
_BESIDE_PYTHON = Path(sys.executable).with_name("netqa")
NETQA = str(_BESIDE_PYTHON) if _BESIDE_PYTHON.exists() else shutil.which("netqa")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`netqa serve` in its own process group, so SIGKILL reaches every process it started."""

    def __init__(self, db: Path, log: Path, workers: int = 1, env: dict[str, str] | None = None,
                 port: int | None = None):
        assert NETQA, "the netqa command is not installed: pip install -e ."
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = db
        self.log = log
        self.workers = workers
        with open(log, "ab") as output:
            self.process = subprocess.Popen(
                [NETQA, "serve", "--port", str(self.port), "--db", str(db), "--workers", str(workers)],
                stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, "NETQA_ADMIN_TOKEN": TOKEN, "NETQA_RATE_LIMIT": "0", **(env or {})})
        self._wait_until_up()

    def _wait_until_up(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited with {self.process.returncode}:\n{self.output()}")
            if self.output().count("Application startup complete") >= self.workers:
                try:
                    if httpx.get(f"{self.url}/api/health", timeout=1.0).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
            time.sleep(0.1)
        self.kill()
        raise AssertionError(f"the server did not answer within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """SIGKILL to every process of the server at once, as a crash or the OOM killer of a container would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        else:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)  # workers left behind by a killed main process
            except ProcessLookupError:
                pass

    def admin_feedback(self) -> list[dict]:
        response = httpx.get(f"{self.url}/api/admin/feedback", headers={"Authorization": f"Bearer {TOKEN}"},
                             timeout=10)
        assert response.status_code == 200, response.text
        return response.json()
