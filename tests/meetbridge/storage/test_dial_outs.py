"""Calls the meeting places (storage/dial_outs.py) on both back-ends: places reserved under the
meeting's lock hold when hosts ask at the same moment, a call Vonage refused gives its hourly
places back, and the press of 1 admits a dialled leg only while the meeting has room."""

from __future__ import annotations

from meetbridge.storage import Rule
from meetbridge.storage.dial_outs import Reservation
from tests.meetbridge.storage.conftest import NOW, RACERS, a_meeting, race


def reservation(index: int, meeting_id: str = "m1") -> Reservation:
    return Reservation(id=f"r{index}", meeting_id=meeting_id, team_id="T1", requester_kind="member",
                       member_id=f"U{index}", visitor_id=None, invitee_name=None, for_requester=True,
                       masked="•••0143", leg_name=None, slack_member_id=f"U{index}")


def team_rule(limit: int = 100) -> list[tuple[str, Rule]]:
    return [("team_hourly_limit", Rule("dial_out:team:T1", limit, 3600))]


def test_hosts_asking_at_once_never_pass_the_ringing_limit(store, stores):
    store.meetings.insert(a_meeting())
    hosts = stores(RACERS)
    refusals = race(RACERS, lambda index: hosts[index].dial_outs.reserve(
        reservation(index), NOW, team_rule(), max_callers=50, max_ringing=3))
    assert [refusal for refusal in refusals if refusal is None] == [None] * 3
    assert {refusal.code for refusal in refusals if refusal is not None} == {"meeting_ringing_limit"}


def test_hosts_asking_at_once_never_pass_an_hourly_limit(store, stores):
    store.meetings.insert(a_meeting())
    hosts = stores(RACERS)
    refusals = race(RACERS, lambda index: hosts[index].dial_outs.reserve(
        reservation(index), NOW, team_rule(limit=2), max_callers=50, max_ringing=RACERS))
    assert refusals.count(None) == 2
    assert {(refusal.code, refusal.retry_after) for refusal in refusals if refusal} == {("team_hourly_limit", 3600)}


def test_a_cancelled_call_gives_its_places_back(store):
    store.meetings.insert(a_meeting())
    assert store.dial_outs.reserve(reservation(1), NOW, team_rule(limit=1), max_callers=50, max_ringing=5) is None
    assert store.dial_outs.reserve(reservation(2), NOW, team_rule(limit=1), max_callers=50,
                                   max_ringing=5).code == "team_hourly_limit"
    store.dial_outs.cancel("r1")
    assert store.dial_outs.reserve(reservation(3), NOW + 1, team_rule(limit=1), max_callers=50, max_ringing=5) is None
    assert [row["id"] for row in store.database.query("SELECT id FROM dial_outs")] == ["r3"]


def test_press_1_admits_a_placed_leg_while_the_meeting_has_room(store):
    store.meetings.insert(a_meeting())
    for index in (1, 2):
        store.dial_outs.reserve(reservation(index), NOW, team_rule(), max_callers=50, max_ringing=5)
        store.dial_outs.placed(f"r{index}", f"leg-{index}", "+12025550143", NOW)
    first = store.dial_outs.admit("leg-1", NOW + 5, max_callers=1)
    assert first.newly and first.conversation_name == "conv-m1"
    assert store.legs.get("leg-1").slack_member_id == "U1"
    again = store.dial_outs.admit("leg-1", NOW + 6, max_callers=1)
    assert not again.newly and again.conversation_name == "conv-m1"
    second = store.dial_outs.admit("leg-2", NOW + 7, max_callers=1)
    assert (second.newly, second.conversation_name, second.full) == (False, None, True)
    assert store.dial_outs.admit("no-such-leg", NOW, max_callers=50).conversation_name is None
