"""The join page in a real browser (Debian's headless chromium driven by Playwright).

The app runs on a real port; OPENTOK_JS_URL points at a recording double of OpenTok.js
(tests/web/opentok_double.js), so we see exactly which OT calls the page makes, with the
token our route minted, while the bridge buttons reach the fake OpenTok REST API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import jwt
import pytest
from playwright.sync_api import expect, sync_playwright

from app import create_app
from meetbridge.meetings import MeetingRequest
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


def serve_app(env: dict[str, str], clock, opentok_js_url: str) -> LiveServer:
    """The real app on a real port, its SERVER_URL its own address, OpenTok.js from the double."""
    server = LiveServer()
    settings = load_settings(dict(env, SERVER_URL=server.url, OPENTOK_JS_URL=opentok_js_url))
    return server.start(create_app(settings, clock=clock, run_sweeper=False))


@pytest.fixture
def room_server(base_env, clock, opentok_js) -> Iterator[LiveServer]:
    server = serve_app(base_env, clock, opentok_js.script_url)
    yield server
    server.stop()
    server.app.extensions["meetbridge.shutdown"]()


@pytest.fixture
def services(room_server):
    return room_server.app.extensions["meetbridge"]


@pytest.fixture
def meeting(services):
    return services.meetings.start(MeetingRequest(team_id="T0001", channel_id="C1", creator_id="U1",
                                                  topic="Design review"))


@pytest.fixture
def page(browser, room_server, meeting) -> Iterator[Any]:
    """A fresh browser profile (empty localStorage) on the meeting's join page; any uncaught
    script error fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    script_errors: list[str] = []
    tab.on("pageerror", lambda error: script_errors.append(str(error)))
    tab.set_default_timeout(5000)
    tab.goto(f"{room_server.url}/rooms/{meeting.id}")
    yield tab
    context.close()
    assert script_errors == []


def ot_calls(page, method: str) -> list[list[Any]]:
    """Arguments of every recorded call of one OT method, oldest first."""
    return page.evaluate("m => window.__otCalls.filter(c => c.method === m).map(c => c.args)", method)


def wait_for_ot_call(page, method: str, count: int = 1) -> list[list[Any]]:
    page.wait_for_function("([m, n]) => window.__otCalls.filter(c => c.method === m).length >= n",
                           arg=[method, count])
    return ot_calls(page, method)


def wait_for_first_status(page) -> None:
    page.wait_for_function("document.getElementById('bridge-state').dataset.state !== 'unknown'")


def join(page, name: str) -> dict[str, str]:
    """Type a name, press Join, wait until published; returns the grant the browser fetched."""
    page.get_by_label("Your name").fill(name)
    with page.expect_response(lambda r: r.url.endswith("/token")) as token_response:
        page.get_by_role("button", name="Join meeting").click()
    wait_for_ot_call(page, "session.publish")
    return token_response.value.json()


def test_page_shows_number_and_pin_and_loads_opentok_js_from_the_setting(page, meeting, opentok_js):
    assert page.locator("#dial-in-number").text_content() == "+1 555-010-0000"
    assert page.locator("#dial-in-pin").text_content() == meeting.pin
    assert page.locator("#tel-link").get_attribute("href") == f"tel:+15550100000,,{meeting.pin}%23"
    assert opentok_js.fetches >= 1
    assert page.evaluate("typeof window.OT.initSession") == "function"


def test_joining_connects_with_the_token_minted_for_this_visitor_and_publishes(page, meeting):
    grant = join(page, "Ada Lovelace")
    claims = jwt.decode(grant["token"], VIDEO_SECRET, algorithms=["HS256"])
    assert ot_calls(page, "initSession") == [[VIDEO_KEY, meeting.session_id]]
    assert ot_calls(page, "session.connect") == [[grant["token"]]]
    assert (claims["session_id"], claims["role"], claims["connection_data"]) == (
        meeting.session_id, "publisher", "Ada Lovelace")
    assert claims["exp"] <= meeting.expires_at
    assert ot_calls(page, "initPublisher") == [["#self-media", dict(
        MEDIA_OPTIONS, name="Ada Lovelace", publishAudio=True, publishVideo=True)]]
    assert len(ot_calls(page, "session.publish")) == 1
    assert page.locator("#self-name").text_content() == "Ada Lovelace (you)"
    expect(page.locator("#call-state")).to_have_text("Live")


def test_phone_bridge_stream_is_subscribed_and_shown_as_a_phone_callers_tile(page):
    join(page, "Ada Lovelace")
    page.evaluate("window.__otFire('streamCreated', {stream: {streamId: 's1', hasVideo: false, name: 'Phone'}})")
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
    wait_for_first_status(page)
    page.get_by_role("button", name="Connect phone bridge").click()
    dial = fake_opentok.wait_for("dial")[0]
    assert dial["sessionId"] == meeting.session_id
    expect(page.locator("#bridge-state")).to_have_text("Connecting…")
    expect(page.get_by_role("button", name="Connect phone bridge")).to_be_disabled()


def test_hang_up_button_shows_the_servers_message(page):
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
        browser, room_server, services, meeting):
    host_key = services.meetings.issue_host_key(meeting.id)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    tab.set_default_timeout(5000)
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
    context.close()
