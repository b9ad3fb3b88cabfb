"""Both back-ends end their migrations with the same tables and the same columns."""

from __future__ import annotations

import pytest

from meetbridge.storage import Store, open_store
from meetbridge.storage.pg_schema import BOOKKEEPING_TABLE, MIGRATIONS

SQLITE_BOOKKEEPING = "_sqlite_migrations"


def sqlite_columns(store: Store) -> dict[str, set[str]]:
    tables = [row["name"] for row in store.database.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != ?",
        [SQLITE_BOOKKEEPING])]
    return {table: {row["name"] for row in store.database.query(f'PRAGMA table_info("{table}")')}
            for table in tables}


def postgres_columns(store: Store) -> dict[str, set[str]]:
    columns: dict[str, set[str]] = {}
    for row in store.database.query(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name != ?", [BOOKKEEPING_TABLE]):
        columns.setdefault(row["table_name"], set()).add(row["column_name"])
    return columns


def test_both_back_ends_have_the_same_tables_and_columns(tmp_path, postgres_url):
    sqlite, postgres = Store(str(tmp_path / "meetbridge.db")), open_store(postgres_url)
    try:
        assert postgres_columns(postgres) == sqlite_columns(sqlite)
    finally:
        sqlite.close()
        postgres.close()


def test_both_back_ends_list_the_same_table_names(tmp_path, postgres_url):
    sqlite, postgres = Store(str(tmp_path / "meetbridge.db")), open_store(postgres_url)
    try:
        assert postgres.database.table_names() == sqlite.database.table_names()
        assert {"meetings", "pins", "slack_installations"} <= set(sqlite.database.table_names())
    finally:
        sqlite.close()
        postgres.close()


@pytest.mark.parametrize("name", [m.name for m in MIGRATIONS])
def test_postgres_migration_names_are_unique(name):
    assert [m.name for m in MIGRATIONS].count(name) == 1
