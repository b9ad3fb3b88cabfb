"""What an attacker can send: replayed or foreign Slack signatures, a bridge
header lifted from another meeting's dial, PIN guessing across many calls and numbers,
oversized and deeply nested JSON, path traversal, and markup in the topic.

Cases already proven elsewhere are not repeated: unsigned, stale and wrongly signed `/meet`
(tests/bot/test_meet_failures.py), unsigned, badly signed and tampered voice webhooks
(tests/webhooks/test_signed_webhooks.py), a guessed bridge token and lockout timing
(tests/webhooks/test_voice_answer.py, test_voice_dtmf.py), markup in a display name
(tests/web/test_rooms_routes.py).
"""

from __future__ import annotations

import html
import json
import time
from collections import Counter

import pytest
from slack_sdk.signature import Clock

from app import MAX_REQUEST_BYTES
from meetbridge import ncco
from meetbridge.meetings import MeetingRequest
from meetbridge.pins import GUESS_ODDS
from tests.bridge_setup import admit_caller, connect_bridge, disconnected, hung_up_legs
from tests.conftest import SIGNING_SECRET
from tests.signing import block_action_body, slack_headers, slash_command_body
from tests.vonage_calls import MEETING_HEADER, TOKEN_HEADER, answer, bridge_leg_answer, dialled, dtmf, new_uuid
from tests.waiting import wait_until

VIDEO_EVENTS_SECRET = "video-events-secret-0123456789abcdef"
REPLAY_AFTER_SECONDS = 6 * 60
LOCKED_OUT = [{"action": "talk", "text": ncco.LOCKED_OUT}]
TOPIC_ATTACK = "<script>alert(1)</script> <!channel> <https://evil.example|click> & co"


@pytest.fixture
def base_env(base_env) -> dict[str, str]:
    """Session monitoring on, so /video-events parses what it is sent."""
    return {**base_env, "VIDEO_EVENTS_SECRET": VIDEO_EVENTS_SECRET}


def actions(response) -> list[str]:
    return [action["action"] for action in response.get_json()]


# -- Slack signatures ------------------------------------------------------------------------------

def test_a_genuine_slack_request_replayed_six_minutes_later_is_refused(client, fake_slack, fake_opentok, services,
                                                                       monkeypatch):
    body = slash_command_body("Plans", response_url=fake_slack.response_url("meet"))
    headers = slack_headers(SIGNING_SECRET, body)
    assert client.post("/slack/events", data=body, headers=headers).status_code == 200
    fake_slack.wait_for("chat.postMessage")

    later = time.time() + REPLAY_AFTER_SECONDS
    monkeypatch.setattr(Clock, "now", lambda self: later)  # the clock Slack's signature check reads
    replayed = client.post("/slack/events", data=body, headers=headers)

    assert replayed.status_code == 401
    assert len(fake_opentok.requests("create_session")) == 1
    assert services.store.database.query_one("SELECT count(*) AS n FROM meetings")["n"] == 1


@pytest.mark.parametrize("button", ["dial_out", "hang_up", "end_meeting"])
def test_a_button_click_signed_with_another_apps_secret_changes_nothing(
        start_meeting, slack_user, client, services, fake_opentok, fake_vonage, button):
    meeting = start_meeting("Standup")
    connected = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    caller = admit_caller(client, fake_vonage, meeting.pin, "447700900101")
    body = block_action_body(button, meeting.id)

    response = client.post("/slack/events", data=body, headers=slack_headers("another-apps-signing-secret", body))

    assert response.status_code == 401
    services.background.shutdown()  # anything the click could have started has run
    assert services.store.meetings.get(meeting.id).is_live
    assert services.store.bridges.active(meeting.id).leg_uuid == connected.leg_uuid
    assert services.store.legs.callers_in(meeting.id) == 1
    assert (len(fake_opentok.requests("dial")), disconnected(fake_opentok), hung_up_legs(fake_vonage)) == (1, [], [])
    assert fake_vonage.call(caller)["status"] == "answered"


# -- the bridge header -----------------------------------------------------------------------------

