"""Forged call events growing the database: 6,000 events for calls
nobody answered, half unsigned and half validly signed, into two gunicorn workers; and a
512-character "uuid". No rows are added but the replay records of the signed ones (one per
accepted `jti`, pruned once past the signature window). And what honest webhooks leave behind
(audit rows, finished and never-admitted legs, replay records) is pruned once past its window."""

from __future__ import annotations

import http.client
import os
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from urllib.parse import urlsplit

from tests.conftest import FakeClock
from tests.security.measurements import record
from tests.security.servers import REPLAY_RECORDS
from tests.security.steps import call_in, joined, start_meeting
from tests.security.vonage_side import sign
from tests.vonage_calls import answer, event, new_uuid
from tests.waiting import wait_until

EVENTS = 6000
SENDERS = 6
STATUSES = ("started", "ringing", "answered", "completed")


def database_bytes(path: str) -> int:
    """The file's size once the write-ahead log is folded in (the WAL's size says nothing)."""
    with closing(sqlite3.connect(path, timeout=10)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return os.path.getsize(path)


def forge_events(app, count: int, signed: bool) -> list[int]:
    """`count` events with fresh uuids over SENDERS keep-alive connections; their statuses.
    (http.client rather than requests: the client's own cost would otherwise dominate.)"""
    calls = [event(new_uuid(), STATUSES[n % 4], from_=f"4477009{n:05d}") for n in range(count)]
    calls = [sign(call) if signed else call for call in calls]
    host, port = urlsplit(app.url).hostname, urlsplit(app.url).port

    def sender(first: int) -> list[int]:
        connection, statuses = http.client.HTTPConnection(host, port, timeout=10), []
        try:
            for call in calls[first::SENDERS]:
                connection.request("POST", call.path, body=call.body, headers=call.headers)
                response = connection.getresponse()
                response.read()
                statuses.append(response.status)
        finally:
            connection.close()
        return statuses

    with ThreadPoolExecutor(max_workers=SENDERS) as senders:
        statuses = [status for batch in senders.map(sender, range(SENDERS)) for status in batch]
    app.vonage_side.answered("/voice-events", None)  # row counts wait for the audit flush after it
    return statuses


def test_six_thousand_forged_events_add_no_rows(two_workers):
    app = two_workers
    before, bytes_before = app.row_counts(), database_bytes(app.database)
    started = time.monotonic()

    unsigned = forge_events(app, EVENTS // 2, signed=False)
    signed = forge_events(app, EVENTS // 2, signed=True)
    elapsed = time.monotonic() - started

    grown = app.rows_added(before)
    replay_records = grown.pop(REPLAY_RECORDS, 0)
    assert set(unsigned) == {401}
    assert set(signed) <= {200, 204}
    assert grown == {}
    assert replay_records <= EVENTS // 2
    growth_kb = (database_bytes(app.database) - bytes_before) / 1024
    record("rows from 6,000 forged events", "6,000 legs + 6,000 audit rows, +11.4 MB",
           f"0 legs, 0 audit rows; {replay_records} replay records (pruned after the window); "
           f"file +{growth_kb:.0f} KiB; {EVENTS / elapsed:.0f} events/s")


def test_a_512_character_uuid_is_refused_and_stores_nothing(two_workers):
    app = two_workers
    forged = event(new_uuid(), "answered")
    body = forged.body.replace(forged.body.split(b'"uuid": "')[1].split(b'"')[0], b"7" * 512)
    before = app.row_counts(without=(REPLAY_RECORDS,))

    response = app.vonage_side.send(forged.with_body(body))

    assert response.status_code == 400 and response.json().keys() == {"error"}
    assert app.rows_added(before, without=(REPLAY_RECORDS,)) == {}


def test_what_webhooks_left_behind_is_pruned_once_past_its_window(serve):
    clock = FakeClock()
    app = serve(clock=clock, sweeper=True, SWEEP_SECONDS="0.3")
    meeting = start_meeting(app, "Retention")
    leg, ncco = call_in(app, meeting.pin)  # a caller who joins and leaves: a finished leg
    assert joined(ncco)
    app.vonage_side.send(event(leg, "completed"))
    app.vonage_side.send(answer(new_uuid()))  # a call that never got in
    left_behind = ("webhook_log", "phone_legs", REPLAY_RECORDS)
    before = app.row_counts()
    assert before["webhook_log"] > 0 and before["phone_legs"] > 0, before

    clock.advance(app.settings.retention_seconds + 3600)

    wait_until(lambda: [app.row_counts().get(table, 0) for table in left_behind] == [0, 0, 0], timeout=10)
    record("rows left by webhooks", "kept forever", f"pruned after RETENTION_DAYS ({app.settings.retention_days:g})")
