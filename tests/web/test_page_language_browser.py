"""The join page in German in a real browser (Debian's chromium with a German Accept-Language):
the server's words and the words its scripts build (from the page's JSON words, under the app's
Content-Security-Policy: no violation, no script error)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.test_join_page_browser import (  # noqa: F401 - the browser, app and meeting fixtures
    CHROMIUM,
    RECORD_CSP_VIOLATIONS,
    browser,
    meeting,
    opentok_js,
    room_server,
    services,
    wait_for_first_status,
    wait_for_ot_call,
)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")


@pytest.fixture
def german_page(browser, room_server, meeting) -> Iterator[Any]:  # noqa: F811 - the imported fixtures
    """The join page in a fresh profile whose browser asks for German; script errors and CSP
    violations are collected and must stay empty."""
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    problems: list[str] = []
    tab = context.new_page()
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on("console", lambda message: problems.append(message.text)
           if "Content Security Policy" in message.text else None)
    tab.set_default_timeout(5000)
    with tab.expect_response(lambda r: r.url.endswith(f"/rooms/{meeting.id}")) as page_response:
        tab.goto(f"{room_server.url}/rooms/{meeting.id}")
    tab.sent_language = page_response.value.request.headers.get("accept-language", "")
    yield tab
    problems += tab.evaluate("window.__cspViolations || []")
    context.close()
    assert problems == []


def test_a_german_browser_gets_the_join_page_in_german_with_script_built_words(german_page):
    page = german_page
    assert page.sent_language.startswith("de")
    assert page.locator("html").get_attribute("lang") == "de"
    expect(page.locator(".lobby__title")).to_have_text("Bereit zum Beitreten?")
    expect(page.locator("#call-state")).to_have_text("Nicht beigetreten")
    wait_for_first_status(page)  # the script words the bridge's state
    expect(page.locator("#bridge-state")).to_have_text("Aus")
    page.get_by_role("button", name="Meeting beitreten").click()  # no name: the script says why
    expect(page.locator("#name-error")).to_have_text(
        "Geben Sie Ihren Namen ein, damit die anderen wissen, wer beigetreten ist.")
    page.get_by_label("Ihr Name").fill("Ada Lovelace")
    page.get_by_role("button", name="Meeting beitreten").click()
    wait_for_ot_call(page, "session.publish")
    expect(page.locator("#self-name")).to_have_text("Ada Lovelace (Sie)")
    page.locator("#toggle-audio").click()
    expect(page.locator("#toggle-audio .ctrl__label")).to_have_text("Stummschaltung aufheben")


def test_an_english_browser_still_gets_english(browser, room_server, meeting):  # noqa: F811
    context = browser.new_context(locale="en-US")
    tab = context.new_page()
    tab.set_default_timeout(5000)
    tab.goto(f"{room_server.url}/rooms/{meeting.id}")
    wait_for_first_status(tab)
    expect(tab.locator("#bridge-state")).to_have_text("Off")
    assert tab.locator("html").get_attribute("lang") == "en"
    context.close()
