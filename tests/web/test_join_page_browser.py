"""The join page in a real browser (Debian's headless chromium driven by Playwright).

The app runs on a real port; OPENTOK_JS_URL points at a recording double of OpenTok.js
(tests/web/opentok_double.js) loaded with its SRI hash, so we see exactly which OT calls the
page makes, with the token our route minted, while the bridge buttons reach the fake OpenTok
REST API. Every page also runs under the app's Content-Security-Policy: any violation the
browser reports fails the test.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from playwright.sync_api import expect, sync_playwright

from app import create_app
from meetbridge.meetings import MeetingRequest
from meetbridge.phone_format import grouped_pin
from meetbridge.settings import load_settings
from tests.conftest import VIDEO_KEY, VIDEO_SECRET, LiveServer
from tests.web.opentok_double import OpenTokDouble

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOT = Path("/tmp/join-page.png")
MEDIA_OPTIONS = {"insertMode": "append", "width": "100%", "height": "100%",
                 "style": {"buttonDisplayMode": "off", "nameDisplayMode": "off"}}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def opentok_js() -> Iterator[OpenTokDouble]:
    with OpenTokDouble() as double:
        yield double


def serve_app(env: dict[str, str], clock, opentok_js: OpenTokDouble, integrity: str | None = None) -> LiveServer:
    """The real app on a real port, its SERVER_URL its own address, OpenTok.js from the double
    with its SRI hash."""
    server = LiveServer()
    settings = load_settings(dict(env, SERVER_URL=server.url, OPENTOK_JS_URL=opentok_js.script_url,
                                  OPENTOK_JS_INTEGRITY=integrity or opentok_js.integrity))
    return server.start(create_app(settings, clock=clock, run_sweeper=False))


@pytest.fixture
def room_server(base_env, clock, opentok_js) -> Iterator[LiveServer]:
    server = serve_app(base_env, clock, opentok_js)
    yield server
    server.stop()
    server.app.extensions["meetbridge.shutdown"]()


@pytest.fixture
def services(room_server):
    return room_server.app.extensions["meetbridge"]


@pytest.fixture
def meeting(services):
    return services.meetings.start(MeetingRequest(workspace_id="T0001", place_id="C1", starter_id="U1",
                                                  topic="Design review"))


# Runs before any page script: records every Content-Security-Policy violation the browser sees.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""


class Watched:
    """A browser context whose pages report script errors and CSP violations (both must stay empty)."""

    def __init__(self, browser) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.context.add_init_script(RECORD_CSP_VIOLATIONS)
        self.script_errors: list[str] = []
        self.csp_messages: list[str] = []
        self.tabs: list[Any] = []

    def new_tab(self):
        tab = self.context.new_page()
        tab.on("pageerror", lambda error: self.script_errors.append(str(error)))
        tab.on("console", lambda message: self.csp_messages.append(message.text)
               if "Content Security Policy" in message.text else None)
        tab.set_default_timeout(5000)
        self.tabs.append(tab)
        return tab

    def close(self) -> list[str]:
        """Close; returns every problem seen (script errors, CSP violations)."""
        violations = [v for tab in self.tabs if not tab.is_closed()
                      for v in tab.evaluate("window.__cspViolations || []")]
        self.context.close()
        return self.script_errors + self.csp_messages + violations


@pytest.fixture
def watched(browser) -> Iterator[Watched]:
    context = Watched(browser)
    yield context
    assert context.close() == []


@pytest.fixture
def page(watched, room_server, meeting) -> Iterator[Any]:
    """A fresh browser profile (empty localStorage) on the meeting's join page; any uncaught
    script error or CSP violation fails the test."""
    tab = watched.new_tab()
    tab.goto(f"{room_server.url}/rooms/{meeting.id}")
    yield tab


def ot_calls(page, method: str) -> list[list[Any]]:
    """Arguments of every recorded call of one OT method, oldest first."""
    return page.evaluate("m => window.__otCalls.filter(c => c.method === m).map(c => c.args)", method)


def wait_until(page, expression: str, arg: Any = None, timeout: float = 5.0) -> None:
    """Poll a page expression until it is truthy.

    Playwright's own wait_for_function builds its predicate with eval inside the page, which the
    join page's CSP (no 'unsafe-eval') may block and the CSP watcher then reports; page.evaluate
    goes through the DevTools protocol and is never subject to the page's CSP."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.02)


def wait_for_ot_call(page, method: str, count: int = 1) -> list[list[Any]]:
    wait_until(page, "([m, n]) => window.__otCalls.filter(c => c.method === m).length >= n",
               [method, count])
    return ot_calls(page, method)


def wait_for_first_status(page) -> None:
    wait_until(page, "document.getElementById('bridge-state').dataset.state !== 'unknown'")


