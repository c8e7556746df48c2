"""The same store behaviour on every backend: a SQLite file and a real PostgreSQL database (--db FILE or URL)."""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import services
from netqa.store import LATE_REPLY_SECONDS, SQLiteLog, StoreUnavailable, open_log, postgres_log, sqlite_file
from netqa.store import base as store_base
from netqa.store import question_log as store_module


def reply(n: int, kind: str = "answer", question: str | None = None, confidence: float = 0.75) -> dict:
    return {"id": f"r{n}", "question": question or f"question {n}?", "answer": f"answer {n}", "kind": kind,
            "confidence": confidence, "citations": [], "session_id": "s"}


class Clock:
    """A settable clock, so records can be made to look days old."""

    def __init__(self):
        self.now = datetime(2025, 1, 10, 12, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


class Backend:
    """Where a store lives, and a way to look at it that does not go through netqa."""

    def __init__(self, name: str, location: str):
        self.name, self.location = name, location

    def open(self, **options):
        """The backend's class opened directly, as open_log() would choose it, so tests can pass a clock."""
        return self.kind.open(self.location, **{"retention_days": 0, **options})

    @property
    def kind(self) -> type:
        return SQLiteLog if self.name == "sqlite" else postgres_log.PostgresLog

    def sql(self, statement: str) -> list[tuple]:
        """Run one statement on a connection of its own (committed) and return its rows."""
        if self.name == "sqlite":
            connection = sqlite3.connect(self.location)
            try:
                rows = connection.execute(statement).fetchall()
                connection.commit()
                return rows
            finally:
                connection.close()
        import psycopg

        with psycopg.connect(self.location, autocommit=True) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def reply_ids(self) -> list[str]:
        """The reply ids committed so far, in the order they were written."""
        order = "rowid" if self.name == "sqlite" else "seq"
        return [reply_id for (reply_id,) in self.sql(f"SELECT id FROM replies ORDER BY {order}")]

    def set_version(self, version: int) -> None:
        self.sql(f"PRAGMA user_version = {version}" if self.name == "sqlite"
                 else f"UPDATE netqa_schema SET version = {version}")

    def storable(self, text: str) -> str:
        return store_base.storable(text) if self.name == "sqlite" else postgres_log.storable(text)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path) -> Backend:
    if request.param == "sqlite":
        return Backend("sqlite", str(tmp_path / "netqa.db"))
    return Backend("postgresql", request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(backend):
    with backend.open() as opened:
        yield opened


# ---------------------------------------------------------------- feedback


def test_feedback_is_listed_with_the_question_answer_and_kind_it_rates(store):
    store.record_reply(reply(1))
    fid = store.add_feedback("r1", False, "too vague")
    [row] = store.feedback()
    assert row["id"] == fid
    assert (row["reply_id"], row["helpful"], row["comment"]) == ("r1", False, "too vague")
    assert (row["question"], row["answer"], row["kind"]) == ("question 1?", "answer 1", "answer")
    assert row["created_at"].endswith("Z")


def test_feedback_on_an_unknown_reply_is_a_key_error_and_stores_nothing(store):
    with pytest.raises(KeyError):
        store.add_feedback("never-logged", True, None)
    assert store.feedback() == []


def test_recording_the_same_reply_twice_keeps_one_row_and_its_feedback(store):
    store.record_reply(reply(1))
    store.add_feedback("r1", True, None)
    store.record_reply(reply(1))
    assert len(store.feedback()) == 1


EXAMPLES = itertools.count()
ANY_TEXT = st.text(st.one_of(st.characters(), st.characters(categories=["Cs"]), st.sampled_from("\x00\u202e\ufeff🙂")))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=ANY_TEXT, answer=ANY_TEXT, comment=st.none() | ANY_TEXT, reply_id=ANY_TEXT)
def test_any_text_is_stored_and_read_back_with_what_the_backend_cannot_hold_replaced(store, backend, question, answer,
                                                                                    comment, reply_id):
    reply_id = f"{next(EXAMPLES)}{reply_id}"  # one store serves every example: each reply is a new one
    store.record_reply({"id": reply_id, "question": question, "answer": answer, "kind": "no_answer",
                        "confidence": 0.0})
    fid = store.add_feedback(reply_id, True, comment)
    [row] = [row for row in store.feedback() if row["id"] == fid]
    assert (row["reply_id"], row["question"], row["answer"]) == tuple(map(backend.storable,
                                                                          (reply_id, question, answer)))
    assert row["comment"] == (None if comment is None else backend.storable(comment))


