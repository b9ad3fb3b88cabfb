"""/voice-events of a dialled call that arrive before Vonage's 201 to the call request was stored:
the event URL's `dial` parameter (the call's reservation) lets them find the call."""

from __future__ import annotations

import secrets
from dataclasses import replace

from meetbridge.storage.dial_outs import Reservation
from meetbridge.storage.rate_limits import Rule
from tests.vonage_calls import CONFERENCE_NUMBER, TIMESTAMP, new_uuid, post_json


def reserved(services, meeting) -> str:
    """A call reserved under every limit, not yet placed (Vonage's 201 still on its way)."""
    call = Reservation(id=secrets.token_hex(16), meeting_id=meeting.id, team_id=meeting.team_id,
                       requester_kind="member", member_id="U2", visitor_id=None, invitee_name="Maria",
                       for_requester=False, masked="•••0143", leg_name="Maria", slack_member_id=None)
    assert services.store.dial_outs.reserve(call, services.clock.now(), [("member_hourly_limit", Rule("t", 9, 60))],
                                            max_callers=50, max_ringing=10) is None
    return call.id


def event(client, uuid: str, status: str, dial: str) -> int:
    """A status event posted to the call's event URL, `/voice-events?dial=<reservation>`."""
    payload = {"from": CONFERENCE_NUMBER, "to": "12025550143", "uuid": uuid, "conversation_uuid": f"CON-{uuid}",
               "status": status, "direction": "outbound", "timestamp": TIMESTAMP}
    return replace(post_json("/voice-events", payload), query={"dial": dial}).send(client).status_code


def test_an_event_before_the_201_is_kept_and_placing_keeps_it(client, services, start_meeting):
    meeting = start_meeting()
    reservation, uuid = reserved(services, meeting), new_uuid()
    assert event(client, uuid, "busy", reservation) == 200
    assert services.store.dial_outs.by_call(uuid).code == "busy"
    assert services.store.dial_outs.placed(reservation, uuid, "+12025550143", services.clock.now()) is False
    assert services.store.dial_outs.by_call(uuid).code == "busy"
    assert services.store.legs.live_legs(meeting.id) == []  # stored as over


def test_a_malformed_dial_parameter_binds_nothing(client, services, start_meeting):
    meeting = start_meeting()
    reservation, uuid = reserved(services, meeting), new_uuid()
    for query in (reservation.upper(), reservation + "x", "' OR 1=1 --"):
        assert event(client, uuid, "busy", query) == 200
    assert services.store.dial_outs.by_call(uuid) is None
    assert services.store.dial_outs.placed(reservation, uuid, "+12025550143", services.clock.now()) is True
