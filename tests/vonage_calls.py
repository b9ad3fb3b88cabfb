"""Vonage Voice webhook requests, built the way Vonage sends them.

The answer webhook comes as GET with a query string (Vonage's default) or POST with JSON;
DTMF input in the current (`{"dtmf": {"digits", "timed_out"}}`) or legacy (`"dtmf": "1234"`)
form; call events as POST JSON. With a signature secret each request carries
`Authorization: Bearer <JWT>` from tests.signing.vonage_bearer, as Vonage signs them.
A WebhookCall goes through the Flask test client (`.send(client)`) or real HTTP (`.over_http`).
"""

from __future__ import annotations

import json
import uuid as uuidlib
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

import requests

from tests.conftest import APP_ID
from tests.signing import vonage_bearer
from tests.waiting import wait_until

CONFERENCE_NUMBER = "15550100000"
CALLER_NUMBER = "447700900123"
TIMESTAMP = "2030-03-17T17:46:40.000Z"
MEETING_HEADER = "X-Meetbridge-Meeting"
TOKEN_HEADER = "X-Meetbridge-Token"


@dataclass(frozen=True)
class WebhookCall:
    """One webhook request: method, path, query string, body and headers."""

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def signed(self, secret: str, iat: float | None = None) -> WebhookCall:
        """The same request with Vonage's JWT: payload_hash of a POST's body or of a GET's query
        (Vonage's rule), our application id; `iat` now unless given (the app clock's time)."""
        return self.with_headers(Authorization=vonage_bearer(secret, self.body, iat, method=self.method,
                                                             query=self.query, application_id=APP_ID))

    def with_headers(self, **headers: str) -> WebhookCall:
        return replace(self, headers={**self.headers, **headers})

    def with_body(self, body: bytes) -> WebhookCall:
        """Swap the body but keep the headers: how a tampered request looks."""
        return replace(self, body=body)

    def send(self, client: Any):
        """Through the Flask test client."""
        return client.open(self.path, method=self.method, query_string=self.query, data=self.body,
                           headers=self.headers)

    def over_http(self, base_url: str, session: requests.Session | None = None) -> requests.Response:
        """To a live server, as Vonage's HTTP client would."""
        sender = session or requests
        return sender.request(self.method, base_url + self.path, params=self.query or None,
                              data=self.body or None, headers=self.headers, timeout=10)


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def _with_secret(call: WebhookCall, secret: str | None) -> WebhookCall:
    return call.signed(secret) if secret else call


def post_json(path: str, payload: Any, secret: str | None = None) -> WebhookCall:
    body = json.dumps(payload).encode()
    return _with_secret(WebhookCall("POST", path, body=body, headers={"Content-Type": "application/json"}), secret)


def post_form(path: str, payload: dict[str, str], secret: str | None = None) -> WebhookCall:
    body = urlencode(payload).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return _with_secret(WebhookCall("POST", path, body=body, headers=headers), secret)


def _caller_fields(leg_uuid: str, from_: str | None) -> dict[str, str]:
    """`from` is left out when None: how a withheld caller can arrive."""
    fields = {"to": CONFERENCE_NUMBER, "uuid": leg_uuid, "conversation_uuid": f"CON-{leg_uuid}"}
    return fields if from_ is None else {"from": from_, **fields}


def answer_payload(leg_uuid: str, from_: str | None = CALLER_NUMBER,
                   sip_headers: dict[str, str] | None = None) -> dict[str, str]:
    """Answer fields; X- SIP headers arrive as SipHeader_<name>."""
    payload = {**_caller_fields(leg_uuid, from_), "region_url": "https://api-us-3.vonage.com"}
    for name, value in (sip_headers or {}).items():
        payload[f"SipHeader_{name}"] = value
    return payload


def answer(leg_uuid: str, from_: str | None = CALLER_NUMBER, sip_headers: dict[str, str] | None = None,
           method: str = "GET", secret: str | None = None) -> WebhookCall:
    """/voice-answer as GET (query string) or POST (JSON)."""
    payload = answer_payload(leg_uuid, from_, sip_headers)
    if method == "GET":
        return _with_secret(WebhookCall("GET", "/voice-answer", query=payload), secret)
    return post_json("/voice-answer", payload, secret)


def bridge_sip_headers(dial_request: dict[str, Any]) -> dict[str, str]:
    """Our own X- headers, exactly as the video service was asked to send them."""
    headers = dial_request["sip"]["headers"]
    return {MEETING_HEADER: headers[MEETING_HEADER], TOKEN_HEADER: headers[TOKEN_HEADER]}


def bridge_leg_answer(dial_request: dict[str, Any], leg_uuid: str, method: str = "GET",
                      secret: str | None = None) -> WebhookCall:
    """The answer webhook of the SIP leg that the OpenTok dial produced."""
    return answer(leg_uuid, from_="opentok", sip_headers=bridge_sip_headers(dial_request),
                  method=method, secret=secret)


def dtmf(leg_uuid: str, digits: str | None, from_: str | None = CALLER_NUMBER, timed_out: bool = False,
         secret: str | None = None) -> WebhookCall:
    """The input webhook in its current form: {"dtmf": {"digits", "timed_out"}}."""
    payload = {**_caller_fields(leg_uuid, from_), "timestamp": TIMESTAMP,
               "dtmf": {"digits": digits, "timed_out": timed_out}}
    return post_json("/voice-dtmf", payload, secret)


def legacy_dtmf(leg_uuid: str, digits: str, from_: str | None = CALLER_NUMBER, timed_out: bool = False,
                secret: str | None = None) -> WebhookCall:
    """The pre-2020 input webhook: "dtmf" a plain string, "timed_out" at the top level."""
    payload = {**_caller_fields(leg_uuid, from_), "timestamp": TIMESTAMP, "dtmf": digits,
               "timed_out": timed_out}
    return post_json("/voice-dtmf", payload, secret)


def event(leg_uuid: str, status: str, from_: str | None = CALLER_NUMBER, secret: str | None = None) -> WebhookCall:
    """A call status event (POST JSON, Vonage's default); `completed` carries the billing fields."""
    payload: dict[str, Any] = {**_caller_fields(leg_uuid, from_), "status": status, "direction": "inbound",
                               "timestamp": TIMESTAMP}
    if status == "completed":
        payload.update(start_time=TIMESTAMP, end_time=TIMESTAMP, duration="42", rate="0.00450000",
                       price="0.00315000", network="23410")
    return post_json("/voice-events", payload, secret)


# -- driving a call: waiting for what the app does after it answered ----------------------------

def dialled(fake_opentok: Any, services: Any, meeting_id: str, count: int = 1) -> dict[str, Any]:
    """The `count`-th dial request, once the app has stored the SIP connection it got back."""
    dial = fake_opentok.wait_for("dial", count)[count - 1]
    wait_until(lambda: getattr(services.store.bridges.latest(meeting_id), "connection_id", None))
    return dial


def status_lines(fake_slack: Any) -> list[str]:
    """The live status line (the card's context block) of every chat.update, oldest first."""
    lines = []
    for update in fake_slack.requests("chat.update"):
        lines += [block["elements"][0]["text"] for block in update.get("blocks") or []
                  if block["type"] == "context"]
    return lines


def wait_for_status(fake_slack: Any, line: str, after: int = 0) -> int:
    """Wait until a card update after the `after`-th one shows `line`; returns its position."""
    wait_until(lambda: line in status_lines(fake_slack)[after:])
    return status_lines(fake_slack).index(line, after) + 1
