"""Every Conversations backend keeps the same promises: issued ids only, expiry, the cap, reply ids, rate counts.

A new backend joins by adding itself to `BACKENDS`; each is also checked across two connections, as two server
workers (or two servers on PostgreSQL and Redis) see it.
"""

from __future__ import annotations

import os
import stat
import threading

import pytest

from netqa.records import Turn
from netqa.store import MemorySessions, SQLiteSessions, new_session_id
from netqa.store.base import MAX_TURNS, TRANSCRIPT_TURNS
from netqa.store.postgres_sessions import PostgresSessions
from netqa.store.redis_sessions import RedisSessions

BACKENDS = ["memory", "sqlite", "postgresql", "redis"]


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(params=BACKENDS)
def open_store(request, tmp_path, clock):
    """Opens stores of the backend under test; two opened with the same name share their data (two workers)."""
    opened = []

    def make(ttl_seconds: float = 60.0, max_sessions: int = 100):
        if request.param == "memory":
            if opened:
                return opened[0]  # one process: the same object
            store = MemorySessions(ttl_seconds, max_sessions, clock=clock)
        elif request.param == "sqlite":
            store = SQLiteSessions.open(tmp_path / "netqa.db", ttl_seconds, max_sessions, clock=clock)
        elif request.param == "postgresql":
            store = PostgresSessions.open(request.getfixturevalue("postgres_url"), ttl_seconds, max_sessions,
                                          clock=clock)
        else:
            store = RedisSessions.open(request.getfixturevalue("redis_url"), ttl_seconds, max_sessions, clock=clock)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


def turn(question: str) -> Turn:
    return Turn(question, ("Jennifer Chan",), True, "trial", "person")


def test_an_id_never_issued_has_no_history(open_store):
    store = open_store()
    for chosen in ("attacker-chosen", new_session_id(), "", "0" * 31, "Z" * 32):
        assert store.history(chosen) is None


def test_a_session_remembers_its_turns_in_order_and_keeps_the_last_few(open_store):
    store = open_store()
    session = new_session_id()
    for n in range(MAX_TURNS + 2):
        store.remember(session, f"reply-{n}", turn(f"question {n}?"))
    history = store.history(session)
    assert [t.question for t in history] == [f"question {n}?" for n in range(2, MAX_TURNS + 2)]
    assert history[-1] == turn(f"question {MAX_TURNS + 1}?")  # every field comes back as it was, tuples included


def test_a_reply_without_a_turn_still_starts_the_session(open_store):
    store = open_store()
    session = new_session_id()
    store.remember(session, "hello-reply", None)
    assert store.history(session) == ()
    assert store.session_of("hello-reply") == session
    assert store.session_of("made-up") is None


def test_an_idle_session_expires(open_store, clock):
    store = open_store(ttl_seconds=60)
    session = new_session_id()
    store.remember(session, "r1", turn("q?"))
    clock.now += 59
    assert store.history(session) is not None  # reading does not renew it, a reply does
    store.remember(session, "r2", turn("q2?"))
    clock.now += 61
    assert store.history(session) is None
    assert store.session_of("r2") is None


def test_past_the_cap_the_least_recently_used_sessions_go(open_store, clock):
    store = open_store(max_sessions=5)
    sessions = [new_session_id() for _ in range(20)]
    for n, session in enumerate(sessions):
        clock.now += 1
        store.remember(session, f"reply-{session}", turn("q?"))
        if n == 2:
            store.remember(sessions[0], "renewed", None)  # used again: now among the most recent
    held = [session for session in sessions if store.history(session) is not None]
    assert held == sessions[-5:]
    assert len(store) == 5


def test_a_page_transcript_belongs_to_its_session_and_is_bounded(open_store):
    store = open_store()
    mine, other = new_session_id(), new_session_id()
    for session in (mine, other):
        store.remember(session, f"reply-{session}", None)
    store.save_transcript(mine, [{"id": str(n), "paragraphs": [[{"text": "ü"}]]} for n in range(TRANSCRIPT_TURNS + 3)])
    assert [t["id"] for t in store.transcript(mine)] == [str(n) for n in range(3, TRANSCRIPT_TURNS + 3)]
    assert store.transcript(other) == [] and store.transcript("not-a-session") == []


def test_the_rate_limit_slides_over_a_minute_per_client(open_store, clock):
    store = open_store()
    assert [store.hit("a", 2) for _ in range(2)] == [0, 0]
    assert store.hit("b", 2) == 0
    assert store.hit("a", 2) == 60
    clock.now += 30
    assert store.hit("a", 2) == 30
    clock.now += 30.5
    assert store.hit("a", 2) == 0
    assert store.hit("a", 0) == 0  # 0 = no limit


def test_two_workers_on_one_file_share_sessions_reply_ids_and_rate_counts(open_store):
    first, second = open_store(), open_store()
    session = new_session_id()
    first.remember(session, "r1", turn("What is the five-year survival for pancreatic NET?"))
    second.remember(session, "r2", turn("what about lung?"))
    assert [t.question for t in first.history(session)] == ["What is the five-year survival for pancreatic NET?",
                                                            "what about lung?"]
    assert first.session_of("r2") == second.session_of("r1") == session
    counted = [store.hit("client", 3) for store in (first, second, first, second)]
    assert counted[:3] == [0, 0, 0] and counted[3] > 0


def test_threads_remembering_at_once_lose_no_turn(open_store):
    store = open_store()
    sessions = [new_session_id() for _ in range(8)]

    def talk(session: str) -> None:
        for n in range(MAX_TURNS):
            store.remember(session, f"{session}-{n}", turn(f"{session} {n}?"))

    threads = [threading.Thread(target=talk, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for session in sessions:
        assert [t.question for t in store.history(session)] == [f"{session} {n}?" for n in range(MAX_TURNS)]


def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path):
    store = SQLiteSessions.open(tmp_path / "netqa.db", 60, 10)
    store.remember(new_session_id(), "r", None)
    for name in ("netqa.db", "netqa.db-wal", "netqa.db-shm"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600, name
    store.close()
