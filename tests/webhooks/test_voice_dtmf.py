"""/voice-dtmf: the PIN admits a caller to the meeting's conversation, nothing else does."""

from __future__ import annotations

import pytest

from meetbridge import ncco
from meetbridge.phone_entry import LOCKOUT_WINDOW_SECONDS
from tests.vonage_calls import (CALLER_NUMBER, answer, bridge_leg_answer, dialled, dtmf, legacy_dtmf,
                                new_uuid)

WRONG_PIN = "000000"


@pytest.fixture
def extra_env() -> dict[str, str]:
    """Settings a test changes by parametrizing `extra_env`."""
    return {}


@pytest.fixture
def base_env(base_env, extra_env) -> dict[str, str]:
    return {**base_env, **extra_env}


def reprompt(settings, text: str) -> list[dict]:
    return [{"action": "talk", "text": text, "bargeIn": True},
            {"action": "input", "type": ["dtmf"],
             "dtmf": {"maxDigits": settings.pin_length, "submitOnHash": True,
                      "timeOut": ncco.DIGIT_TIMEOUT_SECONDS},
             "eventUrl": [settings.server_url + "/voice-dtmf"], "eventMethod": "POST"}]


def joined(meeting_id: str) -> list[dict]:
    return [{"action": "talk", "text": "Joining the meeting."},
            {"action": "conversation", "name": f"meetbridge-{meeting_id}", "startOnEnter": True,
             "endOnExit": False}]


GOODBYE = [{"action": "talk", "text": ncco.GOODBYE}]
LOCKED_OUT = [{"action": "talk", "text": ncco.LOCKED_OUT}]


def new_call(client, from_: str | None = CALLER_NUMBER) -> str:
    """A caller rings: the answer webhook, then the leg's uuid for its DTMF."""
    leg = new_uuid()
    assert answer(leg, from_=from_).send(client).status_code == 200
    return leg


def fail_pins(client, failures: int, from_: str | None = CALLER_NUMBER) -> None:
    """`failures` wrong PINs from one number, in as many calls as PIN_ATTEMPTS requires."""
    for attempt in range(failures):
        if attempt % 3 == 0:
            leg = new_call(client, from_)
        dtmf(leg, WRONG_PIN, from_=from_).send(client)


def test_right_pin_joins_the_same_conversation_as_the_bridge_leg(start_meeting, client, services,
                                                                 fake_opentok):
    meeting = start_meeting("Planning")
    leg = new_call(client)
    response = dtmf(leg, meeting.pin).send(client)
    assert (response.status_code, response.mimetype) == (200, "application/json")
    assert response.get_json() == joined(meeting.id)
    assert services.store.legs.get(leg).meeting_id == meeting.id
    assert services.store.legs.callers_in(meeting.id) == 1
    # Auto-bridge dialled; the bridge leg lands in the conversation of the same name.
    bridge_ncco = bridge_leg_answer(dialled(fake_opentok, services, meeting.id), new_uuid()).send(client).get_json()
    assert bridge_ncco[-1]["name"] == response.get_json()[-1]["name"] == f"meetbridge-{meeting.id}"


def test_right_pin_in_the_legacy_string_payload_joins(start_meeting, client, services):
    meeting = start_meeting()
    leg = new_call(client)
    assert legacy_dtmf(leg, meeting.pin).send(client).get_json() == joined(meeting.id)
    assert services.store.legs.callers_in(meeting.id) == 1


def test_wrong_pin_is_asked_again(start_meeting, client, settings, services):
    meeting = start_meeting()
    leg = new_call(client)
    assert dtmf(leg, WRONG_PIN).send(client).get_json() == reprompt(settings, ncco.RETRY)
    assert services.store.legs.get(leg).meeting_id is None
    assert services.store.legs.callers_in(meeting.id) == 0


@pytest.mark.parametrize("digits, timed_out", [("", False), (None, True), ("", True)])
def test_empty_or_timed_out_input_is_asked_again(client, settings, digits, timed_out):
    leg = new_call(client)
    response = dtmf(leg, digits, timed_out=timed_out).send(client)
    assert response.get_json() == reprompt(settings, ncco.NO_INPUT)


def test_legacy_timed_out_payload_is_asked_again(client, settings):
    leg = new_call(client)
    assert legacy_dtmf(leg, "", timed_out=True).send(client).get_json() == reprompt(settings, ncco.NO_INPUT)


@pytest.mark.parametrize("digits, timed_out", [(WRONG_PIN, False), ("", False), (None, True), ("12", False)])
def test_third_failed_attempt_says_goodbye_without_prompt_or_conversation(start_meeting, client, services,
                                                                         digits, timed_out):
    meeting = start_meeting()
    leg = new_call(client)
    answers = [dtmf(leg, digits, timed_out=timed_out).send(client).get_json() for _ in range(3)]
    assert [a[-1]["action"] for a in answers] == ["input", "input", "talk"]
    assert answers[-1] == GOODBYE
    assert services.store.legs.callers_in(meeting.id) == 0


def test_right_pin_after_two_wrong_ones_still_joins(start_meeting, client):
    meeting = start_meeting()
    leg = new_call(client)
    dtmf(leg, WRONG_PIN).send(client)
    dtmf(leg, "").send(client)
    assert dtmf(leg, meeting.pin).send(client).get_json() == joined(meeting.id)


