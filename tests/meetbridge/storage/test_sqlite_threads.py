"""One database connection per thread, closed when the thread ends (storage/database.py)."""

from __future__ import annotations

import gc
import sqlite3
import threading

import pytest

from meetbridge.storage.database import Database


@pytest.fixture
def database(tmp_path):
    db = Database(str(tmp_path / "threads.db"))
    yield db
    db.close()


def connection_of_a_finished_thread(database: Database) -> sqlite3.Connection:
    seen = []
    worker = threading.Thread(target=lambda: seen.append(database.db.conn) or database.query("SELECT 1"))
    worker.start()
    worker.join()
    return seen[0]


def test_a_threads_connection_is_closed_when_the_thread_ends(database):
    conn = connection_of_a_finished_thread(database)
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        conn.execute("SELECT 1")
    assert database.open_connections() == 0


def test_a_thread_keeps_one_connection_for_all_its_statements(database):
    first = database.db.conn
    database.execute("CREATE TABLE t (x)")
    database.execute("INSERT INTO t VALUES (1)")
    with database.transaction() as db:
        db.conn.execute("INSERT INTO t VALUES (2)")
    assert database.db.conn is first
    assert database.open_connections() == 1


def test_close_closes_every_live_threads_connection_and_a_later_use_reopens(database):
    own = database.db.conn
    database.close()
    with pytest.raises(sqlite3.ProgrammingError):
        own.execute("SELECT 1")
    assert database.query("SELECT 1 AS one") == [{"one": 1}]


def test_a_hundred_finished_threads_leave_no_connection_behind(database):
    for _ in range(100):
        connection_of_a_finished_thread(database)
    gc.collect()
    assert database.open_connections() == 0
