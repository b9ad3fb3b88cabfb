"""The database seam both back-ends implement: transactions, errors, placeholders, ping."""

from __future__ import annotations

import time

import pytest

from meetbridge.storage import UniqueViolation, open_store
from meetbridge.storage.pg_schema import BOOKKEEPING_TABLE, MIGRATIONS
from meetbridge.storage.postgres import PostgresDatabase, translate
from tests.meetbridge.storage.conftest import NOW, race
from tests.postgres import free_port


def test_a_transaction_is_seen_by_other_hosts_only_once_committed(store, other_store):
    with store.transaction():
        store.pins.claim("123456", "m1", released_before=0)
        with store.transaction():  # nested: joins the outer one
            store.pins.claim("654321", "m1", released_before=0)
        assert other_store.pins.live_meeting_id("123456") is None
    assert other_store.pins.live_meeting_id("654321") == "m1"


def test_a_unique_refusal_is_the_storage_error_on_every_back_end(store):
    store.seen_tokens.first_use("jti", NOW)
    with pytest.raises(UniqueViolation):
        store.database.insert("webhook_tokens_seen", {"jti": "jti", "seen_at": NOW})


def test_named_and_positional_placeholders_and_returning(store):
    row = store.database.write_returning(
        "INSERT INTO alerts_said (name, said_at) VALUES (:name, :at) RETURNING name, said_at",
        {"name": "50% used", "at": NOW})
    assert row == {"name": "50% used", "said_at": NOW}
    assert store.database.query("SELECT name FROM alerts_said WHERE name LIKE '50%' AND said_at = ?", [NOW]) == [
        {"name": "50% used"}]


def test_placeholders_are_translated_outside_quoted_text_only():
    assert translate("SELECT '?', ':x', \"a?\" FROM t WHERE a = ? AND b = :b AND c::text LIKE '5%' -- ?") == (
        "SELECT '?', ':x', \"a?\" FROM t WHERE a = %s AND b = %(b)s AND c::text LIKE '5%%' -- ?")
    assert translate("SELECT 5 % 2") == "SELECT 5 %% 2"


def test_ping_is_false_quickly_when_postgresql_is_unreachable():
    database = PostgresDatabase(f"postgresql://nobody@127.0.0.1:{free_port()}/none")
    try:
        started = time.monotonic()
        assert database.ping() is False
        assert time.monotonic() - started < 5
    finally:
        database.close()


def test_hosts_starting_together_on_a_new_postgres_database_migrate_it_once(postgres_cluster):
    url = postgres_cluster.create_database(template=None)  # empty: every migration still to run
    try:
        hosts = race(4, lambda _: open_store(url))
        applied = hosts[0].database.query(f"SELECT name FROM {BOOKKEEPING_TABLE}")
        assert sorted(row["name"] for row in applied) == sorted(m.name for m in MIGRATIONS)
        assert hosts[3].pins.claim("123456", "m1", released_before=0)
        for host in hosts:
            host.close()
    finally:
        postgres_cluster.drop_database(url)
