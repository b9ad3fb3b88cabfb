"""End to end: the real app on a real port, driven over HTTP as Slack and a browser would."""

from __future__ import annotations

import re

import jwt
import requests

from meetbridge.phone_format import grouped_pin
from tests.cards import card_of
from tests.conftest import SIGNING_SECRET, VIDEO_KEY, VIDEO_SECRET
from tests.signing import slack_headers, slash_command_body
from tests.waiting import wait_until

HTTP_TIMEOUT = 10


def meet_over_http(live_server, fake_slack, text: str) -> requests.Response:
    body = slash_command_body(text, response_url=fake_slack.response_url("meet"))
    return requests.post(f"{live_server.url}/slack/events", data=body, headers=slack_headers(SIGNING_SECRET, body),
                         timeout=HTTP_TIMEOUT)


def test_meet_over_http_gives_a_card_whose_link_serves_the_page_and_a_token_for_the_session(
        live_server, fake_slack, fake_opentok):
    ack = meet_over_http(live_server, fake_slack, "Launch review")
    assert (ack.status_code, ack.json()) == (200, {"response_type": "ephemeral", "text": "Starting *Launch review*…"})

    [created] = fake_opentok.wait_for("create_session")
    assert created["p2p.preference"] == "disabled"  # routed: the Media Router can dial SIP
    [session_id] = fake_opentok.created_sessions()

    [card] = fake_slack.wait_for("chat.postMessage")
    join_url = card["blocks"][1]["accessory"]["url"]
    meeting_id = join_url.rsplit("/", 1)[-1]
    assert join_url == f"{live_server.url}/rooms/{meeting_id}"
    services = live_server.app.extensions["meetbridge"]
    wait_until(lambda: card_of(services.store, meeting_id).ts is not None)
    meeting = services.store.meetings.get(meeting_id)
    assert meeting.session_id == session_id
    card_text = str(card["blocks"])
    assert "+1 555-010-0000" in card_text and f"*PIN:* `{grouped_pin(meeting.pin)}`" in card_text

    page = requests.get(join_url, timeout=HTTP_TIMEOUT)
    assert (page.status_code, page.headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert "Launch review" in page.text and grouped_pin(meeting.pin) in page.text and "+1 555-010-0000" in page.text

    grant = requests.post(f"{join_url}/token", json={"name": "Ada"}, timeout=HTTP_TIMEOUT)
    assert grant.status_code == 200
    body = grant.json()
    assert (body["apiKey"], body["sessionId"]) == (VIDEO_KEY, session_id)
    claims = jwt.decode(body["token"], VIDEO_SECRET, algorithms=["HS256"])
    assert (claims["session_id"], claims["role"], claims["connection_data"], claims["scope"]) == (
        session_id, "publisher", '{"name": "Ada"}', "session.connect")
    assert claims["exp"] <= meeting.expires_at


def test_each_visitor_gets_a_token_of_their_own(live_server, fake_slack):
    meet_over_http(live_server, fake_slack, "")
    join_url = fake_slack.wait_for("chat.postMessage")[0]["blocks"][1]["accessory"]["url"]
    tokens = [requests.post(f"{join_url}/token", json={"name": name}, timeout=HTTP_TIMEOUT).json()["token"]
              for name in ("Ada", "Grace")]
    names = [jwt.decode(token, VIDEO_SECRET, algorithms=["HS256"])["connection_data"] for token in tokens]
    assert (names, tokens[0] != tokens[1]) == (['{"name": "Ada"}', '{"name": "Grace"}'], True)


def test_unknown_meeting_link_is_a_friendly_404_over_http(live_server):
    page = requests.get(f"{live_server.url}/rooms/no-such-meeting", timeout=HTTP_TIMEOUT)
    assert (page.status_code, page.headers["Content-Type"]) == (404, "text/html; charset=utf-8")
    assert not re.search(r"Traceback|werkzeug", page.text)


def test_unsigned_meet_over_http_is_refused_and_creates_nothing(live_server, fake_slack, fake_opentok):
    body = slash_command_body("x", response_url=fake_slack.response_url("meet"))
    refused = requests.post(f"{live_server.url}/slack/events", data=body, timeout=HTTP_TIMEOUT,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert refused.status_code == 401
    meet_over_http(live_server, fake_slack, "genuine")
    fake_slack.wait_for("chat.postMessage")
    assert len(fake_opentok.requests("create_session")) == 1