def test_feedback_survives_closing_and_reopening(backend):
    with backend.open() as first:
        first.record_reply(reply(1))
        first.add_feedback("r1", True, "thanks")
    with backend.open() as second:
        assert [f["comment"] for f in second.feedback()] == ["thanks"]


WRITER = """
import sys
from netqa.store import open_log
store = open_log(sys.argv[1], retention_days=0)
store.record_reply({"id": "r", "question": "q?", "answer": "a", "kind": "answer", "confidence": 1.0})
while True:
    print(store.add_feedback("r", True, "x" * 200), flush=True)
"""


def test_every_feedback_acknowledged_before_sigkill_is_stored(backend):
    writer = subprocess.Popen([sys.executable, "-c", WRITER, backend.location], stdout=subprocess.PIPE, text=True)
    acknowledged = []
    try:
        for line in writer.stdout:
            acknowledged.append(int(line))
            if len(acknowledged) == 300:
                os.kill(writer.pid, signal.SIGKILL)
                break
    finally:
        writer.kill()
        writer.wait()
    assert len(acknowledged) == 300
    with backend.open() as reopened:
        assert set(acknowledged) <= {f["id"] for f in reopened.feedback()}


# ---------------------------------------------------------------- the reply log is written behind


def test_queued_replies_are_written_in_order_without_a_flush_within_a_second(store, backend):
    for n in range(1200):
        store.record_reply(reply(n))
    deadline = time.monotonic() + 10
    while len(backend.reply_ids()) < 1200:
        assert time.monotonic() < deadline, "the writer thread did not commit the queued replies"
        time.sleep(0.02)
    assert backend.reply_ids() == [f"r{n}" for n in range(1200)]


def test_one_reply_reaches_the_database_within_100_ms(store, backend):
    store.record_reply(reply(1))
    time.sleep(0.1 + 0.05)  # the batch window, and time for its commit on a busy machine
    assert backend.reply_ids() == ["r1"]


def test_closing_writes_every_queued_reply(backend, monkeypatch):
    monkeypatch.setattr(store_module, "BATCH_SECONDS", 60.0)  # no batch falls due: only close() can write them
    with backend.open() as store:
        for n in range(300):
            store.record_reply(reply(n))
        assert backend.reply_ids() == []
    assert backend.reply_ids() == [f"r{n}" for n in range(300)]
    with pytest.raises(StoreUnavailable, match="closed"):
        store.record_reply(reply(301))


def test_feedback_right_after_its_reply_is_accepted_without_waiting_for_the_batch(backend, monkeypatch):
    monkeypatch.setattr(store_module, "BATCH_SECONDS", 60.0)
    with backend.open() as store:
        store.record_reply(reply(1))
        started = time.monotonic()
        feedback_id = store.add_feedback("r1", True, "quick")
        assert time.monotonic() - started < LATE_REPLY_SECONDS
        assert [(f["id"], f["question"]) for f in store.feedback()] == [(feedback_id, "question 1?")]


def test_the_exports_include_replies_still_queued(backend, monkeypatch):
    monkeypatch.setattr(store_module, "BATCH_SECONDS", 60.0)
    with backend.open() as store:
        store.record_reply(reply(1, kind="no_answer"))
        assert [g["question"] for g in store.unanswered()] == ["question 1?"]


def test_a_full_queue_drops_the_oldest_replies_and_counts_them(backend, monkeypatch):
    monkeypatch.setattr(store_module, "BATCH_SECONDS", 60.0)
    monkeypatch.setattr(store_module, "MAX_PENDING_ROWS", 5)
    with backend.open() as store:
        for n in range(8):
            store.record_reply(reply(n))
        assert store.dropped == 3
        store.flush()
        assert backend.reply_ids() == [f"r{n}" for n in range(3, 8)]


