"""Requests signed exactly as Slack and Vonage sign them."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from urllib.parse import urlencode

import jwt
from slack_sdk.signature import SignatureVerifier


def slack_headers(secret: str, body: str, timestamp: int | None = None,
                  content_type: str = "application/x-www-form-urlencoded") -> dict[str, str]:
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature, "Content-Type": content_type}


def slash_command_body(text: str = "", user_id: str = "U0ADA", channel_id: str = "C0GENERAL",
                       team_id: str = "T0001", response_url: str = "https://hooks.slack.invalid/x") -> str:
    return urlencode({
        "token": "legacy-verification-token", "team_id": team_id, "team_domain": "acme",
        "channel_id": channel_id, "channel_name": "general", "user_id": user_id, "user_name": "ada",
        "command": "/meet", "text": text, "api_app_id": "A0MEET", "is_enterprise_install": "false",
        "response_url": response_url, "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    })


def block_action_body(action_id: str, value: str, user_id: str = "U0ADA", team_id: str = "T0001",
                      channel_id: str = "C0GENERAL", message_ts: str = "1700000000.000100",
                      response_url: str = "https://hooks.slack.invalid/x") -> str:
    payload = {
        "type": "block_actions", "team": {"id": team_id, "domain": "acme"},
        "user": {"id": user_id, "username": "ada", "team_id": team_id},
        "api_app_id": "A0MEET", "token": "legacy-verification-token",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel_id,
                      "is_ephemeral": False},
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "channel": {"id": channel_id, "name": "general"},
        "message": {"type": "message", "ts": message_ts, "text": "card"},
        "response_url": response_url,
        "actions": [{"action_id": action_id, "block_id": "meeting_actions", "value": value,
                     "type": "button", "action_ts": "1700000001.000200",
                     "text": {"type": "plain_text", "text": action_id}}],
    }
    return urlencode({"payload": json.dumps(payload)})


def vonage_bearer(secret: str, body: bytes = b"", iat: int | None = None) -> str:
    """The Authorization header of a signed Vonage webhook."""
    claims = {"iat": iat if iat is not None else int(time.time()), "jti": str(uuid.uuid4()),
              "iss": "Vonage", "api_key": "abcd1234"}
    if body:
        claims["payload_hash"] = hashlib.sha256(body).hexdigest()
    return "Bearer " + jwt.encode(claims, secret, algorithm="HS256")
