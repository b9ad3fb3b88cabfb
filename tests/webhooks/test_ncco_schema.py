"""Every NCCO the product answers validates against Vonage's NCCO schema, and none is
empty: the real routes are driven into every branch and each answer is checked with
tests/specs/vonage/ncco-schema.json (copied from Vonage's OpenAPI repository, MIT)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, FormatChecker

from meetbridge import ncco
from tests.vonage_calls import MEETING_HEADER, TOKEN_HEADER, answer, bridge_leg_answer, dialled, dtmf, new_uuid
from tests.webhooks.callers import WRONG_PIN, new_call

SCHEMA = json.loads((Path(__file__).parents[1] / "specs" / "vonage" / "ncco-schema.json").read_text())
VALIDATOR = Draft4Validator(SCHEMA, format_checker=FormatChecker())
OTHER = "447700900777"


@pytest.fixture
def base_env(base_env) -> dict[str, str]:
    """Small limits, so the busy, full and locked-out branches are reached in a few calls."""
    return {**base_env, "PIN_FAILURE_BUDGET": "6", "MAX_PHONE_CALLERS": "1", "PIN_LOCKOUT_FAILURES": "3",
            "AUTO_BRIDGE": "false"}


def fail_from_many(client, count: int) -> None:
    for index in range(count):
        number = f"4477009{index:05d}"
        dtmf(new_call(client, number), WRONG_PIN, from_=number).send(client)


def connect(slack_user, fake_opentok, services, meeting) -> dict:
    slack_user.click("dial_out", meeting.id)
    return dialled(fake_opentok, services, meeting.id)


# Each scenario drives the routes and returns the NCCO of the branch it names.

def caller_prompt(env) -> list:
    return answer(new_uuid()).send(env.client).get_json()


def re_prompt_wrong(env) -> list:
    return dtmf(new_call(env.client), WRONG_PIN).send(env.client).get_json()


def re_prompt_empty(env) -> list:
    return dtmf(new_call(env.client), None, timed_out=True).send(env.client).get_json()


def goodbye_after_last_attempt(env) -> list:
    leg = new_call(env.client)
    return [dtmf(leg, WRONG_PIN).send(env.client).get_json() for _ in range(3)][-1]


def no_check_after_last_attempt(env) -> list:
    leg = new_call(env.client, None)  # withheld: its lock-out threshold is 9, above 3 attempts
    for _ in range(3):
        dtmf(leg, "").send(env.client)
    return dtmf(leg, env.meeting.pin).send(env.client).get_json()


def caller_joins(env) -> list:
    return dtmf(new_call(env.client), env.meeting.pin).send(env.client).get_json()


def joined_caller_input_repeated(env) -> list:
    leg = new_call(env.client)
    dtmf(leg, env.meeting.pin).send(env.client)
    return dtmf(leg, env.meeting.pin).send(env.client).get_json()


def joined_caller_input_after_the_end(env) -> list:
    leg = new_call(env.client)
    dtmf(leg, env.meeting.pin).send(env.client)
    env.clock.advance(env.services.settings.meeting_ttl_seconds + 1)  # before the sweeper hangs up
    return dtmf(leg, env.meeting.pin).send(env.client).get_json()


def meeting_full(env) -> list:
    dtmf(new_call(env.client), env.meeting.pin).send(env.client)
    return dtmf(new_call(env.client, OTHER), env.meeting.pin).send(env.client).get_json()


def locked_out_at_answer(env) -> list:
    leg = new_call(env.client)
    for _ in range(3):
        dtmf(leg, WRONG_PIN).send(env.client)
    return answer(new_uuid()).send(env.client).get_json()


def locked_out_mid_entry(env) -> list:
    waiting = new_call(env.client)
    leg = new_call(env.client)
    for _ in range(3):
        dtmf(leg, WRONG_PIN).send(env.client)
    return dtmf(waiting, env.meeting.pin).send(env.client).get_json()


def busy_at_answer(env) -> list:
    fail_from_many(env.client, 6)
    return answer(new_uuid(), from_=OTHER).send(env.client).get_json()


def busy_mid_entry(env) -> list:
    waiting = new_call(env.client, OTHER)
    fail_from_many(env.client, 6)
    return dtmf(waiting, env.meeting.pin).send(env.client).get_json()


def input_for_a_call_never_answered(env) -> list:
    return dtmf(new_uuid(), env.meeting.pin).send(env.client).get_json()


def bridge_leg_joins(env) -> list:
    return bridge_leg_answer(env.connect(), new_uuid()).send(env.client).get_json()


def bridge_leg_with_a_used_dial_token(env) -> list:
    dial = env.connect()
    bridge_leg_answer(dial, new_uuid()).send(env.client)
    return bridge_leg_answer(dial, new_uuid()).send(env.client).get_json()


def bridge_leg_after_hang_up(env) -> list:
    dial = env.connect()
    env.services.bridge.hang_up(env.meeting.id, reason="hung up")
    return bridge_leg_answer(dial, new_uuid()).send(env.client).get_json()


def forged_bridge_header(env) -> list:
    headers = {MEETING_HEADER: env.meeting.id, TOKEN_HEADER: "x" * 32}
    return answer(new_uuid(), sip_headers=headers).send(env.client).get_json()


def bridge_leg_of_a_meeting_without_a_conversation_name(env) -> list:
    """A meeting stored before conversation names existed (ended before the upgrade)."""
    dial = env.connect()
    env.services.store.database.execute("UPDATE meetings SET conversation_name = NULL WHERE id = ?",
                                        [env.meeting.id])
    return bridge_leg_answer(dial, new_uuid()).send(env.client).get_json()


SCENARIOS: dict[Callable, str] = {
    caller_prompt: ncco.PROMPT, re_prompt_wrong: ncco.RETRY, re_prompt_empty: ncco.NO_INPUT,
    goodbye_after_last_attempt: ncco.GOODBYE, no_check_after_last_attempt: ncco.GOODBYE,
    caller_joins: ncco.JOINING, joined_caller_input_repeated: ncco.JOINING,
    joined_caller_input_after_the_end: ncco.MEETING_GONE, meeting_full: ncco.FULL,
    locked_out_at_answer: ncco.LOCKED_OUT, locked_out_mid_entry: ncco.LOCKED_OUT,
    busy_at_answer: ncco.BUSY, busy_mid_entry: ncco.BUSY,
    input_for_a_call_never_answered: ncco.NOT_EXPECTED, bridge_leg_joins: "conversation",
    bridge_leg_with_a_used_dial_token: ncco.NOT_EXPECTED, bridge_leg_after_hang_up: ncco.NOT_EXPECTED,
    forged_bridge_header: ncco.PROMPT,
    bridge_leg_of_a_meeting_without_a_conversation_name: ncco.NOT_EXPECTED,
}


class Env:
    def __init__(self, client, services, meeting, slack_user, fake_opentok, clock) -> None:
        self.client, self.services, self.meeting, self.clock = client, services, meeting, clock
        self.connect = lambda: connect(slack_user, fake_opentok, services, meeting)


@pytest.mark.parametrize("scenario", list(SCENARIOS), ids=lambda scenario: scenario.__name__)
def test_every_answer_validates_against_vonages_ncco_schema(scenario, client, services, start_meeting,
                                                           slack_user, fake_opentok, clock):
    actions = scenario(Env(client, services, start_meeting(), slack_user, fake_opentok, clock))
    errors = [error.message for error in VALIDATOR.iter_errors(actions)]
    assert errors == [], actions
    spoken = [a.get("text") for a in actions if a["action"] == "talk"]
    assert SCENARIOS[scenario] in spoken + [a["action"] for a in actions]  # the branch it names


def test_every_sentence_the_phone_side_can_say_is_reached():
    assert set(SCENARIOS.values()) - {"conversation"} == {
        ncco.PROMPT, ncco.RETRY, ncco.NO_INPUT, ncco.GOODBYE, ncco.JOINING, ncco.MEETING_GONE, ncco.FULL,
        ncco.LOCKED_OUT, ncco.BUSY, ncco.NOT_EXPECTED}


def test_the_schema_refuses_an_empty_ncco():
    """What the old code answered a stale bridge leg."""
    assert [error.validator for error in VALIDATOR.iter_errors([])] == ["minItems"]
