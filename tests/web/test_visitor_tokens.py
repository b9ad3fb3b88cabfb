"""Visitor tokens: at most 15 minutes and never past the meeting's end, structured
connection data no visitor can turn into the bridge's marker, and minting rate-limited per
meeting and per client address in the database (429 + Retry-After)."""

from __future__ import annotations

import json

import jwt
import pytest

from app import create_app
from meetbridge.meetings import TOKENS_PER_ADDRESS_MINUTE, TOKENS_PER_MEETING_MINUTE, MeetingRequest
from meetbridge.settings import load_settings
from meetbridge.video import SIP_CONNECTION_DATA, is_phone_bridge
from tests.conftest import VIDEO_SECRET

OFFICE = "203.0.113.7"


@pytest.fixture
def meeting(services):
    return services.meetings.start(MeetingRequest(workspace_id="T0001", place_id="C1", starter_id="U1", topic="Sync"))


def mint(client, meeting_id: str, name: str = "Ada", address: str = OFFICE):
    return client.post(f"/rooms/{meeting_id}/token", json={"name": name},
                       environ_overrides={"REMOTE_ADDR": address})


def claims_of(response) -> dict:
    return jwt.decode(response.get_json()["token"], VIDEO_SECRET, algorithms=["HS256"])


def test_a_token_lives_at_most_15_minutes(client, meeting, clock):
    claims = claims_of(mint(client, meeting.id))
    assert claims["exp"] == int(clock.now() + 15 * 60)
    assert claims["exp"] < meeting.expires_at - 3600


def test_a_token_never_outlives_the_meeting(client, services, meeting, clock):
    clock.advance(meeting.expires_at - clock.now() - 5 * 60)  # five minutes left
    response = mint(client, meeting.id)
    assert claims_of(response)["exp"] == int(meeting.expires_at)
    assert response.get_json()["expiresIn"] == 300


def test_a_visitor_named_like_the_old_marker_or_the_new_one_is_not_the_bridge(client, meeting):
    for name in ("sip=true", SIP_CONNECTION_DATA, '{"meetbridge":"phone-bridge"}'):
        data = claims_of(mint(client, meeting.id, name))["connection_data"]
        assert json.loads(data) == {"name": name}
        assert not is_phone_bridge(data)
    assert is_phone_bridge(SIP_CONNECTION_DATA)


def test_video_monitor_counts_a_visitor_named_sip_true(client, services, meeting):
    data = claims_of(mint(client, meeting.id, "sip=true"))["connection_data"]
    services.video_monitor.connection_event(meeting.session_id, "connectionCreated", "conn-eve", data)
    assert services.store.meetings.get(meeting.id).video_participants == 1


def test_one_address_gets_60_tokens_a_minute_then_429_with_retry_after(client, meeting, clock):
    statuses = [mint(client, meeting.id).status_code for _ in range(TOKENS_PER_ADDRESS_MINUTE)]
    clock.advance(20)
    refused = mint(client, meeting.id)
    assert statuses == [200] * TOKENS_PER_ADDRESS_MINUTE
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "40")
    assert refused.get_json() == {"error": "Too many requests from here; try again in 40 s.", "retryAfter": 40}
    assert mint(client, meeting.id, address="198.51.100.1").status_code == 200  # someone else still joins
    clock.advance(40)
    assert mint(client, meeting.id).status_code == 200


def test_one_meeting_gets_a_bounded_number_of_tokens_a_minute_from_all_addresses(client, meeting):
    addresses = [f"10.0.{n // 50}.{n % 50}" for n in range(TOKENS_PER_MEETING_MINUTE)]
    assert {mint(client, meeting.id, address=address).status_code for address in addresses} == {200}
    assert mint(client, meeting.id, address="192.0.2.99").status_code == 429


def test_a_full_meeting_behind_one_office_address_never_meets_the_limit(client, meeting, clock):
    """50 people join within a minute, then each refreshes every 14 minutes for an hour."""
    assert {mint(client, meeting.id, f"Person {n}").status_code for n in range(50)} == {200}
    for _ in range(4):
        clock.advance(14 * 60)
        assert {mint(client, meeting.id, f"Person {n}").status_code for n in range(50)} == {200}


def test_the_limit_holds_across_workers_sharing_the_database(client, settings, clock, meeting):
    other_worker = create_app(settings, clock=clock, run_sweeper=False)
    try:
        for n in range(TOKENS_PER_ADDRESS_MINUTE):
            worker = client if n % 2 else other_worker.test_client()
            assert mint(worker, meeting.id).status_code == 200
        assert mint(other_worker.test_client(), meeting.id).status_code == 429
        assert mint(client, meeting.id).status_code == 429
    finally:
        other_worker.extensions["meetbridge.shutdown"]()


def test_unknown_meeting_404_and_ended_410(client, services, meeting):
    assert mint(client, "no-such-meeting").status_code == 404
    services.lifecycle.end(meeting.id, reason="ended")
    assert mint(client, meeting.id).status_code == 410


def test_the_database_keeps_no_client_address(client, services, meeting, settings):
    mint(client, meeting.id)
    assert OFFICE not in str(services.store.database.query("SELECT * FROM rate_limit_hits"))


def test_an_expired_meetings_token_route_says_ended(base_env, clock):
    app = create_app(load_settings(dict(base_env, MEETING_TTL_HOURS="0.01")), clock=clock, run_sweeper=False)
    try:
        services = app.extensions["meetbridge"]
        meeting = services.meetings.start(MeetingRequest(workspace_id="T1", place_id="C1", starter_id="U1", topic=None))
        assert claims_of(mint(app.test_client(), meeting.id))["exp"] == int(meeting.expires_at)  # 36 s
        clock.advance(37)
        assert mint(app.test_client(), meeting.id).status_code == 410
    finally:
        app.extensions["meetbridge.shutdown"]()
