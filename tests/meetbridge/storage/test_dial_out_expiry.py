"""Calls Vonage never finished (storage/dial_outs.py `expire`) on both back-ends: hosts expiring
at the same moment change, and so tell, each call exactly once; an event before the 201 binds
its call once."""

from __future__ import annotations

from meetbridge.storage.dial_outs import STALE_SECONDS
from tests.meetbridge.storage.conftest import NOW, RACERS, a_meeting, race
from tests.meetbridge.storage.test_dial_outs import reservation, team_rule


def test_hosts_expiring_at_once_expire_each_call_once(store, stores):
    store.meetings.insert(a_meeting())
    for index in range(5):
        assert store.dial_outs.reserve(reservation(index), NOW, team_rule(), max_callers=50, max_ringing=10) is None
        store.dial_outs.placed(f"r{index}", f"leg-{index}", "+12025550143", NOW)
    hosts = stores(RACERS)
    expired = race(RACERS, lambda index: hosts[index].dial_outs.expire(NOW + 1, NOW + STALE_SECONDS + 1, 100))
    told = sorted(row.call_uuid for rows in expired for row in rows)
    assert told == [f"leg-{index}" for index in range(5)]
    assert {row.code for rows in expired for row in rows} == {"failed"}  # the meeting is live


def test_an_early_event_binds_its_call_once_and_placing_keeps_its_code(store):
    store.meetings.insert(a_meeting())
    store.dial_outs.reserve(reservation(1), NOW, team_rule(), max_callers=50, max_ringing=10)
    assert store.dial_outs.bind("r1", "leg-1").call_uuid == "leg-1"
    assert store.dial_outs.bind("r1", "leg-other") is None  # the reservation has its leg already
    assert store.dial_outs.finish("leg-1", "busy", NOW)
    assert store.dial_outs.placed("r1", "leg-1", "+12025550143", NOW) is False
    assert store.dial_outs.by_call("leg-1").code == "busy"
    assert store.legs.get("leg-1").left_at == NOW
