"""`/meet` when something fails: the user is told in plain words, nothing is
left behind (no meeting row, no PIN, no card); forged, stale or garbage requests create nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from app import create_app
from meetbridge.settings import load_settings
from meetbridge.video import VideoGateway
from tests.conftest import SIGNING_SECRET, VIDEO_KEY, VIDEO_SECRET, SlackUser
from tests.signing import slack_headers, slash_command_body

VIDEO_TIMEOUT_SECONDS = 0.3


def video_failed(reason: str) -> str:
    return (f"Sorry, I couldn't start the meeting: {reason}. "
            "Nothing was created. Please try `/meet` again in a minute.")


def card_failed(slack_error: str) -> str:
    return (f"Sorry, I couldn't post the meeting card here (Slack said `{slack_error}`). "
            "Nothing was created. Please try again, or invite me to this channel.")


def stored(services) -> dict[str, int]:
    """How many rows the meeting-related tables hold."""
    return {table: services.store.database.query_one(f"SELECT count(*) AS n FROM {table}")["n"]
            for table in ("meetings", "pins", "bridge_calls")}


NOTHING_STORED = {"meetings": 0, "pins": 0, "bridge_calls": 0}


def told_the_user(fake_slack) -> dict:
    """The one message posted to the command's response_url (so no in_channel card went out there)."""
    [reply] = fake_slack.wait_for_response("meet")
    return {key: reply[key] for key in ("response_type", "text")}


@pytest.fixture
def app_with(base_env, clock) -> Iterator:
    """Build the app from a changed environment (e.g. an API endpoint nobody listens on)."""
    built = []

    def build(**overrides: str):
        flask_app = create_app(load_settings(dict(base_env, **overrides)), clock=clock, run_sweeper=False)
        built.append(flask_app)
        return flask_app

    yield build
    for flask_app in built:
        flask_app.extensions["meetbridge.shutdown"]()


# -- the video API fails ------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "reason"), [
    # opentok's create_session hides the HTTP status of a 5xx: it fails reading the error body
    (500, "the video service gave an unexpected answer"),
    (503, "the video service gave an unexpected answer"),
    (403, "the video service refused our API key or secret"),
])
def test_video_api_error_tells_the_user_and_creates_nothing(slack_user, fake_slack, fake_opentok, services,
                                                            status, reason):
    fake_opentok.http_status("create_session", status)
    assert slack_user.meet("Plans").status_code == 200
    assert told_the_user(fake_slack) == {"response_type": "ephemeral", "text": video_failed(reason)}
    assert stored(services) == NOTHING_STORED
    assert (fake_slack.requests("chat.postMessage"), fake_slack.requests("calls.add")) == ([], [])


def test_video_api_timeout_tells_the_user_and_creates_nothing(slack_user, fake_slack, fake_opentok, services,
                                                              settings):
    slow_to_answer = VideoGateway(VIDEO_KEY, VIDEO_SECRET, settings.opentok_api_url, timeout=VIDEO_TIMEOUT_SECONDS)
    services.meetings.video = slow_to_answer
    fake_opentok.delay("create_session", VIDEO_TIMEOUT_SECONDS + 1.0)
    slack_user.meet("Plans")
    assert told_the_user(fake_slack) == {"response_type": "ephemeral",
                                         "text": video_failed("the video service did not answer in time")}
    assert stored(services) == NOTHING_STORED
    assert fake_slack.requests("chat.postMessage") == []


def test_refused_connection_to_the_video_api_tells_the_user_and_creates_nothing(app_with, fake_slack,
                                                                                  fake_opentok):
    app = app_with(OPENTOK_API_URL=fake_opentok.refused_url())
    SlackUser(app.test_client(), fake_slack).meet("Plans")
    assert told_the_user(fake_slack) == {"response_type": "ephemeral",
                                         "text": video_failed("the video service could not be reached")}
    assert stored(app.extensions["meetbridge"]) == NOTHING_STORED
    assert fake_slack.requests("chat.postMessage") == []


def test_dropped_connection_from_the_video_api_tells_the_user_and_creates_nothing(slack_user, fake_slack,
                                                                                   fake_opentok, services):
    fake_opentok.drop_connection("create_session")
    slack_user.meet("Plans")
    assert told_the_user(fake_slack) == {"response_type": "ephemeral",
                                         "text": video_failed("the video service could not be reached")}
    assert stored(services) == NOTHING_STORED


# -- Slack refuses the card ---------------------------------------------------------------------


@pytest.mark.parametrize("slack_error", ["channel_is_archived", "restricted_action", "is_archived"])
def test_slack_refusing_the_card_tells_the_user_and_undoes_the_meeting(slack_user, fake_slack, services,
                                                                       slack_error):
    fake_slack.fail("chat.postMessage", slack_error)
    slack_user.meet("Plans")
    assert told_the_user(fake_slack) == {"response_type": "ephemeral", "text": card_failed(slack_error)}
    assert stored(services) == NOTHING_STORED
    assert fake_slack.requests("chat.update") == []  # and the only reply was the ephemeral one above


