"""Signed webhooks on (VONAGE_SIGNATURE_SECRET): only requests Vonage signed are acted on."""

from __future__ import annotations

import json

import pytest

from tests.signing import vonage_bearer
from tests.vonage_calls import (WebhookCall, answer, bridge_leg_answer, dialled, dtmf, event, new_uuid)

SECRET = "vonage-signature-secret-0123456789abcdef"
OTHER_SECRET = "some-other-account-secret-0123456789abcd"


@pytest.fixture
def base_env(base_env) -> dict[str, str]:
    return {**base_env, "VONAGE_SIGNATURE_SECRET": SECRET}


def unsigned(call: WebhookCall) -> WebhookCall:
    return call


def signed_by_someone_else(call: WebhookCall) -> WebhookCall:
    return call.signed(OTHER_SECRET)


def tampered(call: WebhookCall) -> WebhookCall:
    """Signed for one body, delivered with another (payload_hash no longer matches)."""
    signed = call.signed(SECRET)
    if not call.body:  # a GET: smuggle in a body the token never covered
        return signed.with_body(b'{"uuid": "x"}').with_headers(**{"Content-Type": "application/json"})
    payload = json.loads(call.body)
    payload["from"] = "447700900999"
    return signed.with_body(json.dumps(payload).encode())


def garbage_bearer(call: WebhookCall) -> WebhookCall:
    return call.with_headers(Authorization="Bearer garbage")


FORGERIES = [unsigned, signed_by_someone_else, tampered, garbage_bearer]


def assert_refused(response) -> None:
    assert response.status_code == 401
    assert response.get_json()["error"].startswith("unauthorized: ")


@pytest.mark.parametrize("forge", FORGERIES)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_forged_answer_is_refused_and_records_no_leg(client, services, forge, method):
    leg = new_uuid()
    assert_refused(forge(answer(leg, method=method)).send(client))
    assert services.store.legs.get(leg) is None


@pytest.mark.parametrize("forge", FORGERIES)
def test_forged_right_pin_admits_nobody_and_dials_nothing(start_meeting, client, services, fake_opentok, forge):
    meeting = start_meeting()
    leg = new_uuid()
    assert_refused(forge(dtmf(leg, meeting.pin)).send(client))
    services.background.shutdown()  # every queued background job has run
    assert services.store.legs.get(leg) is None
    assert services.store.legs.callers_in(meeting.id) == 0
    assert fake_opentok.requests("dial") == []


@pytest.mark.parametrize("forge", FORGERIES)
def test_forged_wrong_pins_count_towards_no_lockout(client, services, forge):
    for _ in range(services.settings.pin_lockout_failures):
        assert_refused(forge(dtmf(new_uuid(), "000000")).send(client))
    assert answer(new_uuid(), secret=SECRET).send(client).get_json()[-1]["action"] == "input"


@pytest.mark.parametrize("forge", FORGERIES)
def test_forged_bridge_leg_completed_leaves_the_bridge_connected(start_meeting, slack_user, client, services,
                                                                 fake_opentok, forge):
    meeting = start_meeting()
    slack_user.click("dial_out", meeting.id)
    leg = new_uuid()
    bridge_leg_answer(dialled(fake_opentok, services, meeting.id), leg, secret=SECRET).send(client)
    assert_refused(forge(event(leg, "completed")).send(client))
    assert services.store.bridges.active(meeting.id).state == "connected"
    assert fake_opentok.requests("force_disconnect") == []


def test_signed_get_answer_is_served(client):
    response = answer(new_uuid(), secret=SECRET).send(client)
    assert response.status_code == 200
    assert [action["action"] for action in response.get_json()] == ["talk", "input"]


def test_signed_post_answer_is_served(client):
    response = answer(new_uuid(), method="POST", secret=SECRET).send(client)
    assert response.status_code == 200
    assert [action["action"] for action in response.get_json()] == ["talk", "input"]


def test_signed_bridge_leg_and_pin_join_the_meeting(start_meeting, slack_user, client, services, fake_opentok):
    meeting = start_meeting()
    slack_user.click("dial_out", meeting.id)
    dial = dialled(fake_opentok, services, meeting.id)
    bridge = bridge_leg_answer(dial, new_uuid(), method="POST", secret=SECRET).send(client)
    assert (bridge.status_code, bridge.get_json()[-1]["action"]) == (200, "conversation")
    leg = new_uuid()
    response = dtmf(leg, meeting.pin, secret=SECRET).send(client)
    assert (response.status_code, response.get_json()[-1]["name"]) == (200, f"meetbridge-{meeting.id}")
    assert services.store.legs.callers_in(meeting.id) == 1


def test_signed_event_is_acted_on(start_meeting, client, services):
    meeting = start_meeting()
    leg = new_uuid()
    dtmf(leg, meeting.pin, secret=SECRET).send(client)
    assert event(leg, "completed", secret=SECRET).send(client).status_code == 204
    assert services.store.legs.callers_in(meeting.id) == 0


def test_token_of_a_bodyless_request_does_not_sign_a_body(start_meeting, client, services):
    """A GET's JWT has no payload_hash; replayed on a POST it must not vouch for that body."""
    meeting = start_meeting()
    leg = new_uuid()
    replayed = dtmf(leg, meeting.pin).with_headers(Authorization=vonage_bearer(SECRET, b""))
    assert_refused(replayed.send(client))
    assert services.store.legs.get(leg) is None


def test_bearer_scheme_is_required(client):
    token = vonage_bearer(SECRET, b"").removeprefix("Bearer ")
    assert_refused(answer(new_uuid()).with_headers(Authorization=token).send(client))
    assert_refused(answer(new_uuid()).with_headers(Authorization=f"Basic {token}").send(client))
