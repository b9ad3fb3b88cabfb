"""Every inbound route fed generated requests (fuzzing): any method, content type, body
(binary, text, JSON of any shape, Slack- and Vonage-shaped forms), query string and headers,
Slack requests signed and unsigned. Never a 5xx, never a traceback in the answer, and the app
serves as before afterwards.

The voice webhooks' own malformed-input fuzzing (payload shapes in depth) is in
tests/webhooks/test_malformed_webhooks.py; this file goes wide across every route instead.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.conftest import SIGNING_SECRET
from tests.vonage_calls import answer, dtmf, new_uuid

VIDEO_EVENTS_SECRET = "video-events-secret-0123456789abcdef"
EXAMPLES_PER_ROUTE = int(os.environ.get("FUZZ_EXAMPLES", "60"))  # raise it to hunt longer
ROUTES = [
    "/slack/events", "/voice-answer", "/voice-dtmf", "/voice-events", "/voice-keypad", "/voice-name",
    "/video-events", "/phone/hold-music.mp3", "/phone/tone.mp3",
    "/rooms/<meeting_id>", "/rooms/<meeting_id>/token", "/rooms/<meeting_id>/status", "/rooms/<meeting_id>/numbers",
    "/rooms/<meeting_id>/dial-out", "/rooms/<meeting_id>/hang-up", "/rooms/<meeting_id>/end",
    "/rooms/<meeting_id>/call-me",
    "/rooms/<meeting_id>/phone-callers", "/rooms/<meeting_id>/phone-callers/host",
    "/rooms/<meeting_id>/phone-callers/<action>",
    "/", "/healthz", "/static/<path:filename>", "/static/rooms/<path:filename>",
]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "application/json; charset=latin-1",
                 "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=x",
                 "text/plain", "text/html; charset=utf-16", "application/xml", "application/octet-stream",
                 "application/vnd.api+json", "*/*", "garbage", ""]
FIELDS = ["uuid", "call_uuid", "from", "to", "status", "dtmf", "timed_out", "conversation_uuid",
          "SipHeader_X-Meetbridge-Meeting", "SipHeader_X-Meetbridge-Token", "event", "sessionId", "connection",
          "name", "hostKey", "command", "text", "team_id", "user_id", "channel_id", "response_url", "payload",
          "type", "actions", "token", "api_app_id", "trigger_id", "challenge"]
ODD_SEGMENTS = ["..", "%2e%2e", "..%2f..%2fetc%2fpasswd", "%00", "%ff%fe", "x" * 65, "room.js", "..%5capp.py",
                "%252e%252e", "<script>", "%0d%0aSet-Cookie:x"]

header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), inner, max_size=5),
                           max_leaves=12)
shaped_objects = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6)
form_values = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8),
                              st.text(max_size=60) | json_values.map(json.dumps), max_size=6)


def encoded_form(fields: dict[str, str]) -> bytes:
    return urlencode(fields).encode("utf-8", "surrogatepass")


slack_types = st.sampled_from(["block_actions", "view_submission", "shortcut", "event_callback"]) | st.text(max_size=10)
slack_payloads = st.fixed_dictionaries(
    {"type": slack_types},
    optional={"actions": json_values, "user": json_values, "team": json_values, "container": json_values,
              "response_url": st.text(max_size=40), "event": json_values})
slash_commands = st.fixed_dictionaries(
    {"command": st.sampled_from(["/meet", "/other"]) | st.text(max_size=10)},
    optional={"text": st.text(max_size=80), "team_id": st.text(max_size=12), "user_id": st.text(max_size=12),
              "channel_id": st.text(max_size=12), "response_url": st.text(max_size=40)})
bodies = st.one_of(
    st.just(b""), st.binary(max_size=600), st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    json_values.map(lambda v: json.dumps(v).encode()), shaped_objects.map(lambda v: json.dumps(v).encode()),
    form_values.map(encoded_form), slash_commands.map(encoded_form),
    slack_payloads.map(lambda p: encoded_form({"payload": json.dumps(p)})),
    slack_payloads.map(lambda p: json.dumps(p).encode()),
)


def slack_signature(body: bytes, timestamp: str) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Generated:
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def send(self, client):
        return client.open(self.path, method=self.method, query_string=list(self.query), data=self.body,
                           headers=list(self.headers))


@st.composite
def requests_to(draw, template: str, meeting_id: str, route_methods: list[str]) -> Generated:
    segment = draw(st.just(meeting_id) | st.sampled_from(ODD_SEGMENTS)
                   | st.text(min_size=1, max_size=80).map(lambda t: quote(t.encode("utf-8", "surrogatepass"), safe="")))
    path = template.replace("<meeting_id>", segment).replace("<path:filename>", segment).replace(
        "<action>", draw(st.sampled_from(["mute", "unmute", "remove", "mute-all", *ODD_SEGMENTS])))
    body = draw(bodies)
    headers = draw(st.lists(st.tuples(st.sampled_from(["Authorization", "X-Request-Id", "Accept", "X-Slack-Retry-Num"]),
                                      header_text), max_size=3))
    content_type = draw(st.sampled_from(CONTENT_TYPES))
    if content_type:
        headers.append(("Content-Type", content_type))
    if draw(st.booleans()):  # Slack's headers: a true signature, a stale one, or junk
        stamp = draw(st.sampled_from([str(int(time.time())), str(int(time.time()) - 600)]) | header_text)
        signature = draw(st.just(slack_signature(body, stamp)) | header_text)
        headers += [("X-Slack-Request-Timestamp", stamp), ("X-Slack-Signature", signature)]
    query = draw(st.lists(st.tuples(st.sampled_from(FIELDS + ["secret"]) | st.text(max_size=8),
                                    st.just(VIDEO_EVENTS_SECRET) | st.text(max_size=40)), max_size=4))
    method = draw(st.sampled_from(route_methods) | st.sampled_from(METHODS))  # mostly what the route takes
    return Generated(method, path, tuple(query), tuple(headers), body)


@pytest.fixture
def base_env(base_env) -> dict[str, str]:
    """Session monitoring on, so /video-events reads what it is sent."""
    return {**base_env, "VIDEO_EVENTS_SECRET": VIDEO_EVENTS_SECRET}


@pytest.fixture
def quiet_request_log(caplog):
    caplog.set_level("WARNING")


def test_every_route_of_the_app_is_fuzzed(app):
    # A path may have a rule per method.
    assert sorted({rule.rule for rule in app.url_map.iter_rules()}) == sorted(ROUTES)


@pytest.mark.parametrize("template", ROUTES)
def test_generated_requests_never_get_a_5xx_or_a_traceback_and_the_app_keeps_serving(
        app, client, start_meeting, quiet_request_log, template):
    meeting = start_meeting("Fuzzed")
    methods = sorted({method for rule in app.url_map.iter_rules() if rule.rule == template for method in rule.methods})

    @hypothesis_settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                HealthCheck.large_base_example])
    @given(request=requests_to(template, meeting.id, methods))
    def send_one(request: Generated) -> None:
        response = request.send(client)
        assert response.status_code < 500, (response.status_code, response.data[:300])
        assert b"Traceback" not in response.data and b'File "/' not in response.data

    send_one()

    assert client.get("/healthz").get_json() == {"ok": True, "database": "ok"}
    after = start_meeting("After the fuzz")  # Slack, the video API and the database all still work
    caller = new_uuid()
    answer(caller, from_="447700900555").send(client)
    joined = dtmf(caller, after.pin, from_="447700900555").send(client).get_json()
    assert joined[-1]["name"] == after.conversation_name


