"""The page's bridge controls act only for a visitor who joined: the token route
sets a signed, HttpOnly, SameSite=Strict cookie scoped to the meeting, and dial-out / hang-up
need it and a JSON request. Otherwise 403 / 415 and nothing happens."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest

from app import create_app
from meetbridge.meetings import MeetingRequest
from meetbridge.settings import load_settings
from tests.visitor import joined, press
from tests.vonage_calls import bridge_leg_answer, dialled, new_uuid
from web.visitor_cookie import COOKIE_NAME

NOT_JOINED = {"error": "Join the meeting on this page first: only people in the meeting can use its phone bridge."}
NOT_JSON = {"error": "Send this request as JSON (Content-Type: application/json)."}


@pytest.fixture
def meeting(services):
    return services.meetings.start(MeetingRequest(workspace_id="T0001", place_id="C1", starter_id="U1", topic="Sync"))


def set_cookie(response) -> SimpleCookie:
    [header] = response.headers.getlist("Set-Cookie")
    cookie = SimpleCookie()
    cookie.load(header)
    return cookie


def connected_bridge(client, services, fake_opentok, meeting) -> None:
    """A bridge that is up, dialled from another browser that joined."""
    other = client.application.test_client()
    joined(other, meeting.id, "Grace")
    assert press(other, meeting.id, "dial-out").status_code == 202
    bridge_leg_answer(dialled(fake_opentok, services, meeting.id), new_uuid()).send(other)
    assert services.store.bridges.active(meeting.id).state == "connected"


def test_token_route_sets_a_signed_httponly_strict_cookie_for_this_meeting_only(client, meeting, settings):
    response = client.post(f"/rooms/{meeting.id}/token", json={"name": "Ada"})
    morsel = set_cookie(response)[COOKIE_NAME]
    assert (morsel["path"], morsel["httponly"], morsel["samesite"], morsel["secure"]) == (
        f"/rooms/{meeting.id}", True, "Strict", "")  # http on loopback: not Secure
    assert int(morsel["max-age"]) == int(settings.meeting_ttl_seconds)
    assert meeting.id in morsel.value and len(morsel.value) > len(meeting.id) + 20  # id + signature


def test_cookie_is_secure_when_the_public_url_is_https(base_env, clock):
    env = dict(base_env, SERVER_URL="https://meet.example.com", VONAGE_SIGNATURE_SECRET="s" * 32)
    app = create_app(load_settings(env), clock=clock, run_sweeper=False)
    try:
        services = app.extensions["meetbridge"]
        meeting = services.meetings.start(MeetingRequest(workspace_id="T1", place_id="C1", starter_id="U1", topic=None))
        response = app.test_client().post(f"/rooms/{meeting.id}/token", json={"name": "Ada"})
        assert set_cookie(response)[COOKIE_NAME]["secure"] is True
    finally:
        app.extensions["meetbridge.shutdown"]()


def test_dial_out_without_joining_is_403_and_dials_nothing(client, meeting, fake_opentok):
    response = press(client, meeting.id, "dial-out")
    assert (response.status_code, response.get_json()) == (403, NOT_JOINED)
    assert fake_opentok.requests("dial") == []


@pytest.mark.parametrize("body", [
    {"data": "{}", "content_type": "text/plain"},
    {"data": "", "content_type": "application/x-www-form-urlencoded"},
    {"data": "{}", "content_type": "multipart/form-data; boundary=x"},
    {},
], ids=["text/plain", "form", "multipart", "no body"])
def test_dial_out_that_is_not_json_is_415_and_dials_nothing_even_after_joining(client, meeting, fake_opentok, body):
    joined(client, meeting.id)
    response = client.post(f"/rooms/{meeting.id}/dial-out", **body)
    assert (response.status_code, response.get_json()) == (415, NOT_JSON)
    assert fake_opentok.requests("dial") == []


def test_hang_up_without_joining_is_403_and_the_bridge_stays_up(client, services, meeting, fake_opentok,
                                                                fake_vonage):
    connected_bridge(client, services, fake_opentok, meeting)
    stranger = client.application.test_client()
    response = press(stranger, meeting.id, "hang-up")
    assert (response.status_code, response.get_json()) == (403, NOT_JOINED)
    forged = stranger.post(f"/rooms/{meeting.id}/hang-up", data="{}", content_type="text/plain")
    assert forged.status_code == 415
    assert services.store.bridges.active(meeting.id).state == "connected"
    assert (fake_opentok.requests("force_disconnect"), fake_vonage.requests("hangup")) == ([], [])


def test_a_cookie_for_another_meeting_or_a_forged_one_is_refused(client, services, meeting, fake_opentok):
    other = services.meetings.start(MeetingRequest(workspace_id="T0001", place_id="C1", starter_id="U1", topic=None))
    joined(client, other.id)
    value = client.get_cookie(COOKIE_NAME, path=f"/rooms/{other.id}").value
    attempts = [value, meeting.id, value.replace(other.id, meeting.id), meeting.id + value[len(other.id):]]
    for forged in attempts:
        client.set_cookie(COOKIE_NAME, forged, path=f"/rooms/{meeting.id}")
        assert press(client, meeting.id, "dial-out").status_code == 403, forged
    assert fake_opentok.requests("dial") == []


def test_joined_visitor_with_json_can_dial_and_hang_up(client, services, meeting, fake_opentok):
    joined(client, meeting.id)
    assert press(client, meeting.id, "dial-out").status_code == 202
    assert len(fake_opentok.requests("dial")) == 1
    assert press(client, meeting.id, "hang-up").get_json() == {"bridge": "off", "message": "Phone bridge hung up."}