def test_slack_http_500_on_the_card_tells_the_user_and_undoes_the_meeting(slack_user, fake_slack, services):
    fake_slack.http_status("chat.postMessage", 500)
    slack_user.meet("Plans")
    assert told_the_user(fake_slack) == {"response_type": "ephemeral", "text": card_failed("internal_error")}
    assert stored(services) == NOTHING_STORED
    assert fake_slack.requests("chat.update") == []  # and the only reply was the ephemeral one above


def test_undone_meeting_ends_the_slack_call_registered_for_it(slack_user, fake_slack, services):
    fake_slack.fail("chat.postMessage", "channel_is_archived")
    slack_user.meet("Plans")
    told_the_user(fake_slack)
    [added] = fake_slack.requests("calls.add")
    [ended] = fake_slack.requests("calls.end")
    assert fake_slack.call(ended["id"])["external_unique_id"] == added["external_unique_id"]
    assert fake_slack.call(ended["id"])["has_ended"] is True


def test_slack_hanging_up_on_the_card_tells_the_user_and_undoes_the_meeting(slack_user, fake_slack, services):
    fake_slack.drop_connection("chat.postMessage", times=None)  # slack_sdk retries once: drop every try
    slack_user.meet("Plans")
    assert told_the_user(fake_slack) == {"response_type": "ephemeral", "text": card_failed("unreachable")}
    assert stored(services) == NOTHING_STORED
    assert fake_slack.requests("chat.update") == []  # and the only reply was the ephemeral one above


def test_a_failure_frees_the_pin_for_the_next_meeting(slack_user, fake_slack, services, start_meeting):
    fake_slack.fail("chat.postMessage", "channel_is_archived")
    slack_user.meet("Plans")
    told_the_user(fake_slack)
    meeting = start_meeting("Second try")
    assert stored(services) == {"meetings": 1, "pins": 1, "bridge_calls": 0}
    assert services.store.pins.live_meeting_id(meeting.pin) == meeting.id


# -- requests that are not from Slack ----------------------------------------------------------


def signed(body: str, **kwargs) -> dict[str, str]:
    return slack_headers(SIGNING_SECRET, body, **kwargs)


def forged_request(case: str) -> tuple[str, dict[str, str]]:
    """Built when the test runs: a timestamp taken at collection drifts into the 5-minute
    window when the suite before this test takes long enough."""
    body = slash_command_body("Plans")
    now = int(time.time())
    headers = {
        "unsigned": {"Content-Type": "application/x-www-form-urlencoded"},
        "wrong secret": slack_headers("not-the-signing-secret", body),
        "signature of another body": signed(slash_command_body("Something else")),
        "stale (400 s old)": signed(body, timestamp=now - 400),
        "from the future (400 s ahead)": signed(body, timestamp=now + 400),
        "timestamp not a number": {**signed(body), "X-Slack-Request-Timestamp": "yesterday"},
    }[case]
    return body, headers


FORGERIES = ["unsigned", "wrong secret", "signature of another body", "stale (400 s old)",
             "from the future (400 s ahead)", "timestamp not a number"]


@pytest.mark.parametrize("case", FORGERIES)
def test_forged_or_stale_requests_are_refused_with_401_and_create_nothing(client, fake_opentok, fake_slack,
                                                                          services, start_meeting, case):
    body, headers = forged_request(case)
    assert client.post("/slack/events", data=body, headers=headers).status_code == 401
    genuine = start_meeting("genuine")  # once this is done, any work the forged request started would show
    assert [row["id"] for row in services.store.database.query("SELECT id FROM meetings")] == [genuine.id]
    assert len(fake_opentok.requests("create_session")) == 1


def test_request_signed_just_within_five_minutes_is_accepted(client, fake_slack):
    body = slash_command_body("Plans")
    response = client.post("/slack/events", data=body, headers=signed(body, timestamp=int(time.time()) - 240))
    assert response.status_code == 200
    fake_slack.wait_for("chat.postMessage")


@pytest.mark.parametrize(("case", "body", "content_type"), [
    ("not JSON", "{this is not json", "application/json"),
    ("JSON array", "[1, 2, 3]", "application/json"),
    ("broken payload", urlencode({"payload": "{broken"}), "application/x-www-form-urlencoded"),
    ("form without a command", urlencode({"hello": "world"}), "application/x-www-form-urlencoded"),
    ("empty", "", "application/x-www-form-urlencoded"),
    ("binary", "\x00\xff\xfe garbage", "application/octet-stream"),
])
def test_garbage_bodies_get_a_4xx_and_create_nothing(client, fake_opentok, services, case, body, content_type):
    for headers in ({"Content-Type": content_type}, signed(body, content_type=content_type)):
        response = client.post("/slack/events", data=body, headers=headers)
        assert 400 <= response.status_code < 500, (case, response.status_code, response.get_data(as_text=True))
    assert stored(services) == NOTHING_STORED
    assert fake_opentok.requests("create_session") == []


def test_signed_garbage_gets_a_short_json_error_not_a_traceback(client):
    response = client.post("/slack/events", data="{oops", headers=signed("{oops", content_type="application/json"))
    assert (response.status_code, response.get_json()) == (400, {"error": "malformed request body"})
