"""The join page and its token route through the Flask test client.

Tokens are minted by the real opentok SDK and decoded here with the project secret.
"""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser
from urllib.parse import urlsplit

import jwt
import pytest

from meetbridge.meetings import MeetingRequest
from meetbridge.phone_format import grouped_pin
from tests.conftest import VIDEO_KEY, VIDEO_SECRET
from tests.waiting import wait_until

OPENTOK_JS_URL = "https://video.example.test/opentok-2.28.min.js"
TOPIC_ATTACK = "<script>alert(1)</script>"


@pytest.fixture
def base_env(base_env) -> dict[str, str]:
    """The shared environment, plus a non-default OpenTok.js location."""
    return dict(base_env, OPENTOK_JS_URL=OPENTOK_JS_URL)


@pytest.fixture
def meeting(services):
    return services.meetings.start(MeetingRequest(workspace_id="T0001", place_id="C1", starter_id="U1",
                                                  topic="Design review"))


def start(services, topic: str):
    return services.meetings.start(MeetingRequest(workspace_id="T0001", place_id="C1", starter_id="U1", topic=topic))


def token_claims(token: str) -> dict:
    return jwt.decode(token, VIDEO_SECRET, algorithms=["HS256"])


def visitor_name(token: str) -> str:
    """The name in a visitor token's structured connection data."""
    return json.loads(token_claims(token)["connection_data"])["name"]


