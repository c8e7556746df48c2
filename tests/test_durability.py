"""A real `netqa serve`, 1 and 2 workers: acknowledged feedback survives SIGKILL, every question is logged within
the batch window, a deleted database is noticed, workers die with their main process; a bad database never stops
the chat."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import threading
import time

import httpx
import pytest

from live_server import TOKEN, Server

QUESTION = "How many patients were in the CABINET trial?"


def ask(server: Server, question: str, session_id: str | None = None) -> dict:
    """One question on a connection of its own, so any worker may answer it."""
    with httpx.Client(timeout=10) as client:
        response = client.post(f"{server.url}/api/ask", json={"question": question, "session_id": session_id})
    assert response.status_code == 200, response.text
    return response.json()


def logged_questions(db) -> list[str]:
    connection = sqlite3.connect(db)
    try:
        return [question for (question,) in connection.execute("SELECT question FROM replies")]
    finally:
        connection.close()


def feedback_stream_until_killed(server: Server, replies: list[dict], kills_at: int) -> list[int]:
    """Feedback posts from four readers at once (on replies of every worker) until `kills_at` are acknowledged,
    then SIGKILL; returns the ids acknowledged with a 201."""
    acknowledged: list[int] = []
    enough = threading.Event()

    def stream(reader: int) -> None:
        n = 0
        while True:
            n += 1
            reply = replies[(reader + n) % len(replies)]
            try:
                with httpx.Client(timeout=10) as client:  # a fresh connection: any worker takes it
                    response = client.post(f"{server.url}/api/feedback",
                                           json={"reply_id": reply["id"], "helpful": n % 2 == 0,
                                                 "comment": f"reader {reader} comment {n}"})
            except httpx.TransportError:
                return
            assert response.status_code == 201, response.text
            acknowledged.append(response.json()["id"])
            if len(acknowledged) >= kills_at:
                enough.set()

    readers = [threading.Thread(target=stream, args=(r,)) for r in range(4)]
    for reader in readers:
        reader.start()
    assert enough.wait(timeout=120), f"the server did not acknowledge {kills_at} feedback posts in time"
    server.kill()
    for reader in readers:
        reader.join(timeout=30)
    return acknowledged


def sigkill_rounds(servers, tmp_path, workers: int, rounds: int) -> None:
    db = tmp_path / "netqa.db"
    for _ in range(rounds):
        server = servers(db, workers)
        replies = [ask(server, f"{QUESTION} ({n})") for n in range(8)]
        acknowledged = feedback_stream_until_killed(server, replies, kills_at=60)
        restarted = servers(db, workers)
        stored = {row["id"]: row for row in restarted.admin_feedback()}
        lost = set(acknowledged) - set(stored)
        assert not lost, f"{len(lost)} of {len(acknowledged)} acknowledged feedback posts were lost"
        assert all(stored[i]["question"].startswith(QUESTION) for i in acknowledged)
        restarted.stop()


@pytest.mark.parametrize("workers", [1, 2])
def test_every_feedback_acknowledged_with_201_survives_a_sigkill(servers, tmp_path, workers):
    sigkill_rounds(servers, tmp_path, workers, rounds=1)


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_nothing_acknowledged_is_lost_over_five_sigkills(servers, tmp_path, workers):
    sigkill_rounds(servers, tmp_path, workers, rounds=5)


@pytest.mark.parametrize("workers", [1, 2])
def test_every_question_is_in_the_database_soon_after_it_was_asked_even_if_the_server_is_killed(
        servers, tmp_path, workers):
    db = tmp_path / "netqa.db"
    server = servers(db, workers)
    asked = [ask(server, f"question {n} about the CABINET trial?")["question"] for n in range(20)]
    time.sleep(0.5)  # well past the 100 ms batch window
    assert sorted(logged_questions(db)) == sorted(asked)  # read by another program while the server runs
    server.kill()
    assert sorted(logged_questions(db)) == sorted(asked)


def test_a_database_deleted_while_running_turns_feedback_into_503_never_a_lost_201(servers, tmp_path):
    db = tmp_path / "netqa.db"
    server = servers(db)
    reply = ask(server, QUESTION)
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"netqa.db{suffix}").unlink(missing_ok=True)
    response = httpx.post(f"{server.url}/api/feedback", json={"reply_id": reply["id"], "helpful": True}, timeout=10)
    assert response.status_code == 503, response.text
    assert "was deleted or replaced" in server.output()
    assert ask(server, QUESTION)["kind"] == "answer"  # the chat still answers


def test_a_database_replaced_while_running_is_noticed_at_the_next_write(servers, tmp_path):
    db = tmp_path / "netqa.db"
    server = servers(db)
    reply = ask(server, QUESTION)
    os.replace(db, tmp_path / "moved-away.db")
    db.write_bytes((tmp_path / "moved-away.db").read_bytes())  # a copy in its place: another file
    response = httpx.post(f"{server.url}/api/feedback", json={"reply_id": reply["id"], "helpful": True}, timeout=10)
    assert response.status_code == 503
    assert "was deleted or replaced" in server.output()


def test_workers_stop_within_seconds_when_the_main_process_is_killed(servers, tmp_path):
    server = servers(tmp_path / "netqa.db", 2)
    os.kill(server.process.pid, signal.SIGKILL)  # the main process only, not its workers
    deadline = time.monotonic() + 5
    while True:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", server.port))
                break  # the port is free: no worker holds it any more
            except OSError:
                assert time.monotonic() < deadline, "workers still hold the port 5 s after the main process died"
                time.sleep(0.2)
    assert "main process has gone" in server.output()


def test_replies_logged_just_before_a_clean_stop_are_on_disk(servers, tmp_path):
    db = tmp_path / "netqa.db"
    server = servers(db)
    ids = [ask(server, f"{QUESTION} ({n})")["id"] for n in range(30)]
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
