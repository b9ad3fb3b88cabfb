"""Rooms, the join page's front door: dial-out, hang-up, status and the page itself answer
with what happened, without HTTP."""

from __future__ import annotations

import pytest

from meetbridge.errors import MeetingNotFound
from meetbridge.outcomes import BridgeControl, RoomStatus
from tests.meetbridge.phone_domain import PhoneDomain


def test_dialling_while_a_bridge_is_connecting_says_so_and_dials_nothing(domain: PhoneDomain):
    meeting = domain.live_meeting()
    domain.store.bridges.insert_connecting("b1", meeting.id, "hash", domain.clock.now())
    assert domain.rooms.dial_out(meeting.id) == BridgeControl(bridge="connecting", acted=False)
    assert domain.store.bridges.latest(meeting.id).id == "b1"


def test_hanging_up_with_no_bridge_is_a_no_op(domain: PhoneDomain):
    meeting = domain.live_meeting()
    assert domain.rooms.hang_up(meeting.id) == BridgeControl(bridge="off", acted=False)
    assert domain.changed == []


def test_hanging_up_a_connected_bridge_turns_it_off_on_both_sides(domain: PhoneDomain):
    meeting = domain.live_meeting()
    domain.store.bridges.insert_connecting("b1", meeting.id, "hash", domain.clock.now())
    domain.store.bridges.update("b1", connection_id="conn-1")
    domain.store.bridges.mark_connected("b1", "leg-1", domain.clock.now(), None)
    assert domain.rooms.hang_up(meeting.id) == BridgeControl(bridge="off", acted=True)
    assert (domain.video.disconnected, domain.voice.hung_up) == ([(meeting.session_id, "conn-1")], ["leg-1"])
    assert domain.store.bridges.latest(meeting.id).reason == "hung_up"


def test_status_gives_a_failed_bridges_reason(domain: PhoneDomain):
    meeting = domain.live_meeting()
    domain.store.bridges.insert_connecting("b1", meeting.id, "hash", domain.clock.now())
    domain.store.bridges.finish("b1", "failed", domain.clock.now(), "unanswered")
    assert domain.rooms.status(meeting.id) == RoomStatus(
        ended=False, bridge="failed", bridge_reason="unanswered", phone_callers=0)


def test_a_meeting_past_its_lifetime_has_a_page_but_cannot_be_joined(domain: PhoneDomain):
    meeting = domain.live_meeting(lifetime=60)
    assert domain.rooms.page(meeting.id).live
    domain.clock.advance(61)
    assert not domain.rooms.page(meeting.id).live


@pytest.mark.parametrize("meeting_id", ["no-such-meeting", "x" * 65])
def test_an_unknown_or_overlong_link_finds_no_meeting(domain: PhoneDomain, meeting_id: str):
    with pytest.raises(MeetingNotFound):
        domain.rooms.page(meeting_id)
