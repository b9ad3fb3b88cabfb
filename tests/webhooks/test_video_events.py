"""POST /video-events: OpenTok session monitoring counts who is on video; when the
last one leaves, nobody can hear the phone callers, so the bridge is hung up."""

from __future__ import annotations

import json

import pytest

from app import create_app
from meetbridge.settings import load_settings
from meetbridge.video import SIP_CONNECTION_DATA
from tests.bridge_setup import connect_bridge, disconnected, hung_up_legs, wait_for_status
from tests.signing import vonage_bearer

SECRET = "video-events-secret-0123456789abcdef"
SIGNATURE_SECRET = "vonage-signature-secret-0123456789abcdef"
LEFT_NOTICE = "Phone bridge hung up: everyone on video left"


@pytest.fixture
def settings(base_env):
    return load_settings(dict(base_env, VIDEO_EVENTS_SECRET=SECRET, AUTO_BRIDGE="false"))


def callback(session_id: str, event: str, connection_id: str, data: str = "") -> dict:
    """A session-monitoring callback as OpenTok posts it."""
    return {"sessionId": session_id, "projectId": "47000001", "event": event, "timestamp": 1470257688309,
            "connection": {"id": connection_id, "createdAt": 1470257688143, "data": data}}


def post_event(client, payload: object, secret: str | None = SECRET, **headers: str):
    query = {"secret": secret} if secret is not None else {}
    return client.post("/video-events", query_string=query, data=json.dumps(payload),
                       headers={"Content-Type": "application/json", **headers})


def joined(client, meeting, connection_id: str, data: str = "Ada") -> None:
    response = post_event(client, callback(meeting.session_id, "connectionCreated", connection_id, data))
    assert response.status_code == 200


def left(client, meeting, connection_id: str, data: str = "Ada") -> None:
    response = post_event(client, callback(meeting.session_id, "connectionDestroyed", connection_id, data))
    assert response.status_code == 200


def on_video(services, meeting) -> int:
    return services.store.meetings.get(meeting.id).video_participants


def test_two_participants_joining_show_on_the_card(start_meeting, client, services, fake_slack):
    meeting = start_meeting("Standup")

    joined(client, meeting, "conn-ada", "Ada")
    joined(client, meeting, "conn-bob", "Bob")

    assert on_video(services, meeting) == 2
    wait_for_status(fake_slack, "Phone bridge: *off* · 0 phone callers · 2 on video")


def test_duplicate_and_out_of_order_events_do_not_skew_the_count(start_meeting, client, services):
    meeting = start_meeting("Standup")
    joined(client, meeting, "conn-ada")
    joined(client, meeting, "conn-ada")  # retried delivery
    left(client, meeting, "conn-bob")  # Bob's departure overtakes his arrival
    joined(client, meeting, "conn-bob")
    joined(client, meeting, "conn-cy")
    assert on_video(services, meeting) == 2  # Ada and Cy

    left(client, meeting, "conn-cy")
    left(client, meeting, "conn-cy")

    assert on_video(services, meeting) == 1


def test_the_sip_connection_is_not_counted_as_a_video_participant(start_meeting, slack_user, client, services,
                                                                  fake_opentok, fake_vonage):
    meeting = start_meeting("Standup")
    bridge = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    joined(client, meeting, "conn-ada")

    joined(client, meeting, bridge.connection_id, data=SIP_CONNECTION_DATA)
    assert on_video(services, meeting) == 1
    left(client, meeting, bridge.connection_id, data=SIP_CONNECTION_DATA)

    assert on_video(services, meeting) == 1
    assert services.store.bridges.active(meeting.id).state == "connected"


