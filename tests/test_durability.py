"""A real `netqa serve`: feedback acknowledged survives SIGKILL, replies a clean stop; a bad database never stops it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

TOKEN = "durability-test-token"
QUESTION = "How many patients were in the CABINET trial?"
_BESIDE_PYTHON = Path(sys.executable).with_name("netqa")
NETQA = str(_BESIDE_PYTHON) if _BESIDE_PYTHON.exists() else shutil.which("netqa")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`netqa serve` in its own process group, so SIGKILL reaches every process it started."""

    def __init__(self, db: Path, log: Path):
        assert NETQA, "the netqa command is not installed: pip install -e ."
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with open(log, "ab") as output:
            self.process = subprocess.Popen(
                [NETQA, "serve", "--port", str(self.port), "--db", str(db)],
                stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, "NETQA_ADMIN_TOKEN": TOKEN, "NETQA_RATE_LIMIT": "0"})
        self._wait_until_up()

    def _wait_until_up(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited with {self.process.returncode}:\n{self.output()}")
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


@pytest.fixture
def servers(tmp_path):
    started: list[Server] = []

    def start(db: Path) -> Server:
        server = Server(db, tmp_path / "server.log")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def admin_feedback(server: Server) -> list[dict]:
    response = httpx.get(f"{server.url}/api/admin/feedback", headers={"Authorization": f"Bearer {TOKEN}"},
                         timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_every_feedback_acknowledged_with_201_survives_a_sigkill(servers, tmp_path):
    db = tmp_path / "netqa.db"
    server = servers(db)
    reply = httpx.post(f"{server.url}/api/ask", json={"question": QUESTION}, timeout=10).json()
    acknowledged: list[int] = []
    enough = threading.Event()

    def stream() -> None:
        # Several posts in flight at once, as from several readers, until the server dies under them.
        with httpx.Client(timeout=10) as client:
            n = 0
            while True:
                n += 1
                try:
                    response = client.post(f"{server.url}/api/feedback",
                                           json={"reply_id": reply["id"], "helpful": n % 2 == 0,
                                                 "comment": f"comment {n}"})
                except httpx.TransportError:
                    return
                if response.status_code == 201:
                    acknowledged.append(response.json()["id"])
                if len(acknowledged) >= 150:
                    enough.set()

    streams = [threading.Thread(target=stream) for _ in range(4)]
    for thread in streams:
        thread.start()
    assert enough.wait(timeout=120), "the server did not acknowledge 150 feedback posts in time"
    server.kill()
    for thread in streams:
        thread.join(timeout=30)
    assert len(acknowledged) >= 150

    restarted = servers(db)
    stored = {row["id"]: row for row in admin_feedback(restarted)}
    lost = set(acknowledged) - set(stored)
    assert not lost, f"{len(lost)} acknowledged feedback posts were lost"
    assert all(stored[i]["question"] == QUESTION for i in acknowledged)


def test_replies_logged_just_before_a_clean_stop_are_on_disk(servers, tmp_path):
    db = tmp_path / "netqa.db"
    server = servers(db)
    with httpx.Client(timeout=10) as client:
        ids = [client.post(f"{server.url}/api/ask", json={"question": f"{QUESTION} ({n})"}).json()["id"]
               for n in range(30)]
    server.stop()  # SIGTERM: the server writes its queue of replies before it exits
    assert "Application shutdown complete" in server.output()
    connection = sqlite3.connect(db)
    stored = {reply_id for (reply_id,) in connection.execute("SELECT id FROM replies")}
    connection.close()
    assert set(ids) <= stored


def assert_chat_answers_and_feedback_is_503(server: Server) -> None:
    reply = httpx.post(f"{server.url}/api/ask", json={"question": QUESTION}, timeout=10)
    assert reply.status_code == 200 and reply.json()["kind"] == "answer"
    feedback = httpx.post(f"{server.url}/api/feedback",
                          json={"reply_id": reply.json()["id"], "helpful": True, "comment": None}, timeout=10)
    assert feedback.status_code == 503
    assert "feedback database is unavailable" in feedback.json()["detail"]
    admin = httpx.get(f"{server.url}/api/admin/feedback", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert admin.status_code == 503


def test_a_corrupt_database_is_reported_at_start_and_the_chat_keeps_answering(servers, tmp_path):
    db = tmp_path / "netqa.db"
    db.write_bytes(b"\x00not a database\xff" * 1000)
    server = servers(db)
    assert "is not a readable SQLite database" in server.output()
    assert_chat_answers_and_feedback_is_503(server)
    assert server.process.poll() is None
    assert "Traceback" not in server.output()


def test_a_database_in_a_missing_folder_is_reported_and_the_chat_keeps_answering(servers, tmp_path):
    server = servers(tmp_path / "missing" / "netqa.db")
    assert "does not exist" in server.output()
    assert_chat_answers_and_feedback_is_503(server)


def test_another_programs_sqlite_file_is_left_alone_and_the_chat_keeps_answering(servers, foreign_sqlite_file):
    db = foreign_sqlite_file
    before = db.read_bytes()
    server = servers(db)
    assert "not a netqa feedback store" in server.output()
    assert_chat_answers_and_feedback_is_503(server)
    assert db.read_bytes() == before
