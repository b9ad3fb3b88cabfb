"""Webhook routes take at most 16 KiB of body (web/body_limits.py); Slack keeps the app-wide
256 KiB. Too large is a 413 with a JSON reason, never a 500, whether declared or streamed."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SIGNING_SECRET
from tests.server.processes import raw_request
from tests.signing import slack_headers, slash_command_body

WEBHOOK_BODY_BYTES = 16 * 1024
WEBHOOKS = ["/voice-answer", "/voice-dtmf", "/voice-events", "/voice-name", "/voice-keypad", "/video-events"]
LEG = "aaaaaaaa-0000-4000-8000-000000000001"
JUST_TOO_LARGE = b'{"pad": "' + b"x" * WEBHOOK_BODY_BYTES + b'"}'


@pytest.mark.parametrize("path", WEBHOOKS)
def test_a_webhook_body_over_16_kib_is_refused_with_413_json(client, path):
    response = client.post(path, data=JUST_TOO_LARGE, content_type="application/json")
    assert (response.status_code, response.json) == (413, {"error": "request body larger than 16384 bytes"})


def test_a_chunked_webhook_body_over_16_kib_is_refused_with_413(live_server):
    port = int(live_server.url.rsplit(":", 1)[1])
    head = (b"POST /voice-events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (len(JUST_TOO_LARGE), JUST_TOO_LARGE)
    reply = raw_request(port, head + chunk + b"0\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 413 ")
    assert reply.endswith(b'{"error":"request body larger than 16384 bytes"}\n')


def ringing_event(padding: int) -> bytes:
    return json.dumps({"from": "447700900101", "to": "15550100000", "uuid": LEG, "conversation_uuid": "CON-" + LEG,
                       "status": "ringing", "direction": "inbound", "timestamp": "2026-11-20T10:00:00.000Z",
                       "padding": "x" * padding}).encode()


def test_a_webhook_body_under_the_limit_is_handled(client):
    response = client.post("/voice-events", data=ringing_event(15_000), content_type="application/json")
    assert response.status_code == 200


def test_a_chunked_webhook_body_under_the_limit_is_read_whole(live_server):
    port = int(live_server.url.rsplit(":", 1)[1])
    body = ringing_event(15_000)
    head = (b"POST /voice-events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    reply = raw_request(port, head + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    assert reply.startswith(b"HTTP/1.1 200 ")


def test_slack_requests_keep_the_larger_limit(client):
    body = slash_command_body("x" * 100_000)
    response = client.post("/slack/events", data=body, headers=slack_headers(SIGNING_SECRET, body))
    assert response.status_code == 200
