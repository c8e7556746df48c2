"""One bot shared by many threads answers exactly as it does alone, and conversations never bleed."""

from __future__ import annotations

import json
import sys
import threading

import pytest

import netqa
from netqa.config import bundled_path

THREADS = 8
QUESTIONS_PER_THREAD = 50


def gold_conversations() -> list[tuple[str, ...]]:
    """Every gold question with the turns before it: follow-ups make session memory part of the test."""
    lines = (bundled_path("corpus") / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [tuple(row.get("history", [])) + (row["question"],) for row in rows]


def workload(thread: int, conversations: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """About fifty questions in whole conversations, a different slice of the gold set for each thread."""
    chosen, total, n = [], 0, thread * 17
    while total < QUESTIONS_PER_THREAD:
        conversation = conversations[n % len(conversations)]
        chosen.append(conversation)
        total += len(conversation)
        n += 1
    return chosen


def signature(reply) -> tuple:
    """What must not depend on threading: everything but the fresh reply and session ids."""
    return (reply.answer, reply.kind, round(reply.confidence, 12), reply.citations, reply.short_answer,
            reply.quote, reply.resolved_question, reply.suggestions)


def converse(bot, conversation: tuple[str, ...]) -> list[tuple]:
    """A conversation in a session of its own: the first reply's session id (issued by the bot) carried on."""
    session_id, replies = None, []
    for question in conversation:
        reply = bot.ask(question, session_id=session_id)
        session_id = reply.session_id
        replies.append(signature(reply))
    return replies


@pytest.fixture(scope="module")
def conversations():
    return gold_conversations()


@pytest.fixture
def rapid_thread_switching():
    """Switch threads every microsecond rather than every 5 ms, so races get their chance."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(previous)


def test_eight_threads_sharing_one_bot_get_the_single_threaded_replies(conversations, rapid_thread_switching):
    work = {t: workload(t, conversations) for t in range(THREADS)}
    alone = netqa.load()
    expected = {t: [converse(alone, c) for c in work[t]] for t in work}

    shared = netqa.load()
    got: dict[int, list] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def run(t: int) -> None:
        try:
            start.wait()
            got[t] = [converse(shared, c) for c in work[t]]
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(len(c) for t in work for c in work[t]) >= THREADS * QUESTIONS_PER_THREAD
    for t in range(THREADS):
        assert got[t] == expected[t], f"thread {t} got different replies from the single-threaded run"


SURVIVAL = ("What is the five-year survival for pancreatic NET?", "what about lung?", "and GI tract?")
CHAIR = ("Who is the study chair?", "where does she work?", "what did she say?")


def test_interleaved_conversations_each_follow_their_own_thread():
    alone = netqa.load()
    expected = {"survival": converse(alone, SURVIVAL), "chair": converse(alone, CHAIR)}

    bot = netqa.load()
    got: dict[str, list] = {"survival": [], "chair": []}
    sessions: dict[str, str | None] = {"survival": None, "chair": None}
    for survival, chair in zip(SURVIVAL, CHAIR, strict=False):
        for name, question in (("survival", survival), ("chair", chair)):
            reply = bot.ask(question, session_id=sessions[name])
            sessions[name] = reply.session_id
            got[name].append(signature(reply))
    assert got == expected
    assert "55%" in got["survival"][1][0] and "Dana-Farber" in got["chair"][1][0]


def test_a_follow_up_in_a_new_session_knows_nothing_of_other_sessions():
    bot = netqa.load()
    other = None
    for question in SURVIVAL[:1] + CHAIR[:1]:
        other = bot.ask(question, session_id=other).session_id
    fresh = signature(bot.ask("where does she work?"))
    assert fresh == signature(netqa.load().ask("where does she work?"))
    assert fresh[6] == "where does she work?"  # resolved as asked: no "she" taken from the other session


def test_concurrent_conversations_in_threads_do_not_bleed(rapid_thread_switching):
    alone = netqa.load()
    expected = {name: converse(alone, turns) for name, turns in (("survival", SURVIVAL), ("chair", CHAIR))}
    bot = netqa.load()
    results: dict[str, list] = {}
    start = threading.Barrier(2 * 8)

    def run(name: str, turns: tuple[str, ...], n: int) -> None:
        start.wait()
        results[f"{name}-{n}"] = converse(bot, turns)

    threads = [threading.Thread(target=run, args=(name, turns, n))
               for n in range(8) for name, turns in (("survival", SURVIVAL), ("chair", CHAIR))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 16
    for key, replies in results.items():
        assert replies == expected[key.split("-")[0]], key
