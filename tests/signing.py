"""Requests signed exactly as Slack and Vonage sign them."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import jwt
from slack_sdk.signature import SignatureVerifier


def slack_headers(secret: str, body: str, timestamp: int | None = None,
                  content_type: str = "application/x-www-form-urlencoded") -> dict[str, str]:
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature, "Content-Type": content_type}


def new_trigger_id() -> str:
    """A trigger_id shaped like Slack's (`13345224609.738474920.8088930838d88f008e0`): Slack
    gives each command its own, and the app acts on each one once."""
    return f"{secrets.randbelow(10**11):011d}.{secrets.randbelow(10**9):09d}.{secrets.token_hex(16)}"


def slash_command_body(text: str = "", user_id: str = "U0ADA", channel_id: str = "C0GENERAL",
                       team_id: str = "T0001", response_url: str = "https://hooks.slack.invalid/x",
                       trigger_id: str | None = None) -> str:
    """A `/meet` delivery; a fresh trigger_id each call unless one is given (a replay)."""
    return urlencode({
        "token": "legacy-verification-token", "team_id": team_id, "team_domain": "acme",
        "channel_id": channel_id, "channel_name": "general", "user_id": user_id, "user_name": "ada",
        "command": "/meet", "text": text, "api_app_id": "A0MEET", "is_enterprise_install": "false",
        "response_url": response_url, "trigger_id": trigger_id or new_trigger_id(),
    })


def block_action_body(action_id: str, value: str, user_id: str = "U0ADA", team_id: str = "T0001",
                      channel_id: str = "C0GENERAL", message_ts: str = "1700000000.000100",
                      response_url: str = "https://hooks.slack.invalid/x") -> str:
    """A card button press; each press has its own trigger_id, as Slack gives it (a modal opens
    once per trigger_id)."""
    payload = {
        "type": "block_actions", "team": {"id": team_id, "domain": "acme"},
        "user": {"id": user_id, "username": "ada", "team_id": team_id},
        "api_app_id": "A0MEET", "token": "legacy-verification-token",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel_id,
                      "is_ephemeral": False},
        "trigger_id": new_trigger_id(),
        "channel": {"id": channel_id, "name": "general"},
        "message": {"type": "message", "ts": message_ts, "text": "card"},
        "response_url": response_url,
        "actions": [{"action_id": action_id, "block_id": "meeting_actions", "value": value,
                     "type": "button", "action_ts": "1700000001.000200",
                     "text": {"type": "plain_text", "text": action_id}}],
    }
    return urlencode({"payload": json.dumps(payload)})


def vonage_bearer(secret: str | None, body: bytes = b"", iat: float | str | None = None, *,
                  method: str | None = None, query: Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
                  application_id: str | None = None, api_key: str = "abcd1234", jti: str | int | None = None,
                  algorithm: str = "HS256", without: Sequence[str] = (), **extra: Any) -> str:
    """The Authorization header of a signed Vonage webhook (Vonage's signed webhooks): HS256 over `iat`,
    a fresh `jti`, `iss`, `api_key`, `application_id` when given, and `payload_hash`: the SHA-256
    hex of a POST's body (`method` "POST", or any non-empty body), or for a GET given its
    `query`, of its parameters as a JSON object in their order with no whitespace. `iat`
    defaults to now (pass the app clock's time once a test has moved it). For forgeries:
    `extra` claims are added as given, claims named in `without` left out, and `algorithm`
    may be "none" (secret None) or RS256 (secret a private key PEM)."""
    if iat is None or isinstance(iat, (int, float)):  # anything else is a forgery's, sent as given
        iat = int(time.time() if iat is None else iat)
    claims: dict[str, Any] = {"iat": iat, "jti": jti or str(uuid.uuid4()),
                              "iss": "Vonage", "api_key": api_key}
    if application_id is not None:
        claims["application_id"] = application_id
    if body or method == "POST":
        claims["payload_hash"] = hashlib.sha256(body).hexdigest()
    elif query is not None:
        claims["payload_hash"] = vonage_query_hash(query)
    claims.update(extra)
    for name in without:
        claims.pop(name, None)
    return "Bearer " + jwt.encode(claims, secret, algorithm=algorithm)


def vonage_query_hash(query: Sequence[tuple[str, str]] | Mapping[str, str]) -> str:
    """Vonage's payload_hash of a GET: the query parameters in their original order as one JSON
    object with no whitespace (what JavaScript's JSON.stringify writes), then SHA-256 hex."""
    pairs = list(query.items()) if isinstance(query, Mapping) else list(query)
    text = "{" + ",".join(f"{_js_string(name)}:{_js_string(value)}" for name, value in pairs) + "}"
    return hashlib.sha256(text.encode()).hexdigest()


def _js_string(value: str) -> str:
    """A JSON string as JSON.stringify writes it: quotes, backslashes and control characters
    escaped, everything else (non-ASCII included) as is."""
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return '"' + "".join(short.get(ch) or (f"\\u{ord(ch):04x}" if ord(ch) < 0x20 else ch) for ch in value) + '"'
