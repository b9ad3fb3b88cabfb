"""Values on their way into the database: many rows of one table at once (`insert_many`), and
text holding U+0000, which PostgreSQL's text cannot store, on every statement path."""

from __future__ import annotations

import pytest

from meetbridge.storage.multirow import BATCH_ROWS
from meetbridge.storage.seam import UniqueViolation
from tests.meetbridge.storage.conftest import NOW

COLUMNS = ("at", "route", "uuid", "status", "detail")
NUL_TEXT = "Zoë\x00«ü»\x00"


def stored_text(store, text: str) -> str:
    """`text` as the store's back-end keeps it: as given on SQLite, NUL → U+FFFD on PostgreSQL."""
    return text.replace("\x00", "\ufffd") if store.database.dialect == "postgresql" else text


def log_rows(store) -> list[tuple]:
    return [tuple(row[column] for column in COLUMNS)
            for row in store.database.query("SELECT * FROM webhook_log ORDER BY id")]


@pytest.mark.parametrize("count", [1, BATCH_ROWS, 2 * BATCH_ROWS + 45])
def test_many_rows_are_inserted_in_order_with_their_values(store, count):
    rows = [(NOW + n / 3, f"/route-{n % 7}", None if n % 5 == 0 else f"uuid-{n}", "ok", "é" * (n % 3))
            for n in range(count)]
    store.database.insert_many("webhook_log", COLUMNS, rows)
    assert log_rows(store) == rows


def test_inserting_no_rows_writes_nothing(store):
    store.database.insert_many("webhook_log", COLUMNS, [])
    assert store.database.query("SELECT * FROM webhook_log") == []


def test_many_rows_keep_nul_on_sqlite_and_store_a_visible_stand_in_on_postgresql(store):
    rows = [(NOW, "/voice-dtmf", "uuid-0", "ok", ""), (NOW + 1, "/voice-dtmf", NUL_TEXT, "ok", "a\x00"),
            (NOW + 2, "/voice-dtmf", "uuid-2", "ok", "\x00")]
    store.database.insert_many("webhook_log", COLUMNS, rows)
    assert log_rows(store) == [tuple(stored_text(store, v) if isinstance(v, str) else v for v in row) for row in rows]


def test_the_audit_log_stores_a_nul_as_its_back_end_can(store):
    store.webhook_log.record(NOW, "/voice-events", "leg\x00-1", "ok", "detail\x00")
    assert [(row["uuid"], row["detail"]) for row in store.webhook_log.recent()] == [
        (stored_text(store, "leg\x00-1"), stored_text(store, "detail\x00"))]


def test_many_rows_hitting_a_unique_key_raise_the_storage_error(store):
    rows = [("jti-1", NOW), ("jti-2", NOW), ("jti-1", NOW)]
    with pytest.raises(UniqueViolation):
        store.database.insert_many("webhook_tokens_seen", ("jti", "seen_at"), rows)


def test_many_rows_inside_a_transaction_commit_with_it(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.database.insert_many("webhook_log", COLUMNS, [(NOW, "/a", None, "ok", "")])
        raise RuntimeError("undo")
    with store.transaction():
        store.database.insert_many("webhook_log", COLUMNS, [(NOW, "/b", None, "ok", "")])
    assert [row[1] for row in log_rows(store)] == ["/b"]


@pytest.mark.parametrize("serialised", [None, "a-lock"])
def test_a_nul_in_a_one_message_write_and_its_reads_is_stored_and_found_as_its_back_end_can(store, serialised):
    params = {"jti": NUL_TEXT, "at": NOW}
    changed, rows = store.database.execute_then_reads(
        "INSERT INTO webhook_tokens_seen (jti, seen_at) VALUES (:jti, :at)",
        ["SELECT jti, seen_at FROM webhook_tokens_seen WHERE jti = :jti"], params, serialised=serialised,
        durable=False)
    assert (changed, rows) == (1, [[{"jti": stored_text(store, NUL_TEXT), "seen_at": NOW}]])


def test_a_nul_in_a_single_statement_by_position_or_by_name_is_stored_and_found(store):
    assert store.database.execute("INSERT INTO webhook_tokens_seen (jti, seen_at) VALUES (?, ?)",
                                  ("a\x00", NOW)) == 1
    assert store.database.execute("INSERT INTO webhook_tokens_seen (jti, seen_at) VALUES (:jti, :at)",
                                  {"jti": "b\x00", "at": NOW}, durable=False) == 1
    found = store.database.query("SELECT jti FROM webhook_tokens_seen WHERE jti IN (?, ?) ORDER BY jti",
                                 ["a\x00", "b\x00"])
    assert [row["jti"] for row in found] == [stored_text(store, "a\x00"), stored_text(store, "b\x00")]


def test_a_leg_whose_uuid_holds_a_nul_is_stored_and_found_again(store):
    store.legs.ensure("leg\x00", "447700900123", NOW)
    assert store.legs.get("leg\x00").uuid == stored_text(store, "leg\x00")


def test_one_message_statements_take_each_calls_values_whatever_their_types(store):
    """The message of a write and its reads is composed once per shape and types of values: a
    value of another type must not run a statement declared for the first one's."""
    for n, value in enumerate([1.5, "text", None, 7.25, "more"]):
        changed, read = store.database.execute_then_read(
            "INSERT INTO webhook_tokens_seen (jti, seen_at) VALUES (:jti, :at)", "SELECT :value AS value",
            {"jti": f"jti-{n}", "at": NOW, "value": value}, serialised="a-lock")
        assert (changed, read) == (1, {"value": value})
