"""After the right PIN, "after the tone, say your name": Vonage's speech recognition posts what it
heard to /voice-name; a short, plain, confident result names the caller, anything else leaves
the masked number; then the meeting. A member's saved number names the caller without asking."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from meetbridge import ncco
from meetbridge.caller_names import SAY_YOUR_NAME
from tests.vonage_calls import CALLER_NUMBER, CONFERENCE_NUMBER, TIMESTAMP, WebhookCall, dtmf, new_uuid, post_json
from tests.webhooks.callers import joined, new_call
from tests.webhooks.test_ncco_schema import VALIDATOR

ASKING = {"ASK_CALLER_NAME": "true"}
SIGNED = {**ASKING, "VONAGE_SIGNATURE_SECRET": "vonage-signature-secret-0123456789abcdef"}
SERVER = "http://127.0.0.1:9"


def said(leg: str, results: list[dict[str, Any]] | None, timeout_reason: str = "end_on_silence_timeout",
         secret: str | None = None, **speech: Any) -> WebhookCall:
    """The input webhook of a speech `input` (Vonage's NCCO reference, "speech input")."""
    payload = {"from": CALLER_NUMBER, "to": CONFERENCE_NUMBER, "uuid": leg, "conversation_uuid": f"CON-{leg}",
               "timestamp": TIMESTAMP, "dtmf": {"digits": None, "timed_out": False},
               "speech": {"timeout_reason": timeout_reason, "results": results, **speech}}
    return post_json("/voice-name", payload, secret)


def asked(client, meeting) -> str:
    """A caller keys the right PIN and is asked their name; the leg's uuid."""
    leg = new_call(client)
    prompt = dtmf(leg, meeting.pin).send(client).get_json()
    assert prompt[0] == {"action": "talk", "text": SAY_YOUR_NAME}
    return leg


@pytest.mark.parametrize("extra_env", [ASKING])
def test_the_right_pin_asks_for_the_name_after_a_tone(start_meeting, client, services):
    meeting = start_meeting()
    leg = new_call(client)
    prompt = dtmf(leg, meeting.pin).send(client).get_json()
    assert prompt == [
        {"action": "talk", "text": SAY_YOUR_NAME},
        {"action": "stream", "streamUrl": [SERVER + "/phone/tone.mp3"]},
        {"action": "input", "type": ["speech"], "eventUrl": [SERVER + "/voice-name"], "eventMethod": "POST",
         "speech": {"language": "en-US", "endOnSilence": 1.0, "startTimeout": 5, "maxDuration": 5,
                    "saveAudio": False}}]
    assert list(VALIDATOR.iter_errors(prompt)) == []
    assert services.store.legs.callers_in(meeting.id) == 1  # admitted: counted on the card
    assert services.store.phone_waiting.is_waiting(leg) is False  # no music over the question


@pytest.mark.parametrize("extra_env", [ASKING])
def test_a_clear_name_is_kept_then_the_caller_joins(start_meeting, client, services, caplog):
    caplog.set_level(logging.DEBUG)
    meeting = start_meeting()
    leg = asked(client, meeting)
    answer = said(leg, [{"text": "maria", "confidence": "0.9405097"},
                        {"text": "mario", "confidence": "0.70543784"}]).send(client)
    assert answer.get_json() == joined(meeting)
    assert list(VALIDATOR.iter_errors(answer.get_json())) == []
    assert services.store.legs.get(leg).caller_name == "Maria"
    assert services.store.phone_waiting.is_waiting(leg)  # alone in the meeting: the music starts now
    assert "maria" not in caplog.text.lower()  # names never reach the logs


@pytest.mark.parametrize("extra_env", [ASKING])
@pytest.mark.parametrize(("results", "speech"), [
    ([], {}),  # nothing recognised
    ([{"text": "Maria", "confidence": "0.21"}], {}),  # low confidence
    ([{"text": "Maria Dolores Hernandez de la Fuente Garcia", "confidence": "0.95"}], {}),  # too long
    ([{"text": "call me at 0800 123", "confidence": "0.95"}], {}),  # digits: not a name
    ([{"text": "<@U0ADA> hi", "confidence": "0.95"}], {}),  # markup
    ([{"text": "one two three four five", "confidence": "0.95"}], {}),  # a sentence
    ([{"text": "Maria", "confidence": "0.9"}], {"timeout_reason": "start_timeout"}),  # silence
    ([{"text": "Maria", "confidence": "0.9"}], {"error": "ERR1: Failed to analyze audio"}),
    (None, {}),  # no results at all
], ids=["empty", "low-confidence", "long", "digits", "markup", "sentence", "timeout", "error", "none"])
def test_anything_but_a_short_confident_name_leaves_the_masked_number(start_meeting, client, services,
                                                                       results, speech):
    meeting = start_meeting()
    leg = asked(client, meeting)
    assert said(leg, results, **speech).send(client).get_json() == joined(meeting)
    assert services.store.legs.get(leg).caller_name is None


@pytest.mark.parametrize("extra_env", [ASKING])
def test_recognition_listens_in_the_language_of_the_number_dialled(start_meeting, client, services):
    meeting = start_meeting()
    leg = new_call(client)
    services.store.database.execute("UPDATE phone_legs SET language = 'de-DE' WHERE uuid = ?", [leg])
    prompt = dtmf(leg, meeting.pin).send(client).get_json()
    assert prompt[-1]["speech"]["language"] == "de-DE"


@pytest.mark.parametrize("extra_env", [ASKING])
def test_a_member_who_saved_the_number_is_that_member_without_being_asked(start_meeting, client, services):
    meeting = start_meeting()
    services.store.saved_numbers.save(meeting.team_id, "U0MARIA", "+" + CALLER_NUMBER, 0.0)
    services.store.saved_numbers.save("T0OTHER", "U0ELSEWHERE", "+447700900999", 0.0)
    leg = new_call(client)
    assert dtmf(leg, meeting.pin).send(client).get_json() == joined(meeting)
    assert services.store.legs.get(leg).slack_member_id == "U0MARIA"


@pytest.mark.parametrize("extra_env", [ASKING])
def test_a_number_saved_in_another_workspace_names_nobody(start_meeting, client, services):
    meeting = start_meeting()
    services.store.saved_numbers.save("T0OTHER", "U0ELSEWHERE", "+" + CALLER_NUMBER, 0.0)
    leg = asked(client, meeting)
    assert services.store.legs.get(leg).slack_member_id is None


def test_without_ask_caller_name_the_caller_goes_straight_in(start_meeting, client, services):
    meeting = start_meeting()
    assert services.settings.ask_caller_name is False  # tests/conftest.py's default for other tests
    assert dtmf(new_call(client), meeting.pin).send(client).get_json() == joined(meeting)


@pytest.mark.parametrize("extra_env", [ASKING])
def test_a_repeated_name_webhook_joins_again_and_changes_nothing(start_meeting, client, services):
    meeting = start_meeting()
    leg = asked(client, meeting)
    said(leg, [{"text": "Maria", "confidence": 0.9}]).send(client)
    again = said(leg, [{"text": "Mallory", "confidence": 0.99}]).send(client)
    assert again.get_json() == joined(meeting)
    assert services.store.legs.get(leg).caller_name == "Maria"


@pytest.mark.parametrize("extra_env", [ASKING])
def test_a_name_for_a_call_never_admitted_is_a_goodbye(start_meeting, client, services):
    start_meeting()
    unknown = said(new_uuid(), [{"text": "Maria", "confidence": 0.9}]).send(client)
    assert unknown.get_json() == [{"action": "talk", "text": ncco.NOT_EXPECTED}]
    only_rang = new_call(client)  # answered, never keyed a PIN
    assert said(only_rang, [{"text": "Maria", "confidence": 0.9}]).send(client).get_json() == [
        {"action": "talk", "text": ncco.NOT_EXPECTED}]
    assert services.store.legs.get(only_rang).caller_name is None


@pytest.mark.parametrize("extra_env", [ASKING])
def test_a_name_after_the_meeting_ended_is_a_goodbye(start_meeting, client, services, clock):
    meeting = start_meeting()
    leg = asked(client, meeting)
    clock.advance(services.settings.meeting_ttl_seconds + 1)
    answer = said(leg, [{"text": "Maria", "confidence": 0.9}]).send(client).get_json()
    assert answer == [{"action": "talk", "text": ncco.MEETING_GONE}]
    assert list(VALIDATOR.iter_errors(answer)) == []


@pytest.mark.parametrize("extra_env", [SIGNED])
def test_the_name_webhook_is_signed_like_every_voice_webhook(start_meeting, client, services):
    meeting = start_meeting()
    secret = SIGNED["VONAGE_SIGNATURE_SECRET"]
    leg = new_call_signed(client, secret)
    assert dtmf(leg, meeting.pin, secret=secret).send(client).get_json()[0]["text"] == SAY_YOUR_NAME
    unsigned = said(leg, [{"text": "Mallory", "confidence": 0.99}]).send(client)
    assert unsigned.status_code == 401
    assert services.store.legs.get(leg).caller_name is None  # nothing acted on
    signed = said(leg, [{"text": "Maria", "confidence": 0.99}], secret=secret).send(client)
    assert signed.get_json() == joined(meeting)
    assert services.store.legs.get(leg).caller_name == "Maria"


def new_call_signed(client, secret: str) -> str:
    from tests.vonage_calls import answer

    leg = new_uuid()
    assert answer(leg, secret=secret).send(client).status_code == 200
    return leg


@pytest.mark.parametrize("extra_env", [ASKING])
def test_the_pin_webhook_repeated_during_the_name_step_asks_again(start_meeting, client, services):
    """Vonage may deliver the PIN's input webhook twice: the repeat must not skip the name step."""
    meeting = start_meeting()
    leg = asked(client, meeting)
    again = dtmf(leg, meeting.pin).send(client).get_json()
    assert again[0] == {"action": "talk", "text": SAY_YOUR_NAME}
    assert said(leg, [{"text": "Maria", "confidence": 0.9}]).send(client).get_json() == joined(meeting)
    assert dtmf(leg, meeting.pin).send(client).get_json() == joined(meeting)  # after it: straight in
