"""Browser security headers: nosniff and no-referrer on every response; HTML also
gets a Content-Security-Policy (scripts only from this server and the pinned OpenTok.js origin,
no framing) and X-Frame-Options; /rooms/* is never cached. The page has no inline script, and
OpenTok.js is loaded with Subresource Integrity after the same-origin host-key script."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from meetbridge.meetings import MeetingRequest
from meetbridge.settings import DEFAULT_OPENTOK_JS_INTEGRITY, DEFAULT_OPENTOK_JS_URL
from web.security_headers import content_security_policy


@pytest.fixture
def meeting(services):
    return services.meetings.start(MeetingRequest(workspace_id="T0001", place_id="C1", starter_id="U1", topic="Sync"))


class Scripts(HTMLParser):
    """Every <script> of a page: its attributes and whether it has inline text. A JSON data
    block (`type="application/json"`, never executed) is kept apart, in `data_blocks`."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[dict[str, str | None]] = []
        self.inline: list[str] = []
        self.data_blocks: list[dict[str, str | None]] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and dict(attrs).get("type") == "application/json":
            self.data_blocks.append(dict(attrs))
        elif tag == "script":
            self.tags.append(dict(attrs))
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        self._in_script = self._in_script and tag != "script"

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append(data)


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";"))}


def every_kind_of_response(client, meeting) -> dict[str, object]:
    return {
        "join page": client.get(f"/rooms/{meeting.id}"),
        "404 page": client.get("/rooms/nope"),
        "token JSON": client.post(f"/rooms/{meeting.id}/token", json={"name": "Ada"}),
        "status JSON": client.get(f"/rooms/{meeting.id}/status"),
        "script": client.get("/static/rooms/room.js"),
        "health": client.get("/healthz"),
        "unknown route": client.get("/nothing-here"),
    }


def test_every_response_says_nosniff_and_no_referrer(client, meeting):
    for what, response in every_kind_of_response(client, meeting).items():
        assert (response.headers.get("X-Content-Type-Options"), response.headers.get("Referrer-Policy")) == (
            "nosniff", "no-referrer"), what


def test_html_gets_a_csp_without_framing_and_x_frame_options_deny(client, meeting, settings):
    for what, response in every_kind_of_response(client, meeting).items():
        html = response.mimetype == "text/html"
        assert ("Content-Security-Policy" in response.headers, response.headers.get("X-Frame-Options")) == (
            (True, "DENY") if html else (False, None)), what
    policy = directives(client.get(f"/rooms/{meeting.id}").headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'", "https://static.opentok.com"]
    assert (policy["frame-ancestors"], policy["default-src"], policy["object-src"], policy["base-uri"]) == (
        ["'none'"], ["'none'"], ["'none'"], ["'none'"])


def test_rooms_responses_are_never_cached(client, meeting):
    for what, response in every_kind_of_response(client, meeting).items():
        rooms = what in ("join page", "404 page", "token JSON", "status JSON")
        assert (response.headers.get("Cache-Control") == "no-store") is rooms, what


def test_csp_lets_opentok_reach_its_own_hosts_only():
    policy = directives(content_security_policy(DEFAULT_OPENTOK_JS_URL))
    assert policy["connect-src"] == ["'self'", "https://static.opentok.com", "https://*.opentok.com",
                                     "wss://*.opentok.com", "https://*.tokbox.com", "wss://*.tokbox.com",
                                     "https://*.vonage.com", "wss://*.vonage.com"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["media-src"] == ["'self'", "blob:", "mediastream:", "https://static.opentok.com"]


def test_page_loads_pinned_opentok_js_with_sri_after_the_host_key_script_and_no_inline_script(client, meeting):
    scripts = Scripts()
    scripts.feed(client.get(f"/rooms/{meeting.id}").get_data(as_text=True))
    assert scripts.tags == [
        {"src": "/static/rooms/host_key.js"},
        {"src": DEFAULT_OPENTOK_JS_URL, "integrity": DEFAULT_OPENTOK_JS_INTEGRITY, "crossorigin": "anonymous"},
        {"type": "module", "src": "/static/rooms/room.js"},
        {"type": "module", "src": "/static/rooms/phone_roster.js"},
        {"type": "module", "src": "/static/rooms/call_me.js"},
    ]
    assert scripts.inline == []
    assert scripts.data_blocks == [{"type": "application/json", "id": "page-words"}]  # the page's words
