"""SQLite storage: WAL, idempotent migrations, and PIN uniqueness that holds across processes.

The multi-process tests spawn fresh interpreters (tests/meetbridge/storage/spawned.py), as gunicorn
workers and other hosts are.
"""

from __future__ import annotations

import random
import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from meetbridge.pins import allocate_pin
from meetbridge.records import Meeting
from meetbridge.storage import Store
from meetbridge.storage.schema import migrations
from tests.meetbridge.storage.spawned import PINS_PER_PROCESS, PROCESSES, run_workers

NOW = 1_900_000_000.0
NEW_FILE_ROUNDS = 40
MIGRATION_NAMES = [migration.name for migration in migrations._migrations]


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    opened = Store(str(tmp_path / "meetbridge.db"))
    yield opened
    opened.close()


def applied_migrations(path: str) -> list[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'meetbridge' "
                            "ORDER BY rowid").fetchall()
    return [name for (name,) in rows]


def a_meeting(meeting_id: str = "m1", pin: str = "123456") -> Meeting:
    return Meeting(id=meeting_id, team_id="T1", channel_id="C1", creator_id="U1", topic="Plans",
                   session_id="1_session", pin=pin, created_at=NOW, expires_at=NOW + 3600)


def test_database_runs_in_wal_mode(store):
    assert store.database.query_one("PRAGMA journal_mode") == {"journal_mode": "wal"}
    with sqlite3.connect(store.database.path) as other:  # WAL is a property of the file
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_migrations_run_once_and_reopening_changes_nothing(tmp_path):
    path = str(tmp_path / "meetbridge.db")
    Store(path).close()
    first = applied_migrations(path)
    reopened = Store(path)
    reopened.meetings.insert(a_meeting())
    reopened.close()
    Store(path).close()
    assert first == applied_migrations(path) == MIGRATION_NAMES
    again = Store(path)
    assert again.meetings.get("m1") == a_meeting()
    again.close()


def test_schema_has_the_tables_the_spec_names(store):
    tables = set(store.database.db.table_names())
    assert {"meetings", "pins", "bridge_calls", "phone_legs", "webhook_log"} <= tables


def test_pin_is_the_primary_key_so_the_database_refuses_a_second_live_row(store):
    store.pins.claim("123456", "m1", released_before=0)
    with pytest.raises(sqlite3.IntegrityError):
        store.database.execute("INSERT INTO pins (pin, meeting_id) VALUES ('123456', 'm2')")


def test_meeting_round_trips_through_the_database(store):
    meeting = a_meeting(pin="000123")
    store.meetings.insert(meeting)
    assert store.meetings.get("m1") == meeting


def test_each_thread_gets_its_own_connection_on_the_same_file(store):
    store.meetings.insert(a_meeting())
    seen: list[object] = []

    def read() -> None:
        seen.append(store.meetings.get("m1"))

    reader = threading.Thread(target=read)
    reader.start()
    reader.join()
    assert seen == [a_meeting()]


def _open_stores(paths: list[str], ready: Callable[[], None]) -> None:
    """Child process: for each new file, wait for the others, then open (and so migrate) it."""
    for path in paths:
        ready()
        Store(path).close()


def _allocate_pins(path: str, seed: int, count: int, worker: int,
                   ready: Callable[[], None]) -> tuple[list[tuple[str, str]], int]:
    """Child process: allocate PINs as fast as possible with the same random sequence as every
    other worker, so their draws are bound to collide, counting the refused claims."""
    store = Store(path)
    rng = random.Random(seed)
    refused = 0
    claim = store.pins.claim

    def counting_claim(pin: str, meeting_id: str, released_before: float) -> bool:
        nonlocal refused
        taken = claim(pin, meeting_id, released_before)
        refused += not taken
        return taken

    store.pins.claim = counting_claim  # type: ignore[method-assign]
    ready()
    allocated = []
    for index in range(count):
        meeting_id = f"w{worker}-m{index}"
        with store.transaction():
            allocated.append((allocate_pin(store.pins, meeting_id, rng, 5, NOW), meeting_id))
    store.close()
    return allocated, refused


def test_processes_opening_the_same_new_file_at_once_migrate_it_exactly_once(tmp_path):
    """Many rounds, because the race (two processes switching a new file to WAL) is narrow."""
    paths = [str(tmp_path / f"fresh-{round_}.db") for round_ in range(NEW_FILE_ROUNDS)]
    run_workers(_open_stores, [(paths,)] * PROCESSES)
    assert [applied_migrations(path) for path in paths] == [MIGRATION_NAMES] * NEW_FILE_ROUNDS
    store = Store(paths[0])
    assert store.database.query_one("PRAGMA journal_mode") == {"journal_mode": "wal"}
    store.close()


def test_processes_allocating_from_the_same_random_sequence_never_share_a_live_pin(tmp_path):
    path = str(tmp_path / "pins.db")
    Store(path).close()
    args = [(path, 1234, PINS_PER_PROCESS, worker) for worker in range(PROCESSES)]
    outcomes = run_workers(_allocate_pins, args)
    handed_out = [pair for allocated, _ in outcomes for pair in allocated]
    refused_claims = sum(refused for _, refused in outcomes)
    store = Store(path)
    stored = {(row["pin"], row["meeting_id"])
              for row in store.database.query("SELECT pin, meeting_id FROM pins WHERE released_at IS NULL")}
    store.close()
    assert refused_claims > 0  # the workers really did draw the same PINs
    assert len({pin for pin, _ in handed_out}) == len(handed_out) == PROCESSES * PINS_PER_PROCESS
    assert set(handed_out) == stored  # every worker got exactly the PIN the database gave it


def test_a_write_that_finds_the_file_locked_by_another_process_waits_and_then_lands(store):
    other = sqlite3.connect(store.database.path, isolation_level=None)  # stands in for another worker
    other.execute("BEGIN IMMEDIATE")
    result: dict[str, Any] = {}
    writer = threading.Thread(target=lambda: result.update(
        changed=store.database.execute("INSERT INTO pin_failures (caller_number, at) VALUES ('4477', 1)")))
    writer.start()
    writer.join(timeout=0.3)
    assert writer.is_alive()  # still waiting: the other connection holds the write lock
    other.execute("COMMIT")
    writer.join(timeout=5)
    other.close()
    assert result == {"changed": 1}
    assert store.database.query("SELECT caller_number FROM pin_failures") == [{"caller_number": "4477"}]


def test_a_write_gives_up_with_database_is_locked_once_the_busy_timeout_has_passed(store, monkeypatch):
    monkeypatch.setattr("meetbridge.storage.database.BUSY_TIMEOUT_SECONDS", 0.2)
    other = sqlite3.connect(store.database.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            store.database.execute("INSERT INTO pin_failures (caller_number, at) VALUES ('4477', 1)")
    finally:
        other.execute("ROLLBACK")
        other.close()
