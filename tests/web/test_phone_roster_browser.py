"""The join page's "On the phone" panel in a real browser (Debian's chromium, Playwright): every
visitor sees the phone callers' names and hands, never a number; a note says when someone joins
or leaves by phone; the starter's host link adds Mute / Unmute / Remove, which reach the fake
Vonage. Any script error or CSP violation fails the test (tests/web/test_join_page_browser.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from meetbridge.meetings import MeetingRequest
from tests.vonage_calls import CALLER_NUMBER, answer, dtmf, event, new_uuid
from tests.web.test_join_page_browser import (  # noqa: F401 - the browser fixtures
    CHROMIUM,
    browser,
    join,
    opentok_js,
    room_server,
    services,
    watched,
)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
SLOW_POLL = 7000  # the panel polls every 5 s


@pytest.fixture
def hosted(services):  # noqa: F811 - the imported fixture
    return services.meetings.start_hosted(MeetingRequest(workspace_id="T0001", place_id="C1", starter_id="U1",
                                                         topic="Design review"))


def caller_in(room_server, fake_vonage, meeting, number: str = CALLER_NUMBER) -> str:  # noqa: F811
    """A caller rings the live server and keys the PIN, as Vonage would send it."""
    leg = new_uuid()
    assert answer(leg, from_=number).over_http(room_server.url).status_code == 200
    actions = dtmf(leg, meeting.pin, from_=number).over_http(room_server.url).json()
    assert actions[-1]["action"] == "conversation"
    fake_vonage.add_call(leg, from_=number)
    return leg


def roster_names(tab) -> list[str]:
    return tab.locator("#phone-roster .roster__name").all_text_contents()


@pytest.fixture
def tab(watched, room_server, hosted) -> Iterator[Any]:  # noqa: F811
    page = watched.new_tab()
    page.goto(f"{room_server.url}/rooms/{hosted.meeting.id}")
    yield page


def test_every_visitor_sees_the_callers_name_and_hand_but_no_number(tab, room_server, services,  # noqa: F811
                                                                    fake_vonage, hosted, clock):
    expect(tab.locator("#phone-roster-empty")).to_be_visible()
    maria = caller_in(room_server, fake_vonage, hosted.meeting)
    services.store.database.execute("UPDATE phone_legs SET caller_name = ? WHERE uuid = ?", ["Maria", maria])
    services.store.phone_controls.toggle_hand(maria, clock.now())
    expect(tab.locator("#phone-roster .roster__name")).to_have_text(["Maria (phone)"], timeout=SLOW_POLL)
    expect(tab.locator("#phone-roster .roster__hand")).to_have_text(["✋ Hand raised"])
    expect(tab.locator("#phone-roster-note")).to_have_text("Maria (phone) joined by phone")
    expect(tab.locator("#phone-roster-empty")).to_be_hidden()
    panel = tab.locator("#phone-roster").inner_text()
    assert CALLER_NUMBER[-4:] not in panel and maria not in tab.content()
    assert tab.locator("#phone-roster button").count() == 0  # no host link: no controls
    assert event(maria, "completed").over_http(room_server.url).status_code == 200
    expect(tab.locator("#phone-roster-note")).to_have_text("Maria (phone) left", timeout=SLOW_POLL)
    assert roster_names(tab) == []


def test_the_host_link_mutes_and_removes_a_caller_from_the_page(watched, room_server, services,  # noqa: F811
                                                                fake_vonage, hosted):
    leg = caller_in(room_server, fake_vonage, hosted.meeting)
    host = watched.new_tab()
    host.goto(f"{room_server.url}/rooms/{hosted.meeting.id}#host={hosted.host_key}")
    join(host, "Ada Lovelace")  # the host's controls need the joined visitor's cookie
    caller_row = host.locator("#phone-roster .roster__caller")
    expect(caller_row.get_by_role("button", name="Mute")).to_be_visible(timeout=SLOW_POLL)
    expect(host.locator("#phone-roster .roster__name")).to_have_text(["Phone caller"])
    caller_row.get_by_role("button", name="Mute").click()
    expect(caller_row.get_by_role("button", name="Unmute")).to_be_visible()
    expect(caller_row.locator(".roster__muted")).to_have_text("Muted")
    assert fake_vonage.requests("update_call") == [{"uuid": leg, "action": "mute"}]
    caller_row.get_by_role("button", name="Remove").click()
    expect(host.locator("#phone-roster-empty")).to_be_visible()
    assert fake_vonage.requests("hangup") == [{"uuid": leg, "action": "hangup"}]
    assert services.store.legs.get(leg).left_at is not None
