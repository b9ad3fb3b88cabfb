"""Every voice webhook fed 500 generated malformed requests: 2xx or a short 4xx JSON error,
never a 5xx or a traceback, and the app keeps serving good requests afterwards."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.vonage_calls import answer, dtmf, event, new_uuid
from tests.webhooks.callers import new_call

# On PostgreSQL the app's connection pool opens connections in its own threads and draws their
# lifetime jitter from the global `random` module; Hypothesis sees the global state move while it
# generates an example and takes it for a strategy using `random`. Our strategies do not.
pytestmark = pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")

EXAMPLES_PER_WEBHOOK = 500
FIELDS = ["uuid", "call_uuid", "from", "to", "dtmf", "timed_out", "status", "conversation_uuid",
          "SipHeader_X-Meetbridge-Meeting", "SipHeader_X-Meetbridge-Token"]
CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "application/x-www-form-urlencoded",
                 "multipart/form-data", "multipart/form-data; boundary=xyz", "text/plain", "text/html",
                 "application/xml", "application/octet-stream", ""]


@dataclass(frozen=True)
class Malformed:
    """One bad request: method, content type, body and query string."""

    method: str
    content_type: str
    body: bytes
    query: tuple[tuple[str, str], ...] = ()

    def send(self, client, path: str):
        headers = {"Content-Type": self.content_type} if self.content_type else {}
        return client.open(path, method=self.method, data=self.body, query_string=list(self.query),
                           headers=headers)


scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=5)
huge_strings = st.integers(min_value=513, max_value=400_000).map(lambda n: "9" * n)
surrogate_strings = st.sampled_from(["\\ud800", "\\udfff", "1234\\udc00", "\\u0000"])


def json_request(body: bytes, content_type: str = "application/json") -> Malformed:
    return Malformed("POST", content_type, body)


@st.composite
def wrong_types(draw) -> Malformed:
    """A Vonage-like object whose fields hold the wrong kinds of value."""
    names = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4, unique=True))
    payload = {name: draw(json_values) for name in names}
    return json_request(json.dumps(payload).encode())


@st.composite
def huge_fields(draw) -> Malformed:
    """Oversized strings, from just too long for a field to larger than any request may be."""
    name = draw(st.sampled_from(FIELDS))
    return json_request(json.dumps({"uuid": new_uuid(), "status": "completed", name: draw(huge_strings)}).encode())


@st.composite
def bad_escapes(draw) -> Malformed:
    """Valid JSON whose strings decode to text SQLite cannot store (lone surrogates, NUL)."""
    name = draw(st.sampled_from(FIELDS))
    text = '{"uuid": "%s", "status": "completed", "dtmf": "123456", "%s": "%s"}'
    return json_request((text % (draw(surrogate_strings), name, draw(surrogate_strings))).encode())


deep_nesting = st.integers(min_value=1_000, max_value=20_000).map(
    lambda depth: json_request(b"[" * depth + b"]" * depth))
deep_objects = st.integers(min_value=1_000, max_value=20_000).map(
    lambda depth: json_request(b'{"dtmf": ' * depth + b"1" + b"}" * depth))
arrays_not_objects = st.lists(json_values, max_size=5).map(lambda items: json_request(json.dumps(items).encode()))
json_scalars = scalars.map(lambda value: json_request(json.dumps(value).encode()))
broken_json = st.text(max_size=200).map(lambda text: json_request(('{"uuid": "' + text).encode()))
binary_junk = st.builds(Malformed, st.just("POST"), st.sampled_from(CONTENT_TYPES), st.binary(max_size=2_000))
oversized_body = st.integers(min_value=256 * 1024 + 1, max_value=600_000).map(
    lambda size: json_request(b"[" + b"1," * (size // 2) + b"1]"))
form_fields = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10),
                              st.text(max_size=100) | huge_strings, max_size=6)
form_junk = form_fields.map(lambda fields: Malformed(
    "POST", "application/x-www-form-urlencoded",
    "&".join(f"{k}={v}" for k, v in fields.items()).encode("utf-8", "surrogatepass")))
query_junk = st.builds(Malformed, st.just("GET"), st.just(""), st.just(b""),
                       form_fields.map(lambda fields: tuple(fields.items())))

malformed_requests = st.one_of(wrong_types(), huge_fields(), bad_escapes(), deep_nesting, deep_objects,
                               arrays_not_objects, json_scalars, broken_json, binary_junk, oversized_body,
                               form_junk, query_junk)


def assert_handled(response) -> None:
    """2xx, or a 4xx with a short JSON error; never a 5xx or a traceback."""
    assert response.status_code < 500, (response.status_code, response.data[:300])
    assert b"Traceback" not in response.data
    if response.status_code >= 400:
        assert 400 <= response.status_code < 500
        assert set(response.get_json()) == {"error"}
        assert len(response.data) < 300


def feed_malformed(client, path: str) -> None:
    @hypothesis_settings(max_examples=EXAMPLES_PER_WEBHOOK, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                HealthCheck.large_base_example])
    @given(request=malformed_requests)
    def send_one(request: Malformed) -> None:
        assert_handled(request.send(client, path))

    send_one()


@pytest.fixture
def quiet_request_log(caplog):
    """Thousands of refused requests: keep their log lines out of the captured output."""
    caplog.set_level("WARNING")


def legs_stored(services) -> int:
    return services.store.database.query_one("SELECT count(*) AS n FROM phone_legs")["n"]


def test_answer_webhook_survives_malformed_requests(client, start_meeting, services, quiet_request_log):
    meeting = start_meeting()
    feed_malformed(client, "/voice-answer")
    assert [a["action"] for a in answer(new_uuid()).send(client).get_json()] == ["talk", "input"]
    assert services.store.legs.callers_in(meeting.id) == 0


def test_dtmf_webhook_survives_malformed_requests(client, start_meeting, services, quiet_request_log):
    meeting = start_meeting()
    feed_malformed(client, "/voice-dtmf")
    assert legs_stored(services) == 0  # input for calls never answered stores nothing
    leg = new_call(client, "447700900555")
    assert dtmf(leg, meeting.pin, from_="447700900555").send(client).get_json()[-1] == {
        "action": "conversation", "name": meeting.conversation_name, "startOnEnter": True, "endOnExit": False}


def test_events_webhook_survives_malformed_requests(client, start_meeting, services, quiet_request_log):
    meeting = start_meeting()
    leg = new_call(client)
    dtmf(leg, meeting.pin).send(client)
    feed_malformed(client, "/voice-events")
    assert legs_stored(services) == 1  # events for calls never answered store nothing
    assert event(leg, "completed").send(client).status_code == 200
    assert services.store.legs.callers_in(meeting.id) == 0
