""""Call my phone instead" in a real browser (Debian's chromium, the join page's harness in
test_join_page_browser.py): a visitor joins, types their number, the fake Vonage is asked for
the call, and the page follows it live as Vonage's webhooks arrive at the real server."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.vonage_calls import CONFERENCE_NUMBER, TIMESTAMP, post_json
from tests.web import test_join_page_browser as harness

# The browser harness's fixtures (a module-scoped chromium, the app on a real port, a watched page).
pytestmark = harness.pytestmark
browser, opentok_js, room_server, services = harness.browser, harness.opentok_js, harness.room_server, harness.services
meeting, watched, page = harness.meeting, harness.watched, harness.page
join = harness.join

DIGITS = "12025550143"


def vonage_posts(server, path: str, uuid: str, **fields) -> None:
    """A webhook about the call the meeting placed, sent over HTTP as Vonage sends it."""
    payload = {"from": CONFERENCE_NUMBER, "to": DIGITS, "uuid": uuid, "conversation_uuid": f"CON-{uuid}",
               "timestamp": TIMESTAMP, **fields}
    assert post_json(path, payload).over_http(server.url).status_code == 200


def ask_for_a_call(page, number: str) -> None:
    page.get_by_label("Your phone number").fill(number)
    page.get_by_role("button", name="Call my phone").click()


def test_call_my_phone_rings_then_joins_live_on_the_page(page, room_server, services, meeting, fake_vonage):
    card = page.locator("#call-me-card")
    expect(card).to_be_hidden()  # only for a visitor who has joined
    join(page, "Ada Lovelace")
    expect(card).to_be_visible()
    ask_for_a_call(page, "(202) 555-0143")
    message = page.locator("#call-me-message")
    expect(message).to_have_text("Ringing your phone (•••0143)… Answer it and press 1 to join.")
    expect(page.get_by_role("button", name="Call my phone")).to_be_disabled()
    [sent] = fake_vonage.requests("create_call")
    assert sent["to"] == [{"type": "phone", "number": DIGITS}]
    [leg] = services.store.legs.live_legs(meeting.id)
    assert leg.caller_name == "Ada Lovelace"
    vonage_posts(room_server, "/voice-events", leg.uuid, status="answered", direction="outbound")
    vonage_posts(room_server, "/voice-dtmf", leg.uuid, dtmf={"digits": "1", "timed_out": False})
    expect(message).to_have_text("You joined the meeting by phone (•••0143).")
    assert message.get_attribute("data-tone") == "ok"
    assert DIGITS not in page.content()


def test_a_busy_line_is_told_and_the_button_comes_back(page, room_server, services, meeting, fake_vonage):
    join(page, "Ada Lovelace")
    ask_for_a_call(page, "+1 202 555 0143")
    message = page.locator("#call-me-message")
    expect(message).to_contain_text("Ringing your phone")
    [leg] = services.store.legs.live_legs(meeting.id)
    vonage_posts(room_server, "/voice-events", leg.uuid, status="busy", direction="outbound")
    expect(message).to_have_text("•••0143 was busy, so the call didn't go through.")
    assert message.get_attribute("data-tone") == "problem"
    expect(page.get_by_role("button", name="Call my phone")).to_be_enabled()


def test_a_number_it_may_not_call_is_explained_and_nothing_is_dialled(page, fake_vonage):
    join(page, "Ada Lovelace")
    ask_for_a_call(page, "+1 900 555 0199")
    expect(page.locator("#call-me-message")).to_contain_text("premium-rate")
    assert page.get_by_label("Your phone number").get_attribute("aria-invalid") == "true"
    expect(page.get_by_role("button", name="Call my phone")).to_be_enabled()
    assert fake_vonage.requests("create_call") == []
