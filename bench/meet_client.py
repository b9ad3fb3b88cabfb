"""Signed Slack and Vonage requests for the benchmarks (the same builders the tests use)."""

from __future__ import annotations

import json
import urllib.parse
import uuid

from tests.conftest import SIGNING_SECRET
from tests.signing import slack_headers, slash_command_body

from .load import Request


def meet_request(slack_response_url: str, user: int = 0) -> Request:
    body = slash_command_body("Bench", user_id=f"U{user:05d}", response_url=slack_response_url)
    return "POST", "/slack/events", body.encode(), slack_headers(SIGNING_SECRET, body)


class AnswerRequests:
    """A phone caller's answer webhook (GET, Vonage's default), a new leg each time."""

    def __call__(self, index: int) -> Request:
        return answer_request(index)


class DtmfRequests:
    """A caller keying a live meeting's PIN, spread over the given meetings."""

    def __init__(self, pins: list[str]) -> None:
        self.pins = pins

    def __call__(self, index: int) -> Request:
        return dtmf_request(self.pins[index % len(self.pins)])


def answer_request(index: int) -> Request:
    query = f"/voice-answer?uuid={uuid.uuid4()}&conversation_uuid=CON-{index}&from=4477009{index % 100000:05d}&to=15550100000"
    return "GET", query, None, {}


def dtmf_request(pin: str) -> Request:
    body = json.dumps({"uuid": str(uuid.uuid4()), "conversation_uuid": "CON-1", "from": "447700900123",
                       "to": "15550100000", "dtmf": {"digits": pin, "timed_out": False}}).encode()
    return "POST", "/voice-dtmf", body, {"Content-Type": "application/json"}


def bridge_answer_request(dial: dict) -> Request:
    """Vonage's answer webhook for the SIP leg an OpenTok dial started (our X- headers ride along)."""
    headers = dial["sip"]["headers"]
    query = urllib.parse.urlencode({
        "uuid": str(uuid.uuid4()), "conversation_uuid": "CON-bridge", "from": "opentok", "to": "15550100000",
        **{f"SipHeader_{name}": value for name, value in headers.items() if name.startswith("X-Meetbridge")}})
    return "GET", f"/voice-answer?{query}", None, {}


def pin_from_card(blocks: list[dict]) -> str:
    text = json.dumps(blocks)
    start = text.index("PIN:* `") + len("PIN:* `")
    return text[start:text.index("`", start)].replace(" ", "")  # shown grouped: "123 456 789"
