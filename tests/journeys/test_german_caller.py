"""A caller on the German number hears German from the first prompt to the meeting, over real
HTTP against the fakes: /meet → the card lists the German number → the caller dials it, keys a
wrong PIN, lets the keypad time out, keys the right PIN and joins (the bridge dials itself) →
hangs up. A second call to the same number that keys three wrong PINs is sent away in German;
a call to the conference number, in the same meeting, stays English."""

from __future__ import annotations

import json

import pytest
import requests

from meetbridge import ncco
from meetbridge.words import translate
from tests.journeys.test_whole_call import SlackOverHttp, start_meeting_over_http
from tests.vonage_calls import WebhookCall, answer_payload, dtmf, event, new_uuid, post_json
from tests.waiting import wait_until
from tests.webhooks.test_ncco_schema import VALIDATOR

GERMAN_NUMBER = "4930901820"
WRONG_PIN = "000000000"


@pytest.fixture
def extra_env() -> dict[str, str]:
    return {"DIAL_IN_NUMBERS": f"+{GERMAN_NUMBER}=de-DE", "DEFAULT_DIAL_IN_COUNTRY": "DE"}


def valid(actions: list[dict]) -> list[dict]:
    assert [error.message for error in VALIDATOR.iter_errors(actions)] == [], actions
    return actions


def rings(base_url: str, leg: str, to: str) -> list[dict]:
    """Vonage's answer webhook for a call to `to` (GET, query string, as Vonage sends it)."""
    query = {**answer_payload(leg), "to": to}
    return valid(WebhookCall("GET", "/voice-answer", query=query).over_http(base_url).json())


def keys(base_url: str, prompt: list[dict], leg: str, to: str, digits: str | None,
         timed_out: bool = False) -> list[dict]:
    """The caller's keys, posted where the NCCO's input action says (the payload names `to`)."""
    (event_url,) = prompt[-1]["eventUrl"]
    payload = {**json.loads(dtmf(leg, digits, timed_out=timed_out).body), "to": to}
    call = post_json(event_url.removeprefix(base_url), payload)
    return valid(call.over_http(base_url).json())


def german(sentence: str, **options) -> dict:
    return {"action": "talk", "text": translate(sentence, "de-DE"), "language": "de-DE", "style": 0, **options}


def test_a_caller_on_the_german_number_hears_german_end_to_end(live_server, fake_slack, fake_opentok):
    base_url = live_server.url
    meeting_id, pin = start_meeting_over_http(SlackOverHttp(base_url, fake_slack), fake_slack, "Planung")
    card = fake_slack.wait_for("chat.postMessage")[-1]
    assert "🇩🇪 +49 30 901820" in json.dumps(card["blocks"], ensure_ascii=False)
    services = live_server.app.extensions["meetbridge"]
    conference = services.store.meetings.get(meeting_id).conversation_name

    caller = new_uuid()
    for status in ("started", "ringing", "answered"):
        assert event(caller, status).over_http(base_url).status_code == 200
    prompt = rings(base_url, caller, "+" + GERMAN_NUMBER)
    assert prompt[0] == german(ncco.PROMPT, bargeIn=True)
    assert prompt[0]["text"].startswith("Willkommen bei meetbridge.")
    assert services.store.legs.get(caller).language == "de-DE"

    retry = keys(base_url, prompt, caller, GERMAN_NUMBER, WRONG_PIN)
    assert retry[0] == german(ncco.RETRY, bargeIn=True)
    silence = keys(base_url, retry, caller, GERMAN_NUMBER, None, timed_out=True)
    assert silence[0] == german(ncco.NO_INPUT, bargeIn=True)
    joined = keys(base_url, silence, caller, GERMAN_NUMBER, pin)
    assert joined[0] == german(ncco.JOINING)
    assert joined[0]["text"] == "Sie werden mit dem Meeting verbunden."
    assert joined[-1] == {"action": "conversation", "name": conference, "startOnEnter": True, "endOnExit": False}
    assert fake_opentok.wait_for("dial")  # auto-bridge: the caller is not left in a silent conversation

    assert event(caller, "completed").over_http(base_url).status_code == 200
    wait_until(lambda: services.store.legs.get(caller).left_at is not None)

    # Three wrong PINs on the German number: the goodbye is German too.
    unlucky = new_uuid()
    answer = rings(base_url, unlucky, GERMAN_NUMBER)
    answer = keys(base_url, answer, unlucky, GERMAN_NUMBER, WRONG_PIN)
    answer = keys(base_url, answer, unlucky, GERMAN_NUMBER, WRONG_PIN)
    assert answer[0] == german(ncco.RETRY, bargeIn=True)
    assert keys(base_url, answer, unlucky, GERMAN_NUMBER, WRONG_PIN) == [german(ncco.GOODBYE)]

    # The conference number, same meeting: English in Vonage's default voice.
    english = new_uuid()
    prompt = rings(base_url, english, "15550100000")
    assert prompt[0] == {"action": "talk", "text": ncco.PROMPT, "bargeIn": True}
    assert keys(base_url, prompt, english, "15550100000", pin)[0] == {"action": "talk", "text": ncco.JOINING}
    assert requests.get(f"{base_url}/rooms/{meeting_id}/numbers", timeout=5).status_code == 200