def test_pin_of_an_ended_meeting_is_refused(start_meeting, client, services, settings):
    meeting = start_meeting()
    assert services.lifecycle.end(meeting.id, reason="ended")
    leg = new_call(client)
    assert dtmf(leg, meeting.pin).send(client).get_json() == reprompt(settings, ncco.RETRY)
    assert services.store.legs.get(leg).meeting_id is None


def test_pin_of_a_meeting_past_its_lifetime_is_refused(start_meeting, client, clock, settings):
    meeting = start_meeting()
    clock.advance(settings.meeting_ttl_seconds + 1)
    leg = new_call(client)
    assert dtmf(leg, meeting.pin).send(client).get_json() == reprompt(settings, ncco.RETRY)


def test_number_with_too_many_failures_is_refused_without_prompt(start_meeting, client, settings, services):
    meeting = start_meeting()
    fail_pins(client, settings.pin_lockout_failures)
    leg = new_uuid()
    assert answer(leg).send(client).get_json() == LOCKED_OUT
    # Even the right PIN, from a call that got a prompt before the lockout, is refused now.
    assert dtmf(new_uuid(), meeting.pin).send(client).get_json() == LOCKED_OUT
    assert services.store.legs.callers_in(meeting.id) == 0


def test_one_failure_short_of_the_lockout_still_gets_the_prompt(client, settings):
    fail_pins(client, settings.pin_lockout_failures - 1)
    assert answer(new_uuid()).send(client).get_json()[-1]["action"] == "input"


def test_lockout_counts_one_number_only(client, settings):
    fail_pins(client, settings.pin_lockout_failures)
    assert answer(new_uuid(), from_="447700900999").send(client).get_json()[-1]["action"] == "input"


def test_lockout_ends_fifteen_minutes_after_the_failures(start_meeting, client, clock, settings):
    meeting = start_meeting()
    fail_pins(client, settings.pin_lockout_failures)
    clock.advance(LOCKOUT_WINDOW_SECONDS - 1)
    assert answer(new_uuid()).send(client).get_json() == LOCKED_OUT
    clock.advance(2)
    leg = new_call(client)
    assert dtmf(leg, meeting.pin).send(client).get_json() == joined(meeting.id)


def test_lockout_window_slides_with_the_failures(client, clock, settings):
    half = settings.pin_lockout_failures // 2
    fail_pins(client, half)
    clock.advance(10 * 60)
    fail_pins(client, settings.pin_lockout_failures - half)
    assert answer(new_uuid()).send(client).get_json() == LOCKED_OUT
    clock.advance(5 * 60 + 1)  # the first failures leave the 15-minute window
    assert answer(new_uuid()).send(client).get_json()[-1]["action"] == "input"


@pytest.mark.parametrize("withheld", ["Unknown", None])
def test_withheld_numbers_are_limited_per_call_only(start_meeting, client, settings, withheld):
    meeting = start_meeting()
    fail_pins(client, settings.pin_lockout_failures + 2, from_=withheld)
    leg = new_call(client, from_=withheld)
    assert dtmf(leg, WRONG_PIN, from_=withheld).send(client).get_json() == reprompt(settings, ncco.RETRY)
    assert dtmf(leg, meeting.pin, from_=withheld).send(client).get_json() == joined(meeting.id)
    other = new_call(client, from_=withheld)
    answers = [dtmf(other, WRONG_PIN, from_=withheld).send(client).get_json() for _ in range(3)]
    assert answers[-1] == GOODBYE


def test_first_admitted_caller_starts_the_bridge(start_meeting, client, fake_opentok, settings):
    meeting = start_meeting()
    dtmf(new_call(client), meeting.pin).send(client)
    dial = fake_opentok.wait_for("dial")[0]
    assert dial["sessionId"] == meeting.session_id
    assert dial["sip"]["uri"] == settings.sip_uri
    assert dial["sip"]["headers"]["X-Meetbridge-Meeting"] == meeting.id


def test_second_caller_does_not_dial_again(start_meeting, client, fake_opentok, services):
    meeting = start_meeting()
    dtmf(new_call(client), meeting.pin).send(client)
    dialled(fake_opentok, services, meeting.id)
    dtmf(new_call(client, from_="447700900456"), meeting.pin).send(client)
    services.background.shutdown()  # every queued background job has run
    assert len(fake_opentok.requests("dial")) == 1


@pytest.mark.parametrize("extra_env", [{"AUTO_BRIDGE": "false"}])
def test_without_auto_bridge_an_admitted_caller_dials_nothing(start_meeting, client, fake_opentok, services):
    meeting = start_meeting()
    assert dtmf(new_call(client), meeting.pin).send(client).get_json() == joined(meeting.id)
    services.background.shutdown()  # every queued background job has run
    assert fake_opentok.requests("dial") == []
    assert services.store.bridges.latest(meeting.id) is None


def test_dtmf_for_a_leg_never_answered_still_works(start_meeting, client):
    """Vonage may retry or reorder webhooks: the input alone is enough."""
    meeting = start_meeting()
    assert dtmf(new_uuid(), meeting.pin).send(client).get_json() == joined(meeting.id)
