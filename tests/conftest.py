"""Fixtures shared by test modules."""

from __future__ import annotations

import sqlite3

import pytest

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
