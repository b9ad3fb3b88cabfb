"""/voice-events: callers leaving lower the count, the bridge leg ending turns the bridge off."""

from __future__ import annotations

import pytest

from tests.vonage_calls import (
    answer,
    bridge_leg_answer,
    dialled,
    dtmf,
    event,
    new_uuid,
    post_json,
    status_lines,
    wait_for_status,
)


@pytest.fixture
def base_env(base_env) -> dict[str, str]:
    """No auto-bridge, so the card's bridge state stays put while callers come and go."""
    return {**base_env, "AUTO_BRIDGE": "false"}


def table_count(services, table: str) -> int:
    return services.store.database.query_one(f"SELECT count(*) AS n FROM {table}")["n"]


def admit(client, meeting, from_: str = "447700900123") -> str:
    leg = new_uuid()
    answer(leg, from_=from_).send(client)
    assert dtmf(leg, meeting.pin, from_=from_).send(client).get_json()[-1]["action"] == "conversation"
    return leg


def connected_bridge(slack_user, fake_opentok, services, client, meeting) -> tuple[str, str]:
    """Connect → dial → the bridge leg's answer; returns (leg uuid, OpenTok connection id)."""
    slack_user.click("dial_out", meeting.id)
    dial = dialled(fake_opentok, services, meeting.id)
    leg = new_uuid()
    assert bridge_leg_answer(dial, leg).send(client).get_json()[0]["action"] == "conversation"
    return leg, services.store.bridges.active(meeting.id).connection_id


def test_caller_completed_lowers_the_count_and_updates_the_card(start_meeting, client, services, fake_slack):
    meeting = start_meeting()
    leg = admit(client, meeting)
    seen = wait_for_status(fake_slack, "Phone bridge: *off* · 1 phone caller")
    for status in ("started", "ringing", "answered"):
        assert event(leg, status).send(client).status_code == 200
    response = event(leg, "completed").send(client)
    assert (response.status_code, response.data) == (200, b"")
    assert services.store.legs.callers_in(meeting.id) == 0
    wait_for_status(fake_slack, "Phone bridge: *off* · 0 phone callers", after=seen)


def test_duplicate_completed_events_count_a_caller_once(start_meeting, client, services, fake_slack):
    meeting = start_meeting()
    first, second = admit(client, meeting), admit(client, meeting, from_="447700900456")
    assert services.store.legs.callers_in(meeting.id) == 2
    for _ in range(3):
        assert event(first, "completed").send(client).status_code == 200
    assert services.store.legs.callers_in(meeting.id) == 1
    assert services.store.legs.get(second).left_at is None
    wait_for_status(fake_slack, "Phone bridge: *off* · 1 phone caller")


def test_late_answered_after_completed_does_not_bring_a_caller_back(start_meeting, client, services):
    meeting = start_meeting()
    leg = admit(client, meeting)
    event(leg, "completed").send(client)
    for status in ("answered", "ringing", "started"):
        assert event(leg, status).send(client).status_code == 200
    stored = services.store.legs.get(leg)
    assert (stored.status, stored.left_at is not None) == ("completed", True)
    assert services.store.legs.callers_in(meeting.id) == 0


def test_events_for_a_call_never_answered_create_nothing(start_meeting, client, services):
    """6,000 forged events used to make 6,000 legs and 6,000 audit rows."""
    start_meeting()
    for status in ("started", "ringing", "answered", "completed"):
        for _ in range(25):
            assert event(new_uuid(), status).send(client).status_code == 200
    services.store.webhook_log.flush()
    assert table_count(services, "phone_legs") == 0
    assert table_count(services, "webhook_log WHERE route = 'event'") == 0


def test_an_event_before_the_answer_is_dropped_and_the_answer_stores_the_leg(start_meeting, client, services):
    meeting = start_meeting()
    leg = new_uuid()
    assert event(leg, "ringing").send(client).status_code == 200
    assert services.store.legs.get(leg) is None
    assert answer(leg).send(client).status_code == 200
    assert dtmf(leg, meeting.pin).send(client).get_json()[-1]["action"] == "conversation"
    assert event(leg, "completed").send(client).status_code == 200
    assert services.store.legs.callers_in(meeting.id) == 0


def test_failure_statuses_also_end_a_caller(start_meeting, client, services):
    meeting = start_meeting()
    legs = [admit(client, meeting, from_=f"44770090010{i}") for i in range(3)]
    for leg, status in zip(legs, ("failed", "timeout", "cancelled"), strict=True):
        event(leg, status).send(client)
    assert services.store.legs.callers_in(meeting.id) == 0


