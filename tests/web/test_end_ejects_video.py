"""Ending ends everything on video too: every connection session monitoring knows
is force-disconnected, and a session signal tells pages without monitoring to leave; an ended
meeting's token route says 410, so a removed guest cannot come back."""

from __future__ import annotations

import json

import jwt
import pytest

from meetbridge.meetings import MeetingRequest
from meetbridge.video import ENDED_SIGNAL
from tests.conftest import VIDEO_SECRET


@pytest.fixture
def meeting(services):
    return services.meetings.start(MeetingRequest(workspace_id="T0001", place_id="C1", starter_id="U1", topic="Sync"))


def visitor_on_video(client, services, fake_opentok, meeting, name: str) -> str:
    """A visitor who took a token and connected (OpenTok and session monitoring both know)."""
    grant = client.post(f"/rooms/{meeting.id}/token", json={"name": name}).get_json()
    data = jwt.decode(grant["token"], VIDEO_SECRET, algorithms=["HS256"])["connection_data"]
    connection_id = fake_opentok.add_client(meeting.session_id)
    services.video_monitor.connection_event(meeting.session_id, "connectionCreated", connection_id, data)
    return connection_id


def test_end_force_disconnects_every_monitored_video_connection(client, services, fake_opentok, meeting):
    ada = visitor_on_video(client, services, fake_opentok, meeting, "Ada")
    grace = visitor_on_video(client, services, fake_opentok, meeting, "Grace")
    services.video_monitor.connection_event(meeting.session_id, "connectionDestroyed", grace, '{"name": "Grace"}')

    assert services.lifecycle.end(meeting.id, reason="ended")

    assert fake_opentok.requests("force_disconnect") == [{"session_id": meeting.session_id, "connection_id": ada}]
    assert fake_opentok.connected_clients() == {(meeting.session_id, grace)}  # Grace had already left
    assert services.store.video_connections.present_ids(meeting.id) == []


def test_end_signals_the_session_so_pages_without_monitoring_leave(client, services, fake_opentok, meeting):
    assert services.lifecycle.end(meeting.id, reason="ended")
    assert fake_opentok.requests("signal") == [{"session_id": meeting.session_id, "payload": ENDED_SIGNAL}]
    assert ENDED_SIGNAL == {"type": "meetbridge-ended", "data": "ended"}


def test_end_still_ends_when_the_video_service_fails(client, services, fake_opentok, meeting):
    ada = visitor_on_video(client, services, fake_opentok, meeting, "Ada")
    fake_opentok.http_status("signal", 500)
    fake_opentok.http_status("force_disconnect", 500)
    assert services.lifecycle.end(meeting.id, reason="ended")
    assert not services.store.meetings.get(meeting.id).is_live
    assert services.store.video_connections.present_ids(meeting.id) == [ada]


def test_ending_twice_ejects_once(client, services, fake_opentok, meeting):
    visitor_on_video(client, services, fake_opentok, meeting, "Ada")
    services.lifecycle.end(meeting.id, reason="ended")
    assert services.lifecycle.end(meeting.id, reason="ended") is False
    assert (len(fake_opentok.requests("signal")), len(fake_opentok.requests("force_disconnect"))) == (1, 1)


def test_an_ejected_guest_cannot_get_a_token_to_come_back_and_old_tokens_are_short(client, services,
                                                                                  fake_opentok, meeting, clock):
    grant = client.post(f"/rooms/{meeting.id}/token", json={"name": "Ada"}).get_json()
    services.lifecycle.end(meeting.id, reason="ended")
    again = client.post(f"/rooms/{meeting.id}/token", json={"name": "Ada"})
    assert (again.status_code, again.get_json()) == (410, {"error": "This meeting has ended."})
    expires = jwt.decode(grant["token"], VIDEO_SECRET, algorithms=["HS256"])["exp"]
    assert expires - clock.now() <= 15 * 60  # the old token is useless for reconnecting soon after
    assert json.loads(jwt.decode(grant["token"], VIDEO_SECRET, algorithms=["HS256"])["connection_data"]) == {
        "name": "Ada"}


def test_a_guest_back_with_a_token_from_before_end_is_put_out_again(client, services, fake_opentok, meeting,
                                                                     clock):
    grant = client.post(f"/rooms/{meeting.id}/token", json={"name": "Mallory"}).get_json()
    data = jwt.decode(grant["token"], VIDEO_SECRET, algorithms=["HS256"])["connection_data"]
    services.lifecycle.end(meeting.id, reason="ended")
    clock.advance(14 * 60)  # the token still works at OpenTok (tokens cannot be revoked)
    back = fake_opentok.add_client(meeting.session_id)
    services.video_monitor.connection_event(meeting.session_id, "connectionCreated", back, data)
    assert (meeting.session_id, back) not in fake_opentok.connected_clients()
    assert fake_opentok.requests("force_disconnect") == [{"session_id": meeting.session_id, "connection_id": back}]


def test_callbacks_for_sessions_of_no_recent_meeting_disconnect_nobody(client, services, fake_opentok, meeting,
                                                                       clock):
    services.lifecycle.end(meeting.id, reason="ended")
    clock.advance(20 * 60)  # every token minted before End has expired
    late = fake_opentok.add_client(meeting.session_id)
    services.video_monitor.connection_event(meeting.session_id, "connectionCreated", late, '{"name": "Ada"}')
    services.video_monitor.connection_event("1_unknown-session", "connectionCreated", "c-1", '{"name": "Ada"}')
    assert fake_opentok.requests("force_disconnect") == []
