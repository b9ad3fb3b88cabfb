"""The storage suite runs every test on both back-ends: a SQLite file and a throwaway PostgreSQL.

`store` is a migrated, empty store; `store_url` its DATABASE_URL, for a second connection (another
worker or host) on the same database: `open_store(store_url)`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from meetbridge.storage import Store, open_store

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
