"""The DTMF path's one-query look-up and the audit log's one-statement batches (storage)."""

from __future__ import annotations

from typing import Iterator

import pytest

from meetbridge.storage import Meeting, Store
from meetbridge.storage.keypad import KeypadFacts

NOW = 1_900_000_000.0
WINDOW_START = NOW - 900


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    opened = Store(str(tmp_path / "meetbridge.db"))
    yield opened
    opened.close()


def live_meeting(store: Store, meeting_id: str = "m1", pin: str = "123456") -> None:
    store.meetings.insert(Meeting(id=meeting_id, team_id="T1", channel_id="C1", creator_id="U1", topic=None,
                                  session_id=f"1_{meeting_id}", pin=pin, created_at=NOW, expires_at=NOW + 3600))
    store.pins.claim(pin, meeting_id, released_before=0)


def test_look_up_finds_the_live_meeting_behind_a_pin(store):
    live_meeting(store)
    assert store.keypad.look_up("447700900123", "123456", WINDOW_START) == KeypadFacts(
        recent_failures=0, meeting_id="m1", expires_at=NOW + 3600, bridge_id=None, bridge_idle_since=None)


def test_look_up_finds_nothing_for_an_unknown_released_or_missing_pin(store):
    live_meeting(store)
    live_meeting(store, "m2", "654321")
    store.pins.release("m2", NOW)
    nothing = KeypadFacts(recent_failures=0, meeting_id=None, expires_at=None, bridge_id=None,
                          bridge_idle_since=None)
    assert [store.keypad.look_up("447700900123", pin, WINDOW_START) for pin in ("999999", "654321", None)] == \
        [nothing, nothing, nothing]


def test_look_up_ignores_a_meeting_that_has_ended(store):
    live_meeting(store)
    store.meetings.mark_ended("m1", NOW, "ended")
    assert store.keypad.look_up(None, "123456", WINDOW_START).meeting_id is None


def test_look_up_reports_the_active_bridge_and_since_when_it_is_idle(store):
    live_meeting(store)
    store.bridges.insert_connecting("b1", "m1", "hash", NOW)
    store.bridges.mark_connected("b1", "bridge-leg", NOW + 2, idle_since=NOW + 5)
    facts = store.keypad.look_up(None, "123456", WINDOW_START)
    assert (facts.bridge_id, facts.bridge_idle_since, facts.bridge_active) == ("b1", NOW + 5, True)


def test_look_up_does_not_report_a_bridge_that_has_finished(store):
    live_meeting(store)
    store.bridges.insert_connecting("b1", "m1", "hash", NOW)
    store.bridges.finish("b1", "failed", NOW + 1, "no answer")
    assert store.keypad.look_up(None, "123456", WINDOW_START).bridge_active is False


def test_look_up_counts_only_this_numbers_failures_inside_the_window(store):
    for at in (WINDOW_START - 1, WINDOW_START, NOW):
        store.legs.record_pin_failure("447700900123", at)
    store.legs.record_pin_failure("447700900999", NOW)
    assert [store.keypad.look_up(number, None, WINDOW_START).recent_failures
            for number in ("447700900123", "447700900999", None)] == [2, 1, 0]


def test_audit_batch_keeps_every_record_in_order_with_its_values(store):
    records = [(NOW, "answer", "leg-1", "caller", ""), (NOW + 0.25, "dtmf", None, "refused", "Zoë «ü» \u2603"),
               (NOW + 0.5, "event", "leg-1", "completed", "x" * 500)]
    for record in records:
        store.webhook_log.record(*record)
    rows = store.webhook_log.recent()
    assert [(r["at"], r["route"], r["uuid"], r["status"], r["detail"]) for r in reversed(rows)] == records


def test_audit_flush_with_nothing_pending_writes_nothing(store):
    store.webhook_log.flush()
    assert store.webhook_log.recent() == []