def join(page, name: str) -> dict[str, str]:
    """Type a name, press Join, wait until published; returns the grant the browser fetched."""
    page.get_by_label("Your name").fill(name)
    with page.expect_response(lambda r: r.url.endswith("/token")) as token_response:
        page.get_by_role("button", name="Join meeting").click()
    wait_for_ot_call(page, "session.publish")
    return token_response.value.json()


def test_page_shows_number_and_pin_and_loads_opentok_js_from_the_setting(page, meeting, opentok_js):
    assert page.locator("#dial-in-number").text_content() == "+1 555-010-0000"
    assert page.locator("#dial-in-pin").text_content() == grouped_pin(meeting.pin)
    assert page.locator("#tel-link").get_attribute("href") == f"tel:+15550100000,,{meeting.pin}%23"
    assert opentok_js.fetches >= 1
    assert page.evaluate("typeof window.OT.initSession") == "function"


def test_joining_connects_with_the_token_minted_for_this_visitor_and_publishes(page, meeting):
    grant = join(page, "Ada Lovelace")
    claims = jwt.decode(grant["token"], VIDEO_SECRET, algorithms=["HS256"])
    assert ot_calls(page, "initSession") == [[VIDEO_KEY, meeting.session_id]]
    assert ot_calls(page, "session.connect") == [[grant["token"]]]
    assert (claims["session_id"], claims["role"], claims["connection_data"]) == (
        meeting.session_id, "publisher", '{"name": "Ada Lovelace"}')
    assert claims["exp"] <= meeting.expires_at
    assert ot_calls(page, "initPublisher") == [["#self-media", dict(
        MEDIA_OPTIONS, name="Ada Lovelace", publishAudio=True, publishVideo=True)]]
    assert len(ot_calls(page, "session.publish")) == 1
    assert page.locator("#self-name").text_content() == "Ada Lovelace (you)"
    expect(page.locator("#call-state")).to_have_text("Live")


BRIDGE_CONNECTION = "{connectionId: 'c1', data: '{\"meetbridge\": \"phone-bridge\"}'}"


def test_phone_bridge_stream_is_subscribed_and_shown_as_a_phone_callers_tile(page):
    join(page, "Ada Lovelace")
    page.evaluate("window.__otFire('streamCreated', {stream: {streamId: 's1', hasVideo: false, name: 'Phone', "
                  f"connection: {BRIDGE_CONNECTION}}}}})")
    page.evaluate("window.__otFire('streamCreated', {stream: {streamId: 's2', hasVideo: true, "
                  "videoType: 'camera', name: 'Grace Hopper'}})")
    assert ot_calls(page, "session.subscribe") == [["s1", ".tile__media", MEDIA_OPTIONS],
                                                   ["s2", ".tile__media", MEDIA_OPTIONS]]
    phone_tile = page.locator(".tile--phone")
    assert phone_tile.locator(".tile__name").text_content() == "Phone callers"
    assert phone_tile.locator(".tile__phone-icon").is_visible()
    assert page.locator(".tile[data-stream-id='s2'] .tile__name").text_content() == "Grace Hopper"
    page.screenshot(path=str(SCREENSHOT))
    page.evaluate("window.__otFire('streamDestroyed', {stream: {streamId: 's1'}})")
    assert page.locator(".tile--phone").count() == 0


def test_markup_in_a_participant_name_is_shown_as_text(page):
    join(page, "Ada Lovelace")
    name = '<img src=x onerror="window.__pwned = true">'
    page.evaluate("n => window.__otFire('streamCreated', {stream: {streamId: 's9', hasVideo: true, "
                  "videoType: 'camera', name: n}})", name)
    assert page.locator(".tile[data-stream-id='s9'] .tile__name").text_content() == name
    assert page.evaluate("window.__pwned === undefined && document.querySelectorAll('#grid img').length === 0")


def test_mute_and_camera_buttons_drive_the_publisher_and_relabel(page):
    join(page, "Ada Lovelace")
    page.get_by_role("button", name="Mute").click()
    page.get_by_role("button", name="Stop camera").click()
    assert ot_calls(page, "publisher.publishAudio") == [[False]]
    assert ot_calls(page, "publisher.publishVideo") == [[False]]
    assert page.locator("#toggle-audio").get_attribute("aria-pressed") == "true"
    assert page.locator("#self-muted").is_visible()
    page.get_by_role("button", name="Unmute").click()
    page.get_by_role("button", name="Start camera").click()
    assert ot_calls(page, "publisher.publishAudio") == [[False], [True]]
    assert ot_calls(page, "publisher.publishVideo") == [[False], [True]]
    assert page.locator("#controls .ctrl__label").all_text_contents() == ["Mute", "Stop camera", "Leave"]


