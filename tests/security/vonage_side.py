"""Vonage's side of the phone webhooks, as an attacker can imitate it: signed requests with every
JWT claim under the test's control, sent over real HTTP, every NCCO answered checked against
Vonage's NCCO schema.

A genuine Vonage webhook carries `Authorization: Bearer <JWT>`, HS256 with the account's
signature secret, claims `iat`, `jti`, `iss`, `api_key`, `application_id` and `payload_hash`:
SHA-256 hex of a POST's body, or for a GET of the query parameters serialised as a JSON object
in their original order with no whitespace (Vonage support: "How do I verify that the Voice API
Webhook request and its payload has not been tampered during transit").
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import dataclass, replace
from typing import Any

import jwt
import requests

from tests.conftest import APP_ID, VOICE_KEY
from tests.security.ncco_schema import check_ncco
from tests.vonage_calls import WebhookCall

SIGNATURE_SECRET = "vonage-signature-secret-for-the-security-suite"
NCCO_ROUTES = ("/voice-answer", "/voice-dtmf")
HTTP_TIMEOUT = 10
AUTO = object()  # "compute this claim as Vonage would"


def payload_hash(call: WebhookCall) -> str:
    """Vonage's payload_hash of a request: the body's SHA-256, or the query's for a GET."""
    if call.method == "GET":
        return hashlib.sha256(json.dumps(call.query, separators=(",", ":")).encode()).hexdigest()
    return hashlib.sha256(call.body).hexdigest()


@dataclass(frozen=True)
class Claims:
    """The claims of one webhook JWT; AUTO fills in what Vonage would send."""

    iat: Any = AUTO
    jti: Any = AUTO
    api_key: Any = VOICE_KEY
    application_id: Any = APP_ID
    payload_hash: Any = AUTO
    iss: str = "Vonage"

    def for_call(self, call: WebhookCall) -> dict[str, Any]:
        values = {"iat": int(time.time()) if self.iat is AUTO else self.iat,
                  "jti": str(uuid.uuid4()) if self.jti is AUTO else self.jti,
                  "iss": self.iss, "api_key": self.api_key, "application_id": self.application_id,
                  "payload_hash": payload_hash(call) if self.payload_hash is AUTO else self.payload_hash}
        return {name: value for name, value in values.items() if value is not None}


def sign(call: WebhookCall, secret: str = SIGNATURE_SECRET, claims: Claims = Claims()) -> WebhookCall:
    """The request with Vonage's Authorization header."""
    token = jwt.encode(claims.for_call(call), secret, algorithm="HS256")
    return call.with_headers(Authorization=f"Bearer {token}")


@dataclass
class VonageSide:
    """Sends webhooks to one app over HTTP; `signed=False` models someone without the secret.

    Every 200 answer of /voice-answer and /voice-dtmf is checked against the NCCO schema.
    """

    base_url: str
    secret: str = SIGNATURE_SECRET
    last_answered: float = 0.0  # time.monotonic() of the latest answer but a 401 (audit rows lag)
    last_ncco: Any = None

    def send(self, call: WebhookCall, claims: Claims = Claims(), session: requests.Session | None = None,
             signed: bool = True) -> requests.Response:
        """One webhook; a new connection each time unless a session is given (so both gunicorn
        workers take turns, as they do with Vonage's many connections)."""
        request = sign(call, self.secret, claims) if signed else call
        return self.send_raw(request, session)

    def send_raw(self, call: WebhookCall, session: requests.Session | None = None) -> requests.Response:
        """Exactly the request given (headers included), e.g. a captured one replayed."""
        response = call.over_http(self.base_url, session)
        self.answered(call.path, response)
        return response

    def answered(self, path: str, response: Any) -> None:
        """Note an answer (also for requests sent without this class) and check its NCCO.
        A 401 acted on nothing, so only other answers make row counts wait for the audit log."""
        if getattr(response, "status_code", None) != 401:
            self.last_answered = time.monotonic()
        self.check(path, response)

    def check(self, path: str, response: Any) -> None:
        if path in NCCO_ROUTES and response.status_code == 200:
            self.last_ncco = response.json()
            check_ncco(self.last_ncco)


def without_auth(call: WebhookCall) -> WebhookCall:
    return replace(call, headers={k: v for k, v in call.headers.items() if k != "Authorization"})
