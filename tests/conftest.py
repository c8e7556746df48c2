"""Fixtures shared by test modules."""

from __future__ import annotations

import sqlite3

import pytest

import services
from live_server import Server

pytest_plugins = ["_browser"]  # the browser tests' fixtures: Chromium, a real server, axe-core


@pytest.fixture
def foreign_sqlite_file(tmp_path):
    """Another program's SQLite database (a table of patients), to check netqa leaves it alone."""
    path = tmp_path / "records.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE patients (name TEXT)")
    connection.commit()
    connection.close()
    return path


@pytest.fixture
def servers(tmp_path):
    """Starts real `netqa serve` processes (Server's arguments after the database) and stops them all at the end."""
    started: list[Server] = []

    def start(db, workers: int = 1, **kwargs) -> Server:
        server = Server(db, tmp_path / f"server-{len(started)}.log", workers, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


# ---------------------------------------------------------------- real PostgreSQL and Redis servers


@pytest.fixture(scope="session")
def postgres():
    """One PostgreSQL cluster for the test session (skipped where PostgreSQL is not installed: tests/run.sh
    installs it)."""
    bin_dir = services.postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (tests/run.sh installs Debian's postgresql)")
    server = services.Postgres(bin_dir)
    yield server
    server.remove()


@pytest.fixture(scope="session")
def redis_server():
    """One redis-server for the test session (skipped where it is not installed: tests/run.sh installs it)."""
    program = services.redis_bin()
    if program is None:
        pytest.skip("redis-server is not installed (tests/run.sh installs Debian's redis-server)")
    server = services.Redis(program)
    yield server
    server.remove()


@pytest.fixture
def postgres_url(postgres) -> str:
    """A new, empty database on the session's PostgreSQL server."""
    return postgres.new_database()


@pytest.fixture
def redis_url(redis_server) -> str:
    """The session's Redis server, emptied for this test."""
    if redis_server.process is None:
        redis_server.start()  # a test that stopped it to simulate an outage and failed before starting it again
    redis_server.flush()
    return redis_server.url()