def test_join_page_shows_title_number_pin_and_loads_configured_opentok_js(client, meeting):
    response = client.get(f"/rooms/{meeting.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "<title>Design review · meetbridge</title>" in page
    assert ">+1 555-010-0000</dd>" in page
    assert f'<dd class="pin" id="dial-in-pin">{grouped_pin(meeting.pin)}</dd>' in page
    assert f'href="tel:+15550100000,,{meeting.pin}%23"' in page
    assert f'<script src="{OPENTOK_JS_URL}"></script>' in page  # a custom URL without a hash: no integrity
    assert f'data-token-url="/rooms/{meeting.id}/token"' in page


def test_join_page_assets_are_served_by_the_rooms_blueprint(client, meeting):
    page = client.get(f"/rooms/{meeting.id}").get_data(as_text=True)
    script = client.get("/static/rooms/room.js")
    style = client.get("/static/rooms/room.css")
    assert '<script type="module" src="/static/rooms/room.js"></script>' in page
    assert '<script src="/static/rooms/host_key.js"></script>' in page
    assert '<link rel="stylesheet" href="/static/rooms/room.css">' in page
    assert (script.status_code, style.status_code) == (200, 200)
    assert "OT.initSession" in script.get_data(as_text=True)


class AssetLinks(HTMLParser):
    """Collects what a page makes the browser fetch: script src, link href, img src."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href", "img": "src", "iframe": "src"}.get(tag)
        self.urls += [value or "" for name, value in attrs if name == wanted]


def test_join_page_loads_no_external_asset_but_opentok_js(client, meeting):
    links = AssetLinks()
    links.feed(client.get(f"/rooms/{meeting.id}").get_data(as_text=True))
    external = [url for url in links.urls if urlsplit(url).netloc]
    assert external == [OPENTOK_JS_URL]


def test_unknown_meeting_gets_friendly_404_page(client):
    response = client.get("/rooms/no-such-meeting")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<h1>We couldn't find that meeting</h1>" in response.get_data(as_text=True)


def test_overlong_meeting_id_gets_the_404_page(client):
    response = client.get("/rooms/" + "x" * 65)
    assert response.status_code == 404
    assert "find that meeting" in response.get_data(as_text=True)


def test_ended_meeting_page_is_410_and_names_the_meeting(client, services, meeting):
    services.lifecycle.end(meeting.id, reason="ended")
    response = client.get(f"/rooms/{meeting.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "<h1>This meeting has ended</h1>" in page
    assert '<strong class="notice__title">Design review</strong>' in page
    assert OPENTOK_JS_URL not in page


def test_ended_meeting_grants_no_token(client, services, meeting):
    services.lifecycle.end(meeting.id, reason="ended")
    response = client.post(f"/rooms/{meeting.id}/token", json={"name": "Ada"})
    assert (response.status_code, response.get_json()) == (410, {"error": "This meeting has ended."})


def test_unknown_meeting_grants_no_token(client):
    response = client.post("/rooms/no-such-meeting/token", json={"name": "Ada"})
    assert (response.status_code, response.get_json()) == (404, {"error": "No meeting has this link."})


def test_token_is_a_publisher_token_for_this_session_carrying_the_name(client, meeting):
    response = client.post(f"/rooms/{meeting.id}/token", json={"name": "  Ada   Lovelace "})
    grant = response.get_json()
    assert response.status_code == 200
    assert set(grant) == {"apiKey", "sessionId", "token", "expiresIn"}
    assert (grant["apiKey"], grant["sessionId"], grant["expiresIn"]) == (VIDEO_KEY, meeting.session_id, 900)
    claims = token_claims(grant["token"])
    assert (claims["iss"], claims["ist"], claims["scope"]) == (VIDEO_KEY, "project", "session.connect")
    assert (claims["session_id"], claims["role"], claims["connection_data"]) == (
        meeting.session_id, "publisher", '{"name": "Ada Lovelace"}')
    assert claims["exp"] <= meeting.expires_at


def test_each_visitor_gets_their_own_token(client, meeting):
    first = client.post(f"/rooms/{meeting.id}/token", json={"name": "Ada"}).get_json()["token"]
    second = client.post(f"/rooms/{meeting.id}/token", json={"name": "Grace"}).get_json()["token"]
    assert first != second
    assert [visitor_name(t) for t in (first, second)] == ["Ada", "Grace"]


NAME_ERROR = {"error": "Send JSON {\"name\": \"...\"} with a display name of 1 to 100 characters."}


@pytest.mark.parametrize("body", [
    {"json": {}},
    {"json": {"name": 42}},
    {"json": {"name": None}},
    {"json": {"name": "   "}},
    {"json": {"name": "a" * 101}},
    {"json": ["Ada"]},
    {"data": "name=Ada", "content_type": "application/x-www-form-urlencoded"},
    {"data": "{not json", "content_type": "application/json"},
], ids=["missing", "number", "null", "blank", "101 chars", "json array", "form body", "broken json"])
def test_token_refuses_bad_names_with_400_json(client, meeting, body):
    response = client.post(f"/rooms/{meeting.id}/token", **body)
    assert (response.status_code, response.get_json()) == (400, NAME_ERROR)


def test_token_accepts_a_100_character_name(client, meeting):
    response = client.post(f"/rooms/{meeting.id}/token", json={"name": "a" * 100})
    assert response.status_code == 200
    assert visitor_name(response.get_json()["token"]) == "a" * 100


def test_script_in_the_topic_is_escaped_on_the_join_page(client, services):
    meeting = start(services, TOPIC_ATTACK)
    page = client.get(f"/rooms/{meeting.id}").get_data(as_text=True)
    assert TOPIC_ATTACK not in page
    assert page.count(html.escape(TOPIC_ATTACK)) == 4  # <title>, heading (text and tooltip), lobby
    # only host_key.js, OpenTok.js, room.js, call_me.js, phone_roster.js and the words' JSON data block
    assert page.count("<script") == 6 and page.count('<script type="application/json" id="page-words">') == 1


def test_script_in_the_topic_is_escaped_on_the_ended_page(client, services):
    meeting = start(services, TOPIC_ATTACK)
    services.lifecycle.end(meeting.id, reason="ended")
    page = client.get(f"/rooms/{meeting.id}").get_data(as_text=True)
    assert TOPIC_ATTACK not in page
    assert html.escape(TOPIC_ATTACK) in page


def test_markup_in_the_name_travels_as_plain_data(client, meeting):
    name = '<img src=x onerror="alert(1)">'
    response = client.post(f"/rooms/{meeting.id}/token", json={"name": name})
    assert response.mimetype == "application/json"
    assert visitor_name(response.get_json()["token"]) == name


def test_status_of_a_fresh_meeting_has_no_bridge_and_no_callers(client, meeting):
    response = client.get(f"/rooms/{meeting.id}/status")
    assert response.get_json() == {"ended": False, "bridge": "off", "bridgeReason": None, "phoneCallers": 0}


def test_hang_up_with_no_bridge_explains_there_was_nothing_to_hang_up(client, meeting):
    client.post(f"/rooms/{meeting.id}/token", json={"name": "Ada"})
    response = client.post(f"/rooms/{meeting.id}/hang-up", json={})
    assert (response.status_code, response.get_json()) == (200, {
        "bridge": "off", "message": "The phone bridge isn't connected, so there was nothing to hang up."})


# -- ending from the join page with the host link ----------------------------------------------

def host_key_from_slack(fake_slack, meeting) -> str:
    """The starter's ephemeral host link: the key is in the URL fragment."""
    [link] = [r["text"] for r in fake_slack.wait_for_response("meet") if "#host=" in r["text"]]
    assert link.startswith("Your meeting is ready. <") and f"/rooms/{meeting.id}#host=" in link
    return link.split("#host=", 1)[1].split("|", 1)[0]


def test_starter_gets_an_ephemeral_host_link_that_ends_the_meeting_from_the_page(
        start_meeting, fake_slack, client, services):
    meeting = start_meeting("Retro")
    wait_until(lambda: any("#host=" in r["text"] for r in fake_slack.responses("meet")))  # sent after the card
    [message] = [r for r in fake_slack.responses("meet") if "#host=" in r["text"]]
    assert message["response_type"] == "ephemeral"
    host_key = host_key_from_slack(fake_slack, meeting)

    ended = client.post(f"/rooms/{meeting.id}/end", json={"hostKey": host_key})

    assert (ended.status_code, ended.get_json()) == (200, {"ended": True, "message": "Meeting ended for everyone."})
    assert services.store.meetings.get(meeting.id).ended_reason == "ended"
    assert client.get(f"/rooms/{meeting.id}").status_code == 410
    again = client.post(f"/rooms/{meeting.id}/end", json={"hostKey": host_key})
    assert again.status_code == 410


def test_ending_from_the_page_without_the_right_host_key_is_refused_and_changes_nothing(
        start_meeting, fake_slack, client, services):
    meeting = start_meeting("Retro")
    host_key = host_key_from_slack(fake_slack, meeting)
    wrong_key = host_key[:-1] + ("y" if host_key.endswith("x") else "x")  # never the key itself
    for body, status in (({"hostKey": wrong_key}, 403), ({"hostKey": ""}, 400), ({}, 400),
                         ("not json", 400), ({"hostKey": ["a"]}, 400)):
        response = client.post(f"/rooms/{meeting.id}/end", json=body)
        assert response.status_code == status, body
        assert set(response.get_json()) == {"error"}
    assert client.post("/rooms/nope/end", json={"hostKey": host_key}).status_code == 404
    assert services.store.meetings.get(meeting.id).is_live
    assert host_key not in str(services.store.database.query("SELECT * FROM meetings"))