def test_two_stores_on_one_database_as_two_servers_see_each_others_replies_and_lose_nothing(backend):
    stores = [backend.open(), backend.open()]
    stores[0].record_reply(reply(1))
    ids: list[int] = []

    def post(store) -> None:
        for _ in range(100):
            # Store 1 waits for store 0's batch the first time, as for a reply its conversations know.
            ids.append(store.add_feedback("r1", True, None, wait=LATE_REPLY_SECONDS))

    threads = [threading.Thread(target=post, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 200 and {f["id"] for f in stores[1].feedback()} == set(ids)
    for store in stores:
        store.close()


def test_eight_threads_adding_feedback_at_once_lose_nothing(store):
    for n in range(8):
        store.record_reply(reply(n))
    ids: list[int] = []
    errors: list[BaseException] = []

    def post(n: int) -> None:
        try:
            for i in range(50):
                ids.append(store.add_feedback(f"r{n}", i % 2 == 0, f"thread {n} item {i}"))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(ids)) == 400
    assert {f["id"] for f in store.feedback()} == set(ids)


# ---------------------------------------------------------------- schema


def test_a_store_written_by_a_newer_netqa_is_refused_and_names_both_versions(backend):
    backend.open().close()
    backend.set_version(sqlite_file.SCHEMA_VERSION + 1)
    with pytest.raises(StoreUnavailable, match=f"schema version {sqlite_file.SCHEMA_VERSION + 1}, "
                                               f"this netqa reads version {sqlite_file.SCHEMA_VERSION}"):
        backend.open()


def test_another_programs_database_is_refused_and_left_unchanged(backend):
    backend.sql("CREATE TABLE patients (name TEXT)")
    backend.sql("INSERT INTO patients VALUES ('Ann')")
    with pytest.raises(StoreUnavailable, match="not a netqa feedback store.*patients"):
        backend.open()
    assert backend.sql("SELECT name FROM patients") == [("Ann",)]
    assert "replies" not in {name for (name,) in backend.sql(
        "SELECT name FROM sqlite_master" if backend.name == "sqlite"
        else "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}


@pytest.mark.parametrize("attempt", range(5))  # a race: one lucky run proves little
def test_two_servers_opening_a_new_database_at_once_create_it_once(backend, attempt):
    opened: list = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            opened.append(backend.open())
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(opened) == 4
    for store in opened:
        store.close()


# ---------------------------------------------------------------- retention


def test_purge_deletes_replies_and_feedback_older_than_the_limit(backend):
    clock = Clock()
    with backend.open(clock=clock) as store:
        store.record_reply(reply(1))
        store.add_feedback("r1", True, "old")
        clock.now += timedelta(days=20)
        store.record_reply(reply(2))
        store.add_feedback("r2", True, "new")
        clock.now += timedelta(days=20)
        store.record_reply(reply(3))
        store.add_feedback("r3", False, "newest")
        clock.now += timedelta(days=1)
        assert store.purge(30) == 2  # reply 1 and its feedback
        assert [f["comment"] for f in store.feedback()] == ["new", "newest"]


def test_feedback_on_a_purged_reply_goes_with_it_even_if_given_later(backend):
    clock = Clock()
    with backend.open(clock=clock) as store:
        store.record_reply(reply(1))
        clock.now += timedelta(days=9)
        store.add_feedback("r1", True, "late")
        clock.now += timedelta(days=2)
        assert store.purge(10) == 2
        assert store.feedback() == []


def test_opening_with_a_retention_setting_purges_old_records(backend, monkeypatch):
    clock = Clock()
    with backend.open(clock=clock) as store:
        store.record_reply(reply(1, kind="no_answer"))
    clock.now += timedelta(days=8)
    monkeypatch.setenv("NETQA_RETENTION_DAYS", "7")
    with backend.kind.open(backend.location, clock=clock) as store:
        assert store.retention_days == 7
        assert store.unanswered() == []


# ---------------------------------------------------------------- admin lists


def test_unanswered_groups_the_same_question_however_written_most_asked_first(store):
    asked = ["Is it covered by Medicare?", "is it covered by medicare", "IS IT COVERED BY MEDICARE ??",
             "What does it cost?", "what does it  cost", "Who makes the pill?"]
    for n, question in enumerate(asked):
        store.record_reply(reply(n, kind="no_answer", question=question))
    store.record_reply(reply(99, kind="answer", question="Is it covered by Medicare?"))
    groups = store.unanswered()
    assert [(g["count"]) for g in groups] == [3, 2, 1]
    assert groups[0]["question"] == "IS IT COVERED BY MEDICARE ??"  # shown as last asked
    assert groups[2]["question"] == "Who makes the pill?"
    assert all(g["last_asked"].endswith("Z") for g in groups)


def test_low_confidence_groups_answers_under_the_threshold_most_asked_first(store):
    asked = [("Is it covered by Medicare?", 0.55), ("is it covered by medicare", 0.62), ("What dose?", 0.9),
             ("Who paid for the trial?", 0.65), ("who paid for the trial", 0.7)]
    for n, (question, score) in enumerate(asked):
        store.record_reply(reply(n, question=question, confidence=score))
    store.record_reply(reply(9, kind="no_answer", question="Is it covered by Medicare?", confidence=0.1))
    groups = store.low_confidence()
    assert [(g["question"], g["count"], g["answer"], g["confidence"]) for g in groups] == [
        ("is it covered by medicare", 2, "answer 1", 0.62),
        ("Who paid for the trial?", 1, "answer 3", 0.65)]  # 0.7 itself is not below 0.7
    assert [(g["question"], g["count"]) for g in store.low_confidence(below=0.6)] == \
        [("Is it covered by Medicare?", 1)]


# ---------------------------------------------------------------- PostgreSQL going away and coming back


def wait_until(condition, seconds: float = 20.0, every: float = 0.1):
    """Poll condition() until it returns something true (and return it), at most this long."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = condition()
        except StoreUnavailable:
            result = None
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"not true within {seconds} s: {condition}")


def test_postgresql_down_at_start_the_store_opens_refuses_feedback_then_recovers(postgres, postgres_url, caplog):
    postgres.stop("immediate")
    try:
        store = open_log(postgres_url, retention_days=0)
        store.record_reply(reply(1))
        with pytest.raises(StoreUnavailable, match="unreachable"):
            store.add_feedback("r1", True, None)
    finally:
        postgres.start()
    try:
        wait_until(lambda: store.add_feedback("r1", True, "back"))
        assert [f["comment"] for f in store.feedback()] == ["back"]
    finally:
        store.close()
    outage = [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outage) == 1, outage  # one line for the outage, however many tries
    assert services.PG_PASSWORD not in caplog.text and "***" in outage[0]


def test_postgresql_going_away_loses_no_queued_reply_and_recovers_by_itself(postgres, postgres_url, caplog):
    with open_log(postgres_url, retention_days=0) as store:
        store.record_reply(reply(1))
        store.add_feedback("r1", True, "before")
        postgres.stop("immediate")
        try:
            for n in range(2, 12):
                store.record_reply(reply(n))  # the chat goes on answering: its replies wait in the queue
            with pytest.raises(StoreUnavailable):
                store.add_feedback("r1", True, "during")
        finally:
            postgres.start()
        wait_until(lambda: store.add_feedback("r11", False, "after"))
        assert [f["comment"] for f in store.feedback()] == ["before", "after"]
        assert store.dropped == 0
    import psycopg

    with psycopg.connect(postgres_url) as connection:
        ids = {reply_id for (reply_id,) in connection.execute("SELECT id FROM replies")}
    assert ids == {f"r{n}" for n in range(1, 12)}
    messages = [r.getMessage() for r in caplog.records if r.name == "netqa.store"]
    assert sum("unreachable" in m for m in messages) == 1 and sum("reachable again" in m for m in messages) == 1
    assert services.PG_PASSWORD not in caplog.text


def test_a_database_url_of_another_kind_is_refused_with_the_choices():
    with pytest.raises(StoreUnavailable, match="a file path or a URL starting with postgresql://, postgres://; not mysql://"):
        open_log("mysql://netqa@127.0.0.1/netqa")
