"""Phone callers as the voice tests drive them: a call is answered, then keys PINs."""

from __future__ import annotations

from meetbridge import ncco
from tests.vonage_calls import CALLER_NUMBER, answer, dtmf, new_uuid

WRONG_PIN = "000000000"


def new_call(client, from_: str | None = CALLER_NUMBER) -> str:
    """A caller rings and gets the PIN prompt; returns the leg's uuid for its DTMF."""
    leg = new_uuid()
    response = answer(leg, from_=from_).send(client)
    assert response.status_code == 200
    assert response.get_json()[-1]["action"] == "input", response.get_json()
    return leg


def fail_pins(client, failures: int, from_: str | None = CALLER_NUMBER, attempts: int = 3) -> None:
    """`failures` wrong PINs from one number, in as many calls as PIN_ATTEMPTS requires."""
    for attempt in range(failures):
        if attempt % attempts == 0:
            leg = new_call(client, from_)
        dtmf(leg, WRONG_PIN, from_=from_).send(client)


def goodbye(text: str) -> list[dict]:
    return [{"action": "talk", "text": text}]


SERVER_URL = "http://127.0.0.1:9"  # base_env's


def joined(meeting, server_url: str = SERVER_URL) -> list[dict]:
    """The caller's NCCO on the right PIN: the keypad during the meeting (Vonage's asynchronous
    `input`, keys sent one by one to /voice-keypad), then the meeting's stored, random
    conversation name."""
    return [{"action": "talk", "text": ncco.JOINING},
            {"action": "input", "type": ["dtmf"], "mode": "asynchronous",
             "eventUrl": [server_url + "/voice-keypad"], "eventMethod": "POST"},
            {"action": "conversation", "name": meeting.conversation_name, "startOnEnter": True,
             "endOnExit": False}]


def reprompt(settings, text: str) -> list[dict]:
    return [{"action": "talk", "text": text, "bargeIn": True},
            {"action": "input", "type": ["dtmf"],
             "dtmf": {"maxDigits": settings.pin_length, "submitOnHash": True,
                      "timeOut": ncco.DIGIT_TIMEOUT_SECONDS},
             "eventUrl": [settings.server_url + "/voice-dtmf"], "eventMethod": "POST"}]
