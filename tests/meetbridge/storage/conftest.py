"""The storage suite runs every test on both back-ends: a SQLite file and a throwaway PostgreSQL.

`store` is a migrated, empty store; `other_store` a second one on the same database (another worker
process or host: its own connections); `store_url` their DATABASE_URL. `race` starts several
threads at once, each usually on its own store, to show a rule holds when writers collide.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest

from meetbridge.records import Meeting
from meetbridge.storage import Store, open_store

T = TypeVar("T")

BACK_ENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACK_ENDS)
def store_url(request, tmp_path) -> str:
    """DATABASE_URL of an empty, migrated database on this test's back-end."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'meetbridge.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(store_url) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


@pytest.fixture
def other_store(store_url) -> Iterator[Store]:
    """A second store on the same database, standing in for another worker process or host."""
    opened = open_store(store_url)
    yield opened
    opened.close()


NOW = 1_900_000_000.0
RACERS = 8


def a_meeting(meeting_id: str = "m1", pin: str = "123456", team_id: str = "T1", **fields) -> Meeting:
    """A live meeting row (its PIN claimed separately)."""
    return Meeting(id=meeting_id, team_id=team_id, channel_id="C1", creator_id="U1", topic="Plans",
                   session_id=f"1_{meeting_id}", pin=pin, created_at=NOW, expires_at=NOW + 3600,
                   conversation_name=f"conv-{meeting_id}", **fields)


def race(count: int, attempt: Callable[[int], T]) -> list[T]:
    """Run attempt(0..count-1) on `count` threads released at the same moment; their results
    (an exception in any thread is raised here)."""
    start = threading.Barrier(count)

    def run(index: int) -> T:
        start.wait()
        return attempt(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@pytest.fixture
def stores(store_url) -> Iterator[Callable[[int], list[Store]]]:
    """stores(n): n more stores on the same database, each with its own connections (hosts)."""
    opened: list[Store] = []

    def open_more(count: int) -> list[Store]:
        more = [open_store(store_url) for _ in range(count)]
        opened.extend(more)
        return more

    yield open_more
    for each in opened:
        each.close()