def test_bridge_leg_completed_turns_the_bridge_off_and_drops_the_sip_connection(
        start_meeting, slack_user, client, services, fake_opentok, fake_vonage, fake_slack):
    meeting = start_meeting()
    leg, connection_id = connected_bridge(slack_user, fake_opentok, services, client, meeting)
    seen = wait_for_status(fake_slack, "Phone bridge: *connected* · 0 phone callers")
    assert event(leg, "completed", from_="opentok").send(client).status_code == 200
    bridge = services.store.bridges.latest(meeting.id)
    assert (bridge.state, bridge.reason) == ("off", "leg:completed")
    assert fake_opentok.wait_for("force_disconnect") == [
        {"session_id": meeting.session_id, "connection_id": connection_id}]
    assert fake_opentok.live_connections() == set()
    assert fake_vonage.requests("hangup") == []  # the leg has already ended
    wait_for_status(fake_slack, "Phone bridge: *off* · 0 phone callers", after=seen)


def test_duplicate_bridge_leg_completed_disconnects_once(start_meeting, slack_user, client, services,
                                                        fake_opentok):
    meeting = start_meeting()
    leg, _ = connected_bridge(slack_user, fake_opentok, services, client, meeting)
    for _ in range(3):
        assert event(leg, "completed", from_="opentok").send(client).status_code == 200
    assert len(fake_opentok.requests("force_disconnect")) == 1


def test_bridge_leg_progress_events_keep_it_connected(start_meeting, slack_user, client, services, fake_opentok):
    meeting = start_meeting()
    leg, _ = connected_bridge(slack_user, fake_opentok, services, client, meeting)
    for status in ("started", "ringing", "answered"):
        assert event(leg, status, from_="opentok").send(client).status_code == 200
    assert services.store.bridges.active(meeting.id).state == "connected"
    assert fake_opentok.requests("force_disconnect") == []


@pytest.mark.parametrize("payload", [
    {"uuid": "aaaaaaaa-0000-4000-8000-000000000001", "conversation_uuid": "CON-aaaaaaaa-0000-4000-8000-000000000001",
     "type": "transfer"},
    {"call_uuid": "aaaaaaaa-0000-4000-8000-000000000001", "status": "human"},
    {"call_uuid": "aaaaaaaa-0000-4000-8000-000000000001", "status": "completed"},
    {"status": "completed", "direction": "inbound"},
    {"reason": "error", "conversation_uuid": "CON-aaaaaaaa-0000-4000-8000-000000000001"},
    {},
])
def test_events_without_a_leg_uuid_or_status_are_acknowledged_with_200(client, services, payload):
    """Record, error and machine-detection events (only `call_uuid`) are acknowledged."""
    response = post_json("/voice-events", payload).send(client)
    assert (response.status_code, response.data) == (200, b"")
    assert services.store.legs.get("aaaaaaaa-0000-4000-8000-000000000001") is None


@pytest.mark.parametrize("payload", [
    {"uuid": "not-a-uuid", "status": "completed"},
    {"uuid": "1" * 512, "status": "completed"},
    {"uuid": "aaaaaaaa-0000-4000-8000-000000000001", "conversation_uuid": "CON-1", "status": "completed"},
])
def test_events_with_call_ids_that_are_not_uuids_are_refused(client, services, payload):
    response = post_json("/voice-events", payload).send(client)
    assert response.status_code == 400 and set(response.get_json()) == {"error"}
    services.store.webhook_log.flush()
    assert table_count(services, "webhook_log") == 0


def test_event_by_get_query_string_is_understood(start_meeting, client, services):
    meeting = start_meeting()
    leg = admit(client, meeting)
    response = client.get("/voice-events", query_string={"uuid": leg, "status": "completed"})
    assert response.status_code == 200
    assert services.store.legs.callers_in(meeting.id) == 0


def test_card_updates_follow_callers_in_order(start_meeting, client, fake_slack):
    meeting = start_meeting()
    legs = [admit(client, meeting, from_=f"44770090020{i}") for i in range(2)]
    seen = wait_for_status(fake_slack, "Phone bridge: *off* · 2 phone callers")
    for leg in legs:
        event(leg, "completed").send(client)
    wait_for_status(fake_slack, "Phone bridge: *off* · 0 phone callers", after=seen)
    assert status_lines(fake_slack)[-1] == "Phone bridge: *off* · 0 phone callers"
