"""GET /rooms/<id>/numbers: every number callers may dial, the workspace's country first, each
formatted for its country with its one-tap link, and the PIN; the same 404/410 and browser
security headers as the join page. The join page lists the other numbers too."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from meetbridge.meetings import MeetingRequest
from meetbridge.phone_format import grouped_pin

GB, DE = "442071234567", "4930901820"


@pytest.fixture
def extra_env() -> dict[str, str]:
    return {"DIAL_IN_NUMBERS": f"+{GB}=en-GB,+{DE}=de-DE", "DEFAULT_DIAL_IN_COUNTRY": "GB"}


@pytest.fixture
def meeting(services):
    return services.meetings.start(MeetingRequest(workspace_id="T0001", place_id="C1", starter_id="U1",
                                                  topic="Design <review>"))


class Links(HTMLParser):
    """The page's links, in order: (href, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href")

    def handle_data(self, data):
        if self._href is not None and data.strip():
            self.links.append((self._href, data.strip()))
            self._href = None


def links(html: str) -> list[tuple[str, str]]:
    parser = Links()
    parser.feed(html)
    return parser.links


def test_every_number_in_order_with_its_one_tap_link_and_the_pin(client, meeting):
    response = client.get(f"/rooms/{meeting.id}/numbers")
    assert (response.status_code, response.mimetype) == (200, "text/html")
    page = response.get_data(as_text=True)
    pin = meeting.pin
    assert links(page)[:3] == [(f"tel:+{GB},,{pin}%23", "+44 20 7123 4567"),
                               (f"tel:+15550100000,,{pin}%23", "+1 555-010-0000"),
                               (f"tel:+{DE},,{pin}%23", "+49 30 901820")]
    assert grouped_pin(pin) in page
    assert "United Kingdom" in page and "Germany" in page and "in-country: 020 7123 4567" in page
    assert "prompts in German (Germany)" in page and "prompts in English (United Kingdom)" in page
    assert "Design &lt;review&gt;" in page and "<review>" not in page


def test_the_page_carries_the_join_pages_security_headers(client, meeting):
    headers = client.get(f"/rooms/{meeting.id}/numbers").headers
    assert headers["Cache-Control"] == "no-store"
    assert (headers["X-Content-Type-Options"], headers["Referrer-Policy"]) == ("nosniff", "no-referrer")
    assert headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_unknown_meeting_is_the_friendly_404_page(client):
    response = client.get("/rooms/no-such-meeting/numbers")
    assert response.status_code == 404 and "find that meeting" in response.get_data(as_text=True)
    assert client.get("/rooms/" + "x" * 200 + "/numbers").status_code == 404


def test_ended_meeting_is_410_and_shows_no_pin(client, services, meeting):
    services.lifecycle.end(meeting.id, reason="ended")
    response = client.get(f"/rooms/{meeting.id}/numbers")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "This meeting has ended" in page and meeting.pin not in page and "tel:" not in page


def test_the_join_page_lists_the_other_numbers_and_links_to_all(client, meeting):
    page = client.get(f"/rooms/{meeting.id}").get_data(as_text=True)
    found = links(page)
    assert (f"tel:+{GB},,{meeting.pin}%23", "Tap to call, PIN included") in found  # the workspace's country
    assert (f"tel:+15550100000,,{meeting.pin}%23", "+1 555-010-0000") in found
    assert (f"tel:+{DE},,{meeting.pin}%23", "+49 30 901820") in found
    assert (f"/rooms/{meeting.id}/numbers", "All dial-in numbers") in found
    assert 'id="dial-in-number">+44 20 7123 4567<' in page


@pytest.mark.parametrize("extra_env", [{}], indirect=False)
def test_with_one_number_the_join_page_has_no_list(client, meeting):
    page = client.get(f"/rooms/{meeting.id}").get_data(as_text=True)
    assert 'id="more-numbers"' not in page and "/numbers" not in page
    assert 'id="dial-in-number">+1 555-010-0000<' in page
