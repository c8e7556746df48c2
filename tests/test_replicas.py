"""Two `netqa serve` processes sharing PostgreSQL (NETQA_DB) and Redis (NETQA_SESSIONS) behave as one service, and
keep answering when either goes away. Every request on a fresh connection, to 127.0.0.1 only."""

from __future__ import annotations

import itertools
import json
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

import services
from live_server import Server

TOKEN = "replicas-test-token"
RATE_LIMIT = 40  # requests a minute per client, counted across both servers
GOLD = Path(__file__).resolve().parents[1] / "corpus" / "gold.jsonl"


def followups(n: int) -> list[dict]:
    """The first n follow-up questions of the gold set that have one earlier question."""
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row.get("category") == "followup" and len(row.get("history", [])) == 1][:n]


def ask(server: Server, question: str, session_id: str | None = None) -> dict:
    response = httpx.post(f"{server.url}/api/ask", json={"question": question, "session_id": session_id},
                          timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def feedback(server: Server, reply_id: str, comment: str) -> httpx.Response:
    return httpx.post(f"{server.url}/api/feedback", json={"reply_id": reply_id, "helpful": True, "comment": comment},
                      timeout=30)


def admin(server: Server, what: str) -> list[dict]:
    response = httpx.get(f"{server.url}/api/admin/{what}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def wait_until(condition, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"not true within {seconds} s")


@pytest.fixture(scope="module")
def shared(postgres, redis_server, tmp_path_factory):
    """The settings of one service: a new PostgreSQL database and the (emptied) Redis server, with a key prefix."""
    if redis_server.process is None:
        redis_server.start()
    redis_server.flush()
    return {"NETQA_DB": postgres.new_database(), "NETQA_SESSIONS": redis_server.url(), "NETQA_ADMIN_TOKEN": TOKEN,
            "NETQA_REDIS_PREFIX": "hospital-a:", "NETQA_RATE_LIMIT": "0"}


@pytest.fixture(scope="module")
def pair(shared, tmp_path_factory):
    """Two servers of one service, as two machines behind a load balancer."""
    folder = tmp_path_factory.mktemp("replicas")
    servers = [Server(shared["NETQA_DB"], folder / f"server-{n}.log", env=shared) for n in (1, 2)]
    yield servers
    for server in servers:
        server.stop()


def test_a_conversation_alternating_between_servers_keeps_its_context(pair):
    one, two = pair
    for n, row in enumerate(followups(10)):
        first, second = (one, two) if n % 2 == 0 else (two, one)
        opening = ask(first, row["history"][0])
        moved = ask(second, row["question"], opening["session_id"])
        same = ask(first, row["history"][0])
        stayed = ask(first, row["question"], same["session_id"])
        assert moved["session_id"] == opening["session_id"] and not moved["context_lost"], row["id"]
        # The same reply as when the conversation stays on one server: the follow-up was understood alike.
        assert (moved["resolved_question"], moved["answer"]) == (stayed["resolved_question"], stayed["answer"]), \
            row["id"]


def test_a_long_conversation_moving_at_every_turn_keeps_its_session(pair):
    servers = itertools.cycle(pair)
    reply = ask(next(servers), "What is the five-year survival for pancreatic NET?")
    for question in ["what about lung?", "and GI tract?", "what about lung?"]:
        following = ask(next(servers), question, reply["session_id"])
        assert following["session_id"] == reply["session_id"] and not following["context_lost"]
        reply = following


def test_feedback_on_one_server_for_a_reply_from_the_other_is_accepted_and_both_admin_views_show_it(pair):
    one, two = pair
    given = []
    for n in range(10):
        origin, other = (one, two) if n % 2 == 0 else (two, one)
        reply = ask(origin, f"How many patients were in the CABINET trial? ({n})")
        response = feedback(other, reply["id"], f"cross-server {n}")  # at once: the other's batch may be in flight
        assert response.status_code == 201, response.text
        given.append(response.json()["id"])
    for server in pair:
        comments = {row["id"]: row["comment"] for row in admin(server, "feedback")}
        assert {comments.get(fid) for fid in given} == {f"cross-server {n}" for n in range(10)}


def test_either_admin_view_lists_questions_asked_on_both(pair):
    one, two = pair
    ask(one, "Is cabozantinib covered by Medicare in Ohio?")
    ask(two, "is cabozantinib covered by medicare in ohio")
    time.sleep(0.5)  # each server writes its question log within 100 ms (more on a busy test machine)
    for server in pair:
        counts = {row["question"].lower().rstrip("?"): row["count"] for row in admin(server, "unanswered")}
        assert counts.get("is cabozantinib covered by medicare in ohio") == 2


def test_the_rate_limit_counts_requests_to_both_servers(shared, tmp_path):
    limited = {**shared, "NETQA_RATE_LIMIT": str(RATE_LIMIT), "NETQA_REDIS_PREFIX": "rate-test:"}
    servers = [Server(limited["NETQA_DB"], tmp_path / f"server-{n}.log", env=limited) for n in (1, 2)]
    try:
        statuses = [httpx.post(f"{servers[n % 2].url}/api/ask", json={"question": "Who is the study chair?"},
                               timeout=30).status_code for n in range(RATE_LIMIT + 10)]
    finally:
        for server in servers:
            server.stop()
    assert statuses.count(200) == RATE_LIMIT and statuses[RATE_LIMIT:] == [429] * 10


def test_every_redis_key_carries_the_prefix_and_an_expiry(pair, redis_server):
    ask(pair[0], "Who is the study chair?")
    client = redis_server.client()
    keys = list(client.scan_iter(count=1000))
    assert keys and all(key.startswith(b"hospital-a:") or key.startswith(b"rate-test:") for key in keys)
    assert all(0 < client.pttl(key) <= 1800 * 1000 for key in keys)


# ---------------------------------------------------------------- failures


@pytest.fixture
def fresh_pair(shared, tmp_path):
    started: list[Server] = []

    def start(n: int = 2) -> list[Server]:
        started.extend(Server(shared["NETQA_DB"], tmp_path / f"server-{k}.log", env=shared) for k in range(n))
        return started

    yield start
    for server in started:
        server.stop()


def outage_lines(server: Server, what: str) -> list[str]:
    return [line for line in server.output().splitlines() if what in line and "unreachable" in line]


@pytest.mark.slow
def test_redis_going_away_keeps_answers_loses_context_with_a_notice_then_recovers(fresh_pair, redis_server):
    one, two = fresh_pair()
    opening = ask(one, "What is the five-year survival for pancreatic NET?")
    redis_server.stop()
    try:
        lost = [ask(two, "what about lung?", opening["session_id"]) for _ in range(5)]
        assert all(reply["context_lost"] and reply["answer"] for reply in lost)
        reply = ask(one, "How many patients were in the CABINET trial?")
        assert feedback(one, reply["id"], "during the Redis outage").status_code == 201  # PostgreSQL still holds it
    finally:
        redis_server.start()
    restarted = wait_until(lambda: not (r := ask(one, "what about lung?", ask(two, "Who is the study chair?")
                                                 ["session_id"]))["context_lost"] and r)
    assert restarted["session_id"]
    for server in (one, two):
        assert len(outage_lines(server, "conversation store")) <= 1
        assert services.REDIS_PASSWORD not in server.output()
    assert sum(len(outage_lines(server, "conversation store")) for server in (one, two)) >= 1


@pytest.mark.slow
def test_postgresql_going_away_refuses_feedback_with_503_keeps_answering_and_loses_nothing(fresh_pair, postgres):
    one, two = fresh_pair()
    before = ask(one, "Who sponsored the CABINET trial?")
    assert feedback(two, before["id"], "before the outage").status_code == 201
    postgres.stop("immediate")
    try:
        during = [ask(server, f"Who is the study chair? ({n})") for n, server in enumerate((one, two) * 3)]
        refused = feedback(one, during[0]["id"], "during the outage")
        assert refused.status_code == 503 and "unavailable" in refused.json()["detail"]
    finally:
        postgres.start()
    accepted = wait_until(lambda: (r := feedback(two, during[-1]["id"], "after the outage")).status_code == 201 and r)
    assert accepted.json()["id"]
    assert [row["comment"] for row in admin(one, "feedback")][-2:] == ["before the outage", "after the outage"]
    # Every question answered during the outage waited in its server's queue and is in the database now.
    asked = {reply["id"] for reply in during}
    wait_until(lambda: asked <= logged_reply_ids(one))
    for server in (one, two):
        assert len(outage_lines(server, "database")) <= 2  # the log's pool and the conversations' pool
        assert services.PG_PASSWORD not in server.output()


def logged_reply_ids(server: Server) -> set[str]:
    import psycopg

    with psycopg.connect(str(server.db)) as connection:
        return {reply_id for (reply_id,) in connection.execute("SELECT id FROM replies")}


@pytest.mark.slow
def test_a_server_started_while_postgresql_and_redis_are_away_answers_then_recovers_by_itself(fresh_pair, postgres,
                                                                                              redis_server):
    postgres.stop("immediate")
    redis_server.stop()
    try:
        [server] = fresh_pair(1)
        reply = ask(server, "Who is the study chair?")
        assert reply["kind"] == "answer"
        assert feedback(server, reply["id"], "while away").status_code == 503
        assert ask(server, "where does she work?", reply["session_id"])["context_lost"]
    finally:
        postgres.start()
        redis_server.start()
    later = wait_until(lambda: (r := ask(server, "Who is the study chair?")) and
                       feedback(server, r["id"], "back").status_code == 201 and r)
    # A conversation begun once Redis is back keeps its context.
    follow = wait_until(lambda: not (r := ask(server, "where does she work?",
                                              ask(server, "Who is the study chair?")["session_id"]))["context_lost"]
                        and r)
    assert follow["session_id"] and later["id"]
    output = server.output()
    assert len(outage_lines(server, "conversation store")) == 1
    assert 1 <= len(outage_lines(server, "the database")) <= 2  # the log's pool and, at most, a second line
    assert services.PG_PASSWORD not in output and services.REDIS_PASSWORD not in output


def test_a_redis_that_hangs_holds_up_only_the_requests_that_wait_for_it(fresh_pair, redis_server):
    """Redis calls are made in worker threads: while one question waits for a Redis that stopped answering, the
    event loop serves every other request at once."""
    (server,) = fresh_pair(1)
    session = ask(server, "Who is the study chair?")["session_id"]
    assert redis_server.process is not None
    waited: list[float] = []

    def follow_up() -> None:
        started = time.monotonic()
        ask(server, "where does she work?", session)
        waited.append(time.monotonic() - started)

    redis_server.process.send_signal(signal.SIGSTOP)  # a hung Redis: connections open, no answer
    try:
        asking = threading.Thread(target=follow_up)
        asking.start()
        time.sleep(0.1)  # the follow-up is now waiting for Redis (up to its socket timeout)
        started = time.monotonic()
        assert httpx.get(f"{server.url}/api/health", timeout=10).status_code == 200
        health = time.monotonic() - started
        asking.join()
    finally:
        redis_server.process.send_signal(signal.SIGCONT)
    assert waited and waited[0] >= 0.3  # the follow-up did wait for Redis ...
    assert health < 0.25  # ... and the health check did not wait behind it