def test_last_video_participant_leaving_hangs_up_the_bridge_and_the_card_says_why(
        start_meeting, slack_user, client, services, fake_opentok, fake_vonage, fake_slack):
    meeting = start_meeting("Standup")
    bridge = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    joined(client, meeting, "conn-ada")
    joined(client, meeting, "conn-bob")
    left(client, meeting, "conn-ada")
    assert (hung_up_legs(fake_vonage), disconnected(fake_opentok)) == ([], [])

    left(client, meeting, "conn-bob")

    assert disconnected(fake_opentok) == [(bridge.session_id, bridge.connection_id)]
    assert hung_up_legs(fake_vonage) == [bridge.leg_uuid]
    assert services.store.bridges.latest(meeting.id).state == "off"
    wait_for_status(fake_slack, f"Phone bridge: *off* · 0 phone callers\n{LEFT_NOTICE}")
    left(client, meeting, "conn-bob")  # a late duplicate hangs up nothing more
    assert len(hung_up_legs(fake_vonage)) == 1


def test_event_for_an_unknown_session_is_acknowledged_and_ignored(start_meeting, client, services, fake_opentok):
    meeting = start_meeting("Standup")

    response = post_event(client, callback(fake_opentok.add_session(), "connectionCreated", "conn-x"))

    assert (response.status_code, response.get_data()) == (200, b"")  # 200: anything else is a failed delivery
    assert services.store.video_connections.present(meeting.id) == 0
    assert services.store.database.query("SELECT * FROM video_connections") == []


@pytest.mark.parametrize("secret", ["wrong-secret", "", None])
def test_wrong_or_missing_secret_is_401_and_nothing_is_counted(start_meeting, client, services, secret):
    meeting = start_meeting("Standup")

    response = post_event(client, callback(meeting.session_id, "connectionCreated", "conn-ada"), secret=secret)

    assert (response.status_code, response.get_json()) == (401, {"error": "unauthorized"})
    assert on_video(services, meeting) == 0


@pytest.mark.parametrize("body, content_type", [
    (b"{not json", "application/json"),
    (b"[]", "application/json"),
    (json.dumps({"event": "connectionCreated", "connection": {"id": "c"}}).encode(), "application/json"),
    (json.dumps({"sessionId": 7, "event": "connectionCreated", "connection": {"id": "c"}}).encode(),
     "application/json"),
    (json.dumps({"sessionId": "s", "event": "connectionCreated", "connection": "c"}).encode(), "application/json"),
    (json.dumps({"sessionId": "s", "event": "connectionCreated", "connection": {}}).encode(), "application/json"),
    (b"\x00\x01", "application/octet-stream"),
])
def test_malformed_event_is_400(client, body, content_type):
    response = client.post("/video-events", query_string={"secret": SECRET}, data=body,
                           headers={"Content-Type": content_type})

    assert response.status_code == 400
    assert set(response.get_json()) == {"error"}


def monitoring_app(base_env, clock, **env: str):
    return create_app(load_settings(dict(base_env, **env)), clock=clock, run_sweeper=False)


def test_without_any_secret_configured_the_route_is_404(base_env, clock):
    app = monitoring_app(base_env, clock)
    try:
        response = post_event(app.test_client(), callback("1_abc", "connectionCreated", "conn-ada"))
    finally:
        app.extensions["meetbridge.shutdown"]()
    assert (response.status_code, response.get_json()) == (404, {"error": "session monitoring is not configured"})


def test_with_vonage_signing_on_a_signed_callback_is_accepted_and_an_unsigned_one_is_401(base_env, clock):
    app = monitoring_app(base_env, clock, VONAGE_SIGNATURE_SECRET=SIGNATURE_SECRET)
    payload = callback("1_abc", "connectionCreated", "conn-ada")
    body = json.dumps(payload).encode()
    try:
        signed = post_event(app.test_client(), payload, secret=None,
                            Authorization=vonage_bearer(SIGNATURE_SECRET, body))
        unsigned = post_event(app.test_client(), payload, secret=None)
    finally:
        app.extensions["meetbridge.shutdown"]()
    assert (signed.status_code, unsigned.status_code) == (200, 401)