def test_a_bridge_header_with_another_meetings_dial_token_gets_the_pin_prompt(start_meeting, slack_user, client,
                                                                             fake_opentok, services):
    first, second = start_meeting("First"), start_meeting("Second")
    slack_user.click("dial_out", first.id)
    first_dial = dialled(fake_opentok, services, first.id)
    slack_user.click("dial_out", second.id)
    second_dial = dialled(fake_opentok, services, second.id, count=2)
    lifted = {MEETING_HEADER: first.id, TOKEN_HEADER: second_dial["sip"]["headers"][TOKEN_HEADER]}

    forged = answer(new_uuid(), from_="opentok", sip_headers=lifted).send(client)

    assert actions(forged) == ["talk", "input"]
    assert [(bridge.state, bridge.leg_uuid) for bridge in map(services.store.bridges.active, (first.id, second.id))
            ] == [("connecting", None), ("connecting", None)]
    # Neither token was spent: each dial's own leg still joins its own meeting.
    for meeting, dial in ((first, first_dial), (second, second_dial)):
        joined = bridge_leg_answer(dial, new_uuid()).send(client).get_json()
        assert joined[-1]["name"] == meeting.conversation_name


# -- PIN guessing ----------------------------------------------------------------------------------

def guess_until_locked_out(client, number: str, pin_length: int, first_guess: int) -> tuple[int, int]:
    """Call again and again from one number, keying wrong PINs, until the number is turned away
    at the answer. Returns (guesses the app judged, calls made)."""
    judged, calls, guess = 0, 0, first_guess
    while True:
        leg = new_uuid()
        calls += 1
        if answer(leg, from_=number).send(client).get_json() == LOCKED_OUT:
            return judged, calls
        while True:
            reply = dtmf(leg, f"{guess:0{pin_length}d}", from_=number).send(client).get_json()
            guess += 1
            if reply == LOCKED_OUT:
                break
            judged += 1
            if actions_of(reply) != ["talk", "input"]:  # goodbye after PIN_ATTEMPTS: call again
                break


def actions_of(reply: list[dict]) -> list[str]:
    return [action["action"] for action in reply]


