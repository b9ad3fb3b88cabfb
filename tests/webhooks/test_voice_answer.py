"""/voice-answer: phone callers get the PIN prompt; only the real bridge leg gets the meeting."""

from __future__ import annotations

import pytest

from meetbridge import ncco
from tests.vonage_calls import (
    MEETING_HEADER,
    TOKEN_HEADER,
    answer,
    answer_payload,
    bridge_leg_answer,
    dialled,
    new_uuid,
    post_form,
)


def pin_prompt(settings, text: str = ncco.PROMPT) -> list[dict]:
    """The NCCO every caller without our bridge header must get."""
    return [
        {"action": "talk", "text": text, "bargeIn": True},
        {"action": "input", "type": ["dtmf"],
         "dtmf": {"maxDigits": settings.pin_length, "submitOnHash": True, "timeOut": ncco.DIGIT_TIMEOUT_SECONDS},
         "eventUrl": [settings.server_url + "/voice-dtmf"], "eventMethod": "POST"},
    ]


def conversation(meeting) -> list[dict]:
    """The meeting's stored random name: nothing sent to a phone leg names the meeting id."""
    return [{"action": "conversation", "name": meeting.conversation_name, "startOnEnter": True,
             "endOnExit": False}]


NOT_EXPECTED = [{"action": "talk", "text": ncco.NOT_EXPECTED}]


def connect_bridge(slack_user, fake_opentok, services, meeting) -> dict:
    slack_user.click("dial_out", meeting.id)
    return dialled(fake_opentok, services, meeting.id)


def test_phone_caller_answered_by_get_query_gets_the_pin_prompt_as_json(client, settings, services):
    leg = new_uuid()
    response = answer(leg).send(client)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.get_json() == pin_prompt(settings)
    assert services.store.legs.get(leg).caller_number == "447700900123"


def test_phone_caller_answered_by_post_json_gets_the_pin_prompt(client, settings):
    response = answer(new_uuid(), method="POST").send(client)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == pin_prompt(settings)


def test_phone_caller_answered_by_post_form_gets_the_pin_prompt(client, settings):
    response = post_form("/voice-answer", answer_payload(new_uuid())).send(client)
    assert response.status_code == 200
    assert response.get_json() == pin_prompt(settings)


def test_pin_prompt_asks_for_at_least_as_many_digits_as_the_pin(client, start_meeting):
    meeting = start_meeting("Digits")
    dtmf_options = answer(new_uuid()).send(client).get_json()[1]["dtmf"]
    # Vonage cuts input at 4 digits unless told otherwise.
    assert dtmf_options["maxDigits"] >= len(meeting.pin) > 4


def test_bridge_leg_with_our_headers_gets_exactly_the_meeting_conversation(
        start_meeting, slack_user, fake_opentok, services, client):
    meeting = start_meeting("Standup")
    dial = connect_bridge(slack_user, fake_opentok, services, meeting)
    assert services.store.bridges.active(meeting.id).state == "connecting"
    leg = new_uuid()
    response = bridge_leg_answer(dial, leg).send(client)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == conversation(meeting)
    assert meeting.id not in response.get_data(as_text=True)  # the meeting id is the join link
    bridge = services.store.bridges.active(meeting.id)
    assert (bridge.state, bridge.leg_uuid) == ("connected", leg)
    assert services.store.legs.get(leg) is None  # the bridge is not counted as a phone caller


def test_bridge_leg_answered_by_post_json_gets_the_conversation(start_meeting, slack_user, fake_opentok,
                                                                services, client):
    meeting = start_meeting()
    dial = connect_bridge(slack_user, fake_opentok, services, meeting)
    leg = new_uuid()
    assert bridge_leg_answer(dial, leg, method="POST").send(client).get_json() == conversation(meeting)
    assert services.store.bridges.active(meeting.id).leg_uuid == leg


def test_forged_bridge_header_with_the_wrong_token_gets_the_pin_prompt_not_the_conversation(
        start_meeting, slack_user, fake_opentok, services, client, settings):
    meeting = start_meeting()
    connect_bridge(slack_user, fake_opentok, services, meeting)
    forged = {MEETING_HEADER: meeting.id, TOKEN_HEADER: "guessed-token-0123456789abcdef"}
    response = answer(new_uuid(), sip_headers=forged).send(client)
    assert response.get_json() == pin_prompt(settings)
    bridge = services.store.bridges.active(meeting.id)
    assert (bridge.state, bridge.leg_uuid) == ("connecting", None)


def test_bridge_header_for_a_meeting_that_never_dialled_gets_the_pin_prompt(start_meeting, client, settings,
                                                                           services):
    meeting = start_meeting()
    headers = {MEETING_HEADER: meeting.id, TOKEN_HEADER: "x" * 32}
    assert answer(new_uuid(), sip_headers=headers).send(client).get_json() == pin_prompt(settings)
    assert services.store.bridges.latest(meeting.id) is None


def test_bridge_leg_arriving_after_hang_up_is_ended_with_a_goodbye_not_joined(
        start_meeting, slack_user, fake_opentok, services, client):
    """Never an empty NCCO (Vonage's schema wants one action): the old code answered []."""
    meeting = start_meeting()
    dial = connect_bridge(slack_user, fake_opentok, services, meeting)
    assert services.bridge.hang_up(meeting.id, reason="hung up")
    response = bridge_leg_answer(dial, new_uuid()).send(client)
    assert (response.status_code, response.get_json()) == (200, NOT_EXPECTED)
    assert services.store.bridges.latest(meeting.id).state == "off"


def test_second_answer_of_the_same_bridge_token_cannot_take_over_the_bridge(
        start_meeting, slack_user, fake_opentok, services, client):
    meeting = start_meeting()
    dial = connect_bridge(slack_user, fake_opentok, services, meeting)
    first, replay = new_uuid(), new_uuid()
    bridge_leg_answer(dial, first).send(client)
    assert bridge_leg_answer(dial, replay).send(client).get_json() == NOT_EXPECTED  # was []
    assert services.store.bridges.active(meeting.id).leg_uuid == first


@pytest.mark.parametrize("field, value", [
    ("uuid", "not-a-uuid"), ("uuid", "x" * 512), ("uuid", "aaaaaaaa-0000-4000-8000-00000000000g"),
    ("conversation_uuid", "CON-1"), ("conversation_uuid", "CON-" + "x" * 36),
    ("conversation_uuid", "CONV-aaaaaaaa-0000-4000-8000-000000000001"),
])
def test_call_ids_that_are_not_uuids_are_refused_and_nothing_is_stored(client, services, field, value):
    """Any 512-character string used to be taken as a leg."""
    payload = {**answer_payload(new_uuid()), field: value}
    response = client.get("/voice-answer", query_string=payload)
    assert response.status_code == 400
    assert set(response.get_json()) == {"error"} and field in response.get_json()["error"]
    assert services.store.database.query_one("SELECT count(*) AS n FROM phone_legs")["n"] == 0


@pytest.mark.parametrize("conversation_uuid", ["CON-aaaaaaaa-0000-4000-8000-000000000001",
                                               "aaaaaaaa-0000-4000-8000-000000000001", None])
def test_vonage_call_ids_are_accepted(client, settings, conversation_uuid):
    payload = answer_payload(new_uuid())
    if conversation_uuid is None:
        del payload["conversation_uuid"]
    else:
        payload["conversation_uuid"] = conversation_uuid
    assert client.get("/voice-answer", query_string=payload).get_json() == pin_prompt(settings)
