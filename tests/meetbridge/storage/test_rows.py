"""Plain rows: the audit log's batches, Calls card participants, video connections, Slack cards."""

from __future__ import annotations

from dataclasses import replace

from meetbridge.storage.multirow import BATCH_ROWS
from tests.meetbridge.storage.conftest import NOW, RACERS, a_meeting, race


def test_the_audit_log_writes_every_buffered_row_in_arrival_order(store):
    count = BATCH_ROWS * 2 + 7  # 256 + 256 + 4 + 2 + 1 rows: five statements
    for n in range(count):
        store.webhook_log.record(NOW + n, "/voice-events", f"uuid-{n}", "ok", "x" * 600 if n == 0 else "")
    store.webhook_log.flush()
    rows = store.webhook_log.recent(limit=count + 1)
    assert [row["uuid"] for row in rows] == [f"uuid-{n}" for n in reversed(range(count))]
    assert len(rows[-1]["detail"]) == 500  # cut to 500 characters
    assert store.webhook_log.prune(NOW + 10, limit=4) == 4


def test_audit_batches_of_every_size_use_a_few_statement_texts(store):
    """Each distinct text is one more prepared statement in the connection's cache (~0.6 KB a
    row): a text per batch size grew a worker's memory with every new size that a second's
    webhooks happened to make."""
    database, texts = store.webhook_log.database, set()
    execute = database.execute

    def recording(sql, params=(), durable=True):
        texts.add(sql)
        return execute(sql, params, durable)

    database.execute = recording
    written = 0
    for size in range(1, 301):  # a second's webhooks: anything from 1 to 300 rows
        for n in range(size):
            store.webhook_log.record(NOW + n, "/voice-answer", f"uuid-{size}-{n}", "ok")
        store.webhook_log.flush()
        written += size
    del database.execute
    assert store.database.query_one("SELECT count(*) AS n FROM webhook_log")["n"] == written
    assert len(texts) <= BATCH_ROWS.bit_length(), f"{len(texts)} statement texts for batches of 1-300 rows"


def test_calls_participants_are_listed_once_and_removed(store):
    store.call_participants.add_users("m1", [{"external_id": "a", "display_name": "Ann"},
                                             {"external_id": "b", "display_name": "Bob"}])
    store.call_participants.add_users("m1", [{"external_id": "a", "display_name": "Ann again"}])
    store.call_participants.add("m1", ["c", "a"])
    store.call_participants.add("m1", [])
    assert store.call_participants.listed("m1") == {"a", "b", "c"}
    assert store.call_participants.listed_users("m1")["a"]["display_name"] == "Ann"
    assert store.call_participants.listed_users("m1")["c"]["display_name"] == "Phone caller"
    store.call_participants.remove("m1", ["a", "c"])
    store.call_participants.remove("m1", [])
    assert store.call_participants.listed("m1") == {"b"}


def test_video_connections_count_once_even_out_of_order(store):
    store.video_connections.left("c2", "m1", NOW)  # the departure arrived first
    store.video_connections.joined("c2", "m1", NOW + 1)
    store.video_connections.joined("c1", "m1", NOW)
    store.video_connections.joined("c1", "m1", NOW + 2)
    assert (store.video_connections.present("m1"), store.video_connections.present_ids("m1")) == (1, ["c1"])


def test_one_host_at_a_time_holds_a_cards_send_lease(store, stores):
    store.meetings.insert(a_meeting())
    store.slack_cards.remember_response_url("m1", "https://hooks.slack.test/1", NOW)  # a card recorded
    hosts = stores(RACERS)
    assert race(RACERS, lambda index: hosts[index].slack_cards.claim_send("m1", NOW, 10)).count(True) == 1
    assert not store.slack_cards.claim_send("m1", NOW + 9, 10)
    assert store.slack_cards.claim_send("m1", NOW + 11, 10)  # the lease ran out
    store.slack_cards.release_send("m1")
    assert store.slack_cards.claim_send("m1", NOW + 12, 10)
    assert race(RACERS, lambda index: hosts[index].slack_cards.claim_call_end("m1")).count(True) == 1


def test_ping_says_whether_the_database_answers(store):
    assert store.ping()
    store.close()
    assert store.database.dialect == "sqlite" or not store.ping()


def test_text_with_a_nul_character_is_looked_up_and_stored_without_a_driver_error(store):
    """PostgreSQL's text type cannot hold U+0000 (SQLite's can): a request carrying one must find
    nothing or store a visible stand-in, never raise from the driver (a 500 at the edge)."""
    store.meetings.insert(a_meeting("m1"))
    assert store.meetings.get("m1\x00") is None
    store.meetings.insert(replace(a_meeting("m2"), topic="Plans\x00for Q3"))
    assert store.meetings.get("m2").topic in {"Plans\x00for Q3", "Plans\ufffdfor Q3"}
