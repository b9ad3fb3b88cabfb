"""The join page's phone roster for everyone (names, muted, hands; never a number or a leg id)
and the host's controls: only for a visitor who joined, on a JSON request, with the starter's
host key; each action is its Voice API request to the fake Vonage."""

from __future__ import annotations

import pytest

from meetbridge.meetings import MeetingRequest
from tests.visitor import joined
from tests.vonage_calls import dtmf
from tests.webhooks.callers import joined as joined_ncco
from tests.webhooks.callers import new_call
from web.phone_callers import NO_HOST_KEY, NOT_HOST
from web.rooms import NOT_JOINED, NOT_JSON

NUMBER = "447700900111"


@pytest.fixture
def hosted(services):
    return services.meetings.start_hosted(MeetingRequest(workspace_id="T0001", place_id="C1", starter_id="U1",
                                                         topic="Design review"))


@pytest.fixture
def meeting(hosted):
    return hosted.meeting


def caller_in(client, fake_vonage, meeting, number: str = NUMBER) -> str:
    leg = new_call(client, number)
    assert dtmf(leg, meeting.pin, from_=number).send(client).get_json() == joined_ncco(meeting)
    fake_vonage.add_call(leg, from_=number)
    return leg


def as_host(client, meeting_id: str, route: str, host_key: str, **body):
    return client.post(f"/rooms/{meeting_id}/phone-callers/{route}", json={"hostKey": host_key, **body})


def test_every_visitor_sees_names_muted_and_hands_but_no_number_or_leg(client, services, fake_vonage, meeting,
                                                                     clock):
    maria = caller_in(client, fake_vonage, meeting)
    clock.advance(1)
    other = caller_in(client, fake_vonage, meeting, "447700900222")
    services.store.database.execute("UPDATE phone_legs SET caller_name = ?, hand_raised_at = ? WHERE uuid = ?",
                                    ["Maria", clock.now(), maria])
    services.store.phone_controls.set_muted(other, True)
    reply = client.get(f"/rooms/{meeting.id}/phone-callers")
    callers = reply.get_json()["callers"]
    assert [{k: v for k, v in caller.items() if k != "key"} for caller in callers] == [
        {"name": "Maria (phone)", "muted": False, "hand": True},
        {"name": "Phone caller", "muted": True, "hand": False}]
    assert len({caller["key"] for caller in callers}) == 2
    text = reply.get_data(as_text=True)
    assert maria not in text and other not in text and "0111" not in text and "0222" not in text


def test_an_unknown_meeting_is_404(client):
    assert client.get("/rooms/nope/phone-callers").status_code == 404


def test_the_host_list_has_legs_and_minutes(client, fake_vonage, hosted, clock):
    meeting = hosted.meeting
    leg = caller_in(client, fake_vonage, meeting)
    clock.advance(125)
    joined(client, meeting.id)
    reply = as_host(client, meeting.id, "host", hosted.host_key)
    assert reply.status_code == 200
    [caller] = reply.get_json()["callers"]
    assert (caller["leg"], caller["minutes"], caller["name"]) == (leg, 2, "Phone caller")


@pytest.mark.parametrize("action,expected", [("mute", "mute"), ("unmute", "unmute")])
def test_host_mute_and_unmute_are_the_voice_api_requests(client, services, fake_vonage, hosted, action, expected):
    meeting = hosted.meeting
    leg = caller_in(client, fake_vonage, meeting)
    joined(client, meeting.id)
    reply = as_host(client, meeting.id, action, hosted.host_key, leg=leg)
    assert (reply.status_code, reply.get_json()) == (200, {"done": True})
    assert fake_vonage.requests("update_call") == [{"uuid": leg, "action": expected}]
    assert services.store.legs.get(leg).muted == (1 if action == "mute" else 0)


def test_host_remove_hangs_up_and_the_caller_leaves(client, services, fake_vonage, hosted):
    meeting = hosted.meeting
    leg = caller_in(client, fake_vonage, meeting)
    joined(client, meeting.id)
    assert as_host(client, meeting.id, "remove", hosted.host_key, leg=leg).get_json() == {"done": True}
    assert fake_vonage.requests("hangup") == [{"uuid": leg, "action": "hangup"}]
    assert services.store.legs.get(leg).left_at is not None
    reply = as_host(client, meeting.id, "remove", hosted.host_key, leg=leg)
    assert reply.status_code == 409  # already gone: nothing more is sent
    assert len(fake_vonage.requests("hangup")) == 1


def test_host_mute_all(client, fake_vonage, hosted, clock):
    meeting = hosted.meeting
    first = caller_in(client, fake_vonage, meeting)
    clock.advance(1)
    second = caller_in(client, fake_vonage, meeting, "447700900222")
    joined(client, meeting.id)
    assert as_host(client, meeting.id, "mute-all", hosted.host_key).get_json() == {"muted": 2}
    assert fake_vonage.requests("update_call") == [{"uuid": first, "action": "mute"},
                                                   {"uuid": second, "action": "mute"}]


def test_a_leg_of_another_meeting_is_never_acted_on(client, services, fake_vonage, hosted):
    other = services.meetings.start(MeetingRequest(workspace_id="T0001", place_id="C1", starter_id="U2",
                                                   topic="Other"))
    leg = caller_in(client, fake_vonage, other)
    joined(client, hosted.meeting.id)
    assert as_host(client, hosted.meeting.id, "remove", hosted.host_key, leg=leg).status_code == 409
    assert fake_vonage.requests("hangup") == []


def test_refusals_act_on_nothing(client, fake_vonage, hosted):
    meeting = hosted.meeting
    leg = caller_in(client, fake_vonage, meeting)
    not_joined = as_host(client, meeting.id, "mute", hosted.host_key, leg=leg)
    assert (not_joined.status_code, not_joined.get_json()) == (403, {"error": NOT_JOINED})
    joined(client, meeting.id)
    wrong_key = as_host(client, meeting.id, "mute", "not-the-host-key", leg=leg)
    assert (wrong_key.status_code, wrong_key.get_json()) == (403, {"error": NOT_HOST})
    no_key = client.post(f"/rooms/{meeting.id}/phone-callers/mute", json={"leg": leg})
    assert (no_key.status_code, no_key.get_json()) == (400, {"error": NO_HOST_KEY.format(json='{"hostKey": "..."}')})
    form = client.post(f"/rooms/{meeting.id}/phone-callers/mute", data={"hostKey": hosted.host_key, "leg": leg})
    assert (form.status_code, form.get_json()) == (415, {"error": NOT_JSON})
    listing = as_host(client, meeting.id, "host", "not-the-host-key")
    assert listing.status_code == 403
    assert fake_vonage.requests("update_call") == []


def test_a_meeting_without_a_host_link_has_no_host(client, services, fake_vonage):
    plain = services.meetings.start(MeetingRequest(workspace_id="T0001", place_id="C1", starter_id="U1", topic=None))
    leg = caller_in(client, fake_vonage, plain)
    joined(client, plain.id)
    assert as_host(client, plain.id, "mute", "", leg=leg).status_code == 400
    assert as_host(client, plain.id, "mute", "anything", leg=leg).status_code == 403
    assert fake_vonage.requests("update_call") == []