def test_leave_disconnects_and_rejoin_uses_the_remembered_name(page, room_server, meeting):
    join(page, "Ada Lovelace")
    page.get_by_role("button", name="Leave").click()
    assert ot_calls(page, "session.disconnect") == [[]]
    expect(page.get_by_role("heading", name="You left the meeting")).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith("/token")) as token_response:
        page.get_by_role("button", name="Rejoin").click()
    connects = wait_for_ot_call(page, "session.connect", count=2)
    assert connects[1] == [token_response.value.json()["token"]]
    page.reload()
    expect(page.get_by_label("Your name")).to_have_value("Ada Lovelace")


def test_connect_bridge_button_dials_the_session_out(page, meeting, fake_opentok):
    join(page, "Ada Lovelace")  # the token route's cookie lets this visitor use the bridge
    wait_for_first_status(page)
    page.get_by_role("button", name="Connect phone bridge").click()
    dial = fake_opentok.wait_for("dial")[0]
    assert dial["sessionId"] == meeting.session_id
    expect(page.locator("#bridge-state")).to_have_text("Connecting…")
    expect(page.get_by_role("button", name="Connect phone bridge")).to_be_disabled()


def test_hang_up_button_shows_the_servers_message(page):
    join(page, "Ada Lovelace")
    page.get_by_role("button", name="Hang up phone bridge").click()
    expect(page.locator("#bridge-message")).to_have_text(
        "The phone bridge isn't connected, so there was nothing to hang up.")


def test_joining_an_ended_meeting_says_so_and_never_connects(page, services, meeting):
    wait_for_first_status(page)  # so the token route, not the status poll, finds it ended
    services.lifecycle.end(meeting.id, reason="ended")
    page.get_by_label("Your name").fill("Ada Lovelace")
    with page.expect_response(lambda r: r.url.endswith("/token")) as token_response:
        page.get_by_role("button", name="Join meeting").click()
    assert token_response.value.status == 410
    expect(page.get_by_role("heading", name="This meeting has ended")).to_be_visible()
    assert ot_calls(page, "initSession") == []


def test_a_video_connection_error_is_shown_in_words(page):
    page.evaluate("window.__otFailNext('connect', {name: 'OT_AUTHENTICATION_ERROR', message: 'Invalid token'})")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_role("button", name="Join meeting").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#error-text")).to_have_text(
        "The video service did not accept this meeting's access token. Reload the page and try again.")
    expect(page.get_by_role("button", name="Join meeting")).to_be_visible()


def test_an_empty_name_is_asked_for_before_joining(page):
    page.get_by_role("button", name="Join meeting").click()
    assert page.locator("#name-error").text_content() == "Enter your name so others know who joined."
    assert ot_calls(page, "initSession") == []


def test_end_button_is_hidden_without_the_host_link(page):
    wait_for_first_status(page)
    expect(page.get_by_role("button", name="End meeting for everyone")).to_be_hidden()


def test_host_link_shows_end_which_ends_the_meeting_and_leaves_no_key_in_the_address_bar(
        watched, room_server, services, meeting):
    host_key = services.meetings.issue_host_key(meeting.id)
    tab = watched.new_tab()
    tab.on("dialog", lambda dialog: dialog.accept())
    tab.goto(f"{room_server.url}/rooms/{meeting.id}#host={host_key}")
    assert "#host=" not in tab.url
    join(tab, "Ada Lovelace")

    with tab.expect_response(lambda r: r.url.endswith("/end")) as ended:
        tab.get_by_role("button", name="End meeting for everyone").click()

    assert ended.value.status == 200
    expect(tab.get_by_role("heading", name="This meeting has ended")).to_be_visible()
    assert ot_calls(tab, "session.disconnect")
    assert not services.store.meetings.get(meeting.id).is_live


# -- locked down: cookie-gated controls, fresh tokens, the host key, SRI, the ended signal -------

def test_bridge_controls_before_joining_are_refused_with_words(page, fake_opentok):
    wait_for_first_status(page)
    with page.expect_response(lambda r: r.url.endswith("/dial-out")) as answer:
        page.get_by_role("button", name="Connect phone bridge").click()
    assert answer.value.status == 403
    expect(page.locator("#bridge-message")).to_have_text(
        "Join the meeting on this page first: only people in the meeting can use its phone bridge.")
    assert fake_opentok.requests("dial") == []


def test_connect_then_hang_up_with_the_cookie_reach_the_video_service(page, meeting, fake_opentok, services):
    join(page, "Ada Lovelace")
    with page.expect_response(lambda r: r.url.endswith("/dial-out")) as dialled:
        page.get_by_role("button", name="Connect phone bridge").click()
    assert (dialled.value.status, dialled.value.request.headers["content-type"]) == (202, "application/json")
    fake_opentok.wait_for("dial")
    with page.expect_response(lambda r: r.url.endswith("/hang-up")) as hung_up:
        page.get_by_role("button", name="Hang up phone bridge").click()
    assert hung_up.value.status == 200
    expect(page.locator("#bridge-message")).to_have_text("Phone bridge hung up.")
    assert services.store.bridges.latest(meeting.id).state == "off"


