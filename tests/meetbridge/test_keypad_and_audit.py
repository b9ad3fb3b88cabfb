"""The DTMF path's claim, look-up and admission, and the audit log's one-statement batches (storage)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from meetbridge.pin_guard import lockout_durations
from meetbridge.records import Meeting
from meetbridge.storage import Store
from meetbridge.storage.keypad import EntryLimits, KeypadFacts
from meetbridge.storage.pin_guard import WITHHELD_KEY, Policy

NOW = 1_900_000_000.0


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    opened = Store(str(tmp_path / "meetbridge.db"))
    yield opened
    opened.close()


def live_meeting(store: Store, meeting_id: str = "m1", pin: str = "123456") -> None:
    store.meetings.insert(Meeting(id=meeting_id, team_id="T1", channel_id="C1", creator_id="U1", topic=None,
                                  session_id=f"1_{meeting_id}", pin=pin, created_at=NOW, expires_at=NOW + 3600,
                                  conversation_name=f"conv-{meeting_id}"))
    store.pins.claim(pin, meeting_id, released_before=0)


def answered(store: Store, uuid: str = "leg-1", number: str | None = "447700900123") -> str:
    store.legs.ensure(uuid, number, NOW)
    return uuid


def claim(store: Store, uuid: str = "leg-1", budget: int = 300, at: float = NOW, pin: str | None = None,
          callers: int = 50) -> bool:
    limits = EntryLimits(attempts=3, budget=budget, budget_window_seconds=3600, callers=callers)
    return store.keypad.enter(uuid, pin, at, limits)


def test_entering_a_live_pin_counts_the_attempt_and_admits_the_leg(store):
    live_meeting(store)
    assert claim(store, answered(store), pin="123456")
    assert store.keypad.look_up("leg-1", "123456") == KeypadFacts(
        attempts=1, caller_number="447700900123", admitted=True, meeting_id="m1", expires_at=NOW + 3600,
        conversation_name="conv-m1", bridge_id=None, bridge_idle_since=None, longest_pin=6, team_id="T1")


def test_look_up_finds_no_meeting_for_an_unknown_released_or_missing_pin(store):
    live_meeting(store)
    live_meeting(store, "m2", "654321")
    store.pins.release("m2", NOW)
    answered(store)
    assert [store.keypad.look_up("leg-1", pin).meeting_id for pin in ("999999", "654321", None)] == [None] * 3


def test_look_up_finds_nothing_for_a_leg_never_answered(store):
    live_meeting(store)
    assert store.keypad.look_up("leg-1", "123456") is None


def test_look_up_ignores_a_meeting_that_has_ended(store):
    live_meeting(store)
    answered(store)
    store.meetings.mark_ended("m1", NOW, "ended")
    assert store.keypad.look_up("leg-1", "123456").meeting_id is None


def test_look_up_reports_the_active_bridge_and_since_when_it_is_idle(store):
    live_meeting(store)
    answered(store)
    store.bridges.insert_connecting("b1", "m1", "hash", NOW)
    store.bridges.mark_connected("b1", "bridge-leg", NOW + 2, idle_since=NOW + 5)
    facts = store.keypad.look_up("leg-1", "123456")
    assert (facts.bridge_id, facts.bridge_idle_since, facts.bridge_active) == ("b1", NOW + 5, True)


def test_look_up_does_not_report_a_bridge_that_has_finished(store):
    live_meeting(store)
    answered(store)
    store.bridges.insert_connecting("b1", "m1", "hash", NOW)
    store.bridges.finish("b1", "failed", NOW + 1, "no answer")
    assert store.keypad.look_up("leg-1", "123456").bridge_active is False


def test_a_claim_needs_a_leg_that_was_answered_and_has_attempts_left(store):
    assert claim(store) is False  # never answered: nothing written
    assert store.legs.get("leg-1") is None
    answered(store)
    assert [claim(store) for _ in range(5)] == [True, True, True, False, False]
    assert store.legs.get("leg-1").attempts == 3


def test_granted_attempts_count_against_the_budget_unless_they_admit(store):
    live_meeting(store)
    assert claim(store, answered(store, "leg-right"), budget=3, pin="123456")  # admitted: not a failure
    for index in range(3):
        assert claim(store, answered(store, f"leg-{index}"), budget=3, pin="999999")
    assert claim(store, answered(store, "leg-late"), budget=3, pin="123456") is False  # spent
    assert store.legs.get("leg-late").attempts == 0
    assert store.pin_guard.gate("x", NOW - 3600).budget_used == 3


def test_failures_leave_the_budget_an_hour_after_their_leg_last_tried(store):
    claim(store, answered(store), budget=1)
    assert claim(store, answered(store, "leg-2"), budget=1) is False
    assert claim(store, "leg-2", budget=1, at=NOW + 3601)


def test_a_locked_out_key_gets_no_claim(store):
    policy = Policy(threshold=2, run_gap_seconds=900, first_lockout_seconds=60, longest_lockout_seconds=3600,
                    forget_after_seconds=3600)
    answered(store)
    answered(store, "withheld-leg", None)
    for key in ("447700900123", WITHHELD_KEY):
        store.pin_guard.record_failure(key, NOW, policy)
        store.pin_guard.record_failure(key, NOW, policy)
    assert (claim(store), claim(store, "withheld-leg")) == (False, False)
    assert (claim(store, at=NOW + 61), claim(store, "withheld-leg", at=NOW + 61)) == (True, True)


def test_lockouts_double_up_to_an_hour(store):
    policy = Policy(threshold=1, run_gap_seconds=900, first_lockout_seconds=60, longest_lockout_seconds=3600,
                    forget_after_seconds=3600)
    at, lengths = NOW, []
    for _ in range(9):
        store.pin_guard.record_failure("447700900123", at, policy)
        locked_until = store.pin_guard.lockout("447700900123")["locked_until"]
        lengths.append(locked_until - at)
        at = locked_until + 1  # the next failure once the lock-out is over
    assert lengths == lockout_durations(9) == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_quiet_lockout_keys_are_pruned_and_locked_ones_kept(store):
    policy = Policy(threshold=1, run_gap_seconds=900, first_lockout_seconds=60, longest_lockout_seconds=3600,
                    forget_after_seconds=3600)
    store.pin_guard.record_failure("quiet", NOW - 7200, policy)
    store.pin_guard.record_failure("locked", NOW - 30, policy)
    store.legs.prune_pin_failures(NOW - 3600)
    assert (store.pin_guard.lockout("quiet"), store.pin_guard.lockout("locked")["strikes"]) == (None, 1)


def test_admission_stops_at_the_callers_limit(store):
    live_meeting(store)
    for index in range(3):
        answered(store, f"leg-{index}", f"44770090010{index}")
    assert [claim(store, f"leg-{i}", pin="123456", callers=2) for i in range(3)] == [True] * 3
    assert [store.keypad.look_up(f"leg-{i}", "123456").admitted for i in range(3)] == [True, True, False]


def test_a_pin_is_not_looked_up_for_an_attempt_that_is_refused(store):
    live_meeting(store)
    answered(store)
    for _ in range(3):
        claim(store)
    assert claim(store, pin="123456") is False
    assert store.legs.get("leg-1").meeting_id is None


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
