"""Signed Slack and Vonage requests for the benchmarks (the same builders the tests use).

Voice webhooks carry Vonage's JWT (tests.signing.vonage_bearer) unless `signed` is False:
HS256, a fresh `jti` each, `payload_hash` of the POST body or of the GET query by Vonage's rule.
Tokens are made when a request is built, right before it is sent, so `iat` is current.
"""

from __future__ import annotations

import json
import urllib.parse
import uuid

from tests.conftest import APP_ID, SIGNING_SECRET, VOICE_KEY
from tests.signing import slack_headers, slash_command_body, vonage_bearer

from .load import Request

SIGNATURE_SECRET = "bench-vonage-signature-secret-0123456789abcdef"
CALLER = "447700900123"
NUMBER = "15550100000"


def meet_request(slack_response_url: str, user: int = 0) -> Request:
    body = slash_command_body("Bench", user_id=f"U{user:05d}", response_url=slack_response_url)
    return "POST", "/slack/events", body.encode(), slack_headers(SIGNING_SECRET, body)


def vonage_get(path: str, query: dict[str, str], signed: bool = True) -> Request:
    headers = {}
    if signed:
        headers["Authorization"] = vonage_bearer(SIGNATURE_SECRET, method="GET", query=query,
                                                 application_id=APP_ID, api_key=VOICE_KEY)
    return "GET", f"{path}?{urllib.parse.urlencode(query)}", None, headers


def vonage_post(path: str, payload: dict, signed: bool = True) -> Request:
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json"}
    if signed:
        headers["Authorization"] = vonage_bearer(SIGNATURE_SECRET, body, method="POST", application_id=APP_ID,
                                                 api_key=VOICE_KEY)
    return "POST", path, body, headers


def answer_request(leg: str, signed: bool = True, caller: str = CALLER) -> Request:
    """A phone caller's answer webhook (GET, Vonage's default)."""
    query = {"to": NUMBER, "from": caller, "uuid": leg, "conversation_uuid": f"CON-{leg}",
             "region_url": "https://api-us-3.vonage.com"}
    return vonage_get("/voice-answer", query, signed)


def dtmf_request(leg: str, pin: str, signed: bool = True) -> Request:
    payload = {"from": CALLER, "to": NUMBER, "uuid": leg, "conversation_uuid": f"CON-{leg}",
               "timestamp": "2026-11-26T12:00:00.000Z", "dtmf": {"digits": pin, "timed_out": False}}
    return vonage_post("/voice-dtmf", payload, signed)


def completed_request(leg: str, signed: bool = True) -> Request:
    payload = {"from": CALLER, "to": NUMBER, "uuid": leg, "conversation_uuid": f"CON-{leg}",
               "status": "completed", "direction": "inbound", "timestamp": "2026-11-26T12:00:00.000Z"}
    return vonage_post("/voice-events", payload, signed)


class AnswerRequests:
    """A phone caller's answer webhook, a new leg (and a new caller number) each time."""

    def __init__(self, signed: bool = True) -> None:
        self.signed = signed

    def __call__(self, index: int) -> Request:
        return answer_request(str(uuid.uuid4()), self.signed, caller=f"4477009{index % 100000:05d}")


class Callers:
    """Callers already answered (/voice-answer saw them), keying the PIN of one of the meetings.

    Request `index` from load.closed_loop is client * 10,000,000 + sequence: each client gets
    its own `per_client` legs, so no leg keys its PIN twice; load.open_loop counts from 0. At any
    step the clients key the PINs of as many different meetings (client + sequence), as callers
    spread over many meetings would, and each client goes through every meeting in turn.
    """

    def __init__(self, legs: list[str], pins: list[str], per_client: int, signed: bool = True) -> None:
        self.legs, self.pins, self.per_client, self.signed = legs, pins, per_client, signed

    def slot(self, index: int) -> int:
        client, sequence = divmod(index, 10_000_000)
        return (client * self.per_client + sequence) % len(self.legs)

    def __call__(self, index: int) -> Request:
        client, sequence = divmod(index, 10_000_000)
        return dtmf_request(self.legs[self.slot(index)], self.pins[(client + sequence) % len(self.pins)], self.signed)


def bridge_answer_request(dial: dict, signed: bool = True) -> Request:
    """Vonage's answer webhook for the SIP leg an OpenTok dial started (our X- headers ride along)."""
    headers = dial["sip"]["headers"]
    query = {"uuid": str(uuid.uuid4()), "conversation_uuid": f"CON-{uuid.uuid4()}", "from": "opentok", "to": NUMBER,
             **{f"SipHeader_{name}": value for name, value in headers.items() if name.startswith("X-Meetbridge")}}
    return vonage_get("/voice-answer", query, signed)


def pin_from_card(blocks: list[dict]) -> str:
    text = json.dumps(blocks)
    start = text.index("PIN:* `") + len("PIN:* `")
    return text[start:text.index("`", start)].replace(" ", "")  # shown grouped: "123 456 789"