def test_the_page_refreshes_its_token_before_it_expires_and_reconnects_with_the_fresh_one(
        watched, room_server, meeting):
    tab = watched.new_tab()
    tab.clock.install()
    tab.goto(f"{room_server.url}/rooms/{meeting.id}")
    first = join(tab, "Ada Lovelace")
    assert first["expiresIn"] == 900
    with tab.expect_response(lambda r: r.url.endswith("/token")) as refreshed:
        tab.clock.fast_forward("14:01")  # 60 s before the first token expires
    second = refreshed.value.json()
    assert refreshed.value.request.post_data_json == {"name": "Ada Lovelace"}
    assert second["token"] != first["token"]
    assert ot_calls(tab, "session.connect") == [[first["token"]]]  # a live session keeps its connection
    tab.evaluate("window.__otFire('sessionDisconnected', {reason: 'networkDisconnected'})")
    assert wait_for_ot_call(tab, "session.connect", count=2)[1] == [second["token"]]
    with tab.expect_response(lambda r: r.url.endswith("/token")) as again:
        tab.clock.fast_forward("14:01")  # the reconnected call keeps refreshing
    assert again.value.status == 200


def test_the_host_key_is_out_of_the_address_before_opentok_js_runs(watched, room_server, services, meeting):
    host_key = services.meetings.issue_host_key(meeting.id)
    tab = watched.new_tab()
    tab.goto(f"{room_server.url}/rooms/{meeting.id}#host={host_key}")
    seen_by_opentok = tab.evaluate("window.__otLoadedWithAddress")
    assert seen_by_opentok == f"{room_server.url}/rooms/{meeting.id}"
    assert tab.evaluate(f"sessionStorage.getItem('meetbridge.host.{meeting.id}')") == host_key
    expect(tab.get_by_role("button", name="End meeting for everyone")).to_be_visible()


def test_opentok_js_that_does_not_match_its_hash_is_not_run(browser, base_env, clock, opentok_js):
    server = serve_app(base_env, clock, opentok_js, integrity="sha384-" + "A" * 64)
    try:
        services = server.app.extensions["meetbridge"]
        meeting = services.meetings.start(MeetingRequest(workspace_id="T1", place_id="C1", starter_id="U1", topic=None))
        context = browser.new_context()
        tab = context.new_page()
        tab.set_default_timeout(5000)
        tab.goto(f"{server.url}/rooms/{meeting.id}")
        assert tab.evaluate("typeof window.OT") == "undefined"
        tab.get_by_label("Your name").fill("Ada")
        tab.get_by_role("button", name="Join meeting").click()
        expect(tab.locator("#error-text")).to_have_text(
            "The video library couldn't be loaded. Check your connection or content blocker, then reload the page.")
        context.close()
    finally:
        server.stop()
        server.app.extensions["meetbridge.shutdown"]()


def test_the_ended_signal_makes_the_page_ask_the_server_and_leave(watched, room_server, services, meeting):
    tab = watched.new_tab()
    tab.clock.install()
    tab.goto(f"{room_server.url}/rooms/{meeting.id}")
    join(tab, "Ada Lovelace")
    tab.clock.pause_at(time.time() + 1)  # no status poll can fire: only the signal can make the page look
    tab.evaluate("window.__otFire('signal:meetbridge-ended', {data: 'ended', from: null})")
    tab.wait_for_timeout(300)
    expect(tab.locator("#call-state")).to_have_text("Live")  # the server says live: a forged signal does nothing
    services.lifecycle.end(meeting.id, reason="ended")
    tab.evaluate("window.__otFire('signal:meetbridge-ended', {data: 'ended', from: null})")
    expect(tab.get_by_role("heading", name="This meeting has ended")).to_be_visible()
    assert ot_calls(tab, "session.disconnect") == [[]]


def test_the_csp_blocks_an_injected_inline_script_and_the_watcher_sees_it(page, watched):
    """Proves both that the policy is enforced and that the violation watcher of every other
    test would have seen a violation."""
    wait_for_first_status(page)
    page.evaluate("""() => {
        const script = document.createElement('script');
        script.textContent = 'window.__injected = true';
        document.body.appendChild(script);
    }""")
    wait_until(page, "window.__cspViolations.length > 0")
    assert page.evaluate("window.__injected") is None
    assert page.evaluate("window.__cspViolations")[0].startswith("script-src")
    assert [m for m in watched.csp_messages if m.startswith("Executing inline script violates")]
    page.evaluate("window.__cspViolations.length = 0")
    watched.csp_messages.clear()
