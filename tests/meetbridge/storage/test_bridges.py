"""Bridge calls: one active dial per meeting whichever host dials; dials keep their order."""

from __future__ import annotations

import pytest

from meetbridge.errors import BridgeAlreadyActive
from tests.meetbridge.storage.conftest import NOW, RACERS, a_meeting, race


@pytest.fixture
def meeting(store):
    store.meetings.insert(a_meeting())
    return "m1"


def test_hosts_dialling_one_meeting_at_once_record_one_active_bridge(store, stores, meeting):
    hosts = stores(RACERS)

    def dial(index: int) -> bool:
        try:
            hosts[index].bridges.insert_connecting(f"b{index}", meeting, "hash", NOW)
            return True
        except BridgeAlreadyActive:
            return False

    assert sorted(race(RACERS, dial)) == [False] * (RACERS - 1) + [True]
    assert store.bridges.active(meeting) is not None


def test_a_finished_bridge_makes_room_for_the_next_dial_and_the_latest_is_the_newest(store, meeting):
    store.bridges.insert_connecting("b1", meeting, "hash1", NOW)
    assert store.bridges.finish("b1", "off", NOW, "hung up") and not store.bridges.finish("b1", "off", NOW, "again")
    store.bridges.insert_connecting("b2", meeting, "hash2", NOW)  # the same second
    assert store.bridges.latest(meeting).id == "b2"
    assert store.bridges.has_token(meeting, "hash1") and not store.bridges.has_token(meeting, "other")


def test_connecting_then_connected_once(store, meeting):
    store.bridges.insert_connecting("b1", meeting, "hash", NOW)
    assert store.bridges.mark_connected("b1", "leg-1", NOW + 1, idle_since=NOW + 1)
    assert not store.bridges.mark_connected("b1", "leg-2", NOW + 2, idle_since=None)
    assert store.bridges.by_leg("leg-1").id == "b1"
    assert [b.id for b in store.bridges.idle_before(NOW + 1)] == ["b1"]
    store.bridges.update("b1", cleanup_pending=1)
    assert [b.id for b in store.bridges.cleanup_pending()] == ["b1"]
    assert race(2, lambda _: store.bridges.claim_cleanup("b1")).count(True) == 1


def test_a_bridge_starts_idling_only_when_no_caller_is_in(store, meeting):
    store.bridges.insert_connecting("b1", meeting, "hash", NOW)
    store.bridges.mark_connected("b1", "leg-b", NOW, idle_since=None)
    store.legs.ensure("leg-1", "447700900000", NOW)
    store.database.execute("UPDATE phone_legs SET meeting_id = ?, joined_at = ? WHERE uuid = 'leg-1'", [meeting, NOW])
    assert not store.bridges.set_idle_since_if_no_callers(meeting, NOW + 1)
    store.legs.record_status("leg-1", "completed", NOW + 2, terminal=True)
    assert store.bridges.set_idle_since_if_no_callers(meeting, NOW + 2)
    assert store.bridges.get("b1").idle_since == NOW + 2