def test_pin_guessing_from_many_numbers_over_many_calls_gets_each_number_ten_guesses(start_meeting, client,
                                                                                     services, settings,
                                                                                     fake_vonage):
    meeting = start_meeting("Target")
    numbers = [f"4477009{n:05d}" for n in range(12)]
    first_guess = int(meeting.pin) + 1  # wrong guesses only: a lucky hit is not what this measures

    tallies = [guess_until_locked_out(client, number, len(meeting.pin), first_guess + 20 * index)
               for index, number in enumerate(numbers)]

    calls_needed = -(-settings.pin_lockout_failures // settings.pin_attempts) + 1  # the last is turned away
    assert tallies == [(settings.pin_lockout_failures, calls_needed)] * len(numbers)
    assert answer(new_uuid(), from_=numbers[0]).send(client).get_json() == LOCKED_OUT
    assert services.store.legs.callers_in(meeting.id) == 0
    admit_caller(client, fake_vonage, meeting.pin, "447700900999")  # a number with no failures still gets in
    assert services.store.legs.callers_in(meeting.id) == 1


def test_with_two_hundred_live_meetings_one_guess_matches_less_than_one_in_ten_thousand(services, client):
    meetings = [services.meetings.start(MeetingRequest(workspace_id=f"T{n % 5:04d}", place_id="C1", starter_id="U1",
                                                       topic=f"Meeting {n}")) for n in range(200)]

    live_pins = [row["pin"] for row in services.store.database.query(
        "SELECT pin FROM pins WHERE released_at IS NULL")]
    by_length = Counter(len(pin) for pin in live_pins)
    assert len(live_pins) == 200
    assert max(by_length) > services.settings.pin_length  # the allocator lengthened new PINs
    # A guesser picks a length and keys one PIN of it: the best odds any length gives.
    assert max(count / 10 ** length for length, count in by_length.items()) < 1 / GUESS_ODDS
    assert len(live_pins) / 10 ** len(meetings[-1].pin) < 1 / GUESS_ODDS
    prompt = answer(new_uuid()).send(client).get_json()
    assert prompt[-1]["dtmf"]["maxDigits"] == max(by_length)
    caller = new_uuid()
    answer(caller).send(client)
    assert actions_of(dtmf(caller, meetings[-1].pin).send(client).get_json()) == ["talk", "input", "conversation"]


# -- oversized and deeply nested JSON -------------------------------------------------------------

def json_routes(meeting_id: str) -> dict[str, str]:
    """Every route that reads a JSON body, by name."""
    return {"answer": "/voice-answer", "dtmf": "/voice-dtmf", "events": "/voice-events",
            "video events": f"/video-events?secret={VIDEO_EVENTS_SECRET}", "token": f"/rooms/{meeting_id}/token",
            "slack": "/slack/events"}


def oversized() -> bytes:
    return json.dumps({"name": "a" * MAX_REQUEST_BYTES}).encode()


def nested_arrays() -> bytes:
    depth = 100_000
    return b"[" * depth + b"]" * depth


def nested_objects() -> bytes:
    depth = 30_000
    return b'{"name": ' * depth + b'"Ada"' + b"}" * depth


@pytest.mark.parametrize("make_body", [oversized, nested_arrays, nested_objects])
def test_oversized_and_deeply_nested_json_gets_a_short_4xx_on_every_json_route(start_meeting, client, make_body):
    meeting = start_meeting()
    body = make_body()
    answers = {}
    for name, path in json_routes(meeting.id).items():
        headers = slack_headers(SIGNING_SECRET, body.decode(), content_type="application/json")
        response = client.post(path, data=body, headers=headers)
        answers[name] = (response.status_code // 100, response.content_type, list(response.get_json()))
        assert b"Traceback" not in response.data and len(response.data) < 300
    assert answers == {name: (4, "application/json", ["error"]) for name in json_routes(meeting.id)}
    assert client.get("/healthz").get_json() == {"ok": True, "database": "ok"}


# -- path traversal ---------------------------------------------------------------------------------

TRAVERSALS = [
    ("GET", "/rooms/..%2f..%2fetc%2fpasswd"),
    ("GET", "/rooms/%2e%2e"),
    ("GET", "/rooms/%2e%2e%2f%2e%2e%2fapp.py"),
    ("GET", "/rooms/..%5c..%5capp.py"),
    ("GET", "/rooms/%2e%2e/status"),
    ("POST", "/rooms/%2e%2e/token"),
    ("POST", "/rooms/..%2f..%2fapp.py/token"),
    ("POST", "/rooms/%2e%2e/dial-out"),
    ("POST", "/rooms/%2e%2e/hang-up"),
    ("GET", "/static/rooms/..%2f..%2f..%2fapp.py"),
    ("GET", "/static/rooms/%2e%2e/%2e%2e/%2e%2e/app.py"),
    ("GET", "/static/rooms/../../../app.py"),
]


@pytest.mark.parametrize(("method", "path"), TRAVERSALS, ids=[path for _, path in TRAVERSALS])
def test_path_traversal_in_a_meeting_id_or_asset_is_a_404_and_never_a_file(client, fake_opentok, method, path):
    response = client.open(path, method=method, json={"name": "Ada"} if method == "POST" else None)
    text = response.get_data(as_text=True)
    assert response.status_code == 404
    assert response.mimetype in ("application/json", "text/html")
    assert not any(leak in text for leak in ("create_app", "root:", "import ", "SIGNING_SECRET"))
    assert fake_opentok.requests("dial") == []


# -- markup in the topic ----------------------------------------------------------------------------

def mrkdwn_texts(message: dict) -> list[str]:
    """Every piece of a Slack message that Slack renders as mrkdwn: the fallback and mrkdwn objects."""
    found = [message["text"]]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.get("blocks") or [])
    return found


def test_markup_in_the_topic_is_inert_in_the_ack_the_cards_and_the_join_pages(slack_user, client, fake_slack,
                                                                              services):
    ack = slack_user.meet(TOPIC_ATTACK).get_json()
    [card] = fake_slack.wait_for("chat.postMessage")
    meeting_id = card["blocks"][1]["accessory"]["url"].rsplit("/", 1)[-1]
    live_page = client.get(f"/rooms/{meeting_id}").get_data(as_text=True)
    slack_user.click("end_meeting", meeting_id)
    wait_until(lambda: any("meeting ended" in update["text"] for update in fake_slack.requests("chat.update")))
    ended_card = fake_slack.requests("chat.update")[-1]
    ended_page = client.get(f"/rooms/{meeting_id}").get_data(as_text=True)

    for text in [ack["text"], *mrkdwn_texts(card), *mrkdwn_texts(ended_card)]:
        assert not any(raw in text for raw in ("<script>", "<!channel>", "<https://evil")), text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;!channel&gt;" in card["text"]
    assert card["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": f"📹 {TOPIC_ATTACK}",
                                                            "emoji": True}}  # plain text: shown, never run
    for page in (live_page, ended_page):
        assert TOPIC_ATTACK not in page and "<script>alert" not in page
        assert html.escape(TOPIC_ATTACK) in page
