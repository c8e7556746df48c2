"""Fixtures shared by test modules."""

from __future__ import annotations

import sqlite3

import pytest

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
