"""The card's dial-in numbers: at most three, the workspace's country first, each with its one-tap
link, and "More numbers" to the numbers page when callers have a choice; one number stays the
single line it always was."""

from __future__ import annotations

import pytest
from slack_sdk.models.blocks import Block

from bot.card import meeting_card
from meetbridge.dial_in import DialIn
from meetbridge.status import MeetingStatus
from tests.bot.test_card import MEETING, SERVER_URL

US, GB, DE, FR = "15550100000", "442071234567", "4930901820", "33142685300"


def dial_in_section(dial_in: DialIn) -> tuple[str, list[dict]]:
    card = meeting_card(MeetingStatus(meeting=MEETING, bridge=None, phone_callers=0), SERVER_URL, US,
                        dial_in=dial_in)
    assert None not in [Block.parse(block) for block in card.blocks]
    (section,) = [b for b in card.blocks if b["type"] == "section" and "Dial in" in b["text"]["text"]]
    return section["text"]["text"], card.blocks


def test_three_numbers_the_workspaces_country_first_and_a_link_to_all_of_them():
    text, _ = dial_in_section(DialIn(US, ((GB, "en-GB"), (DE, "de-DE"), (FR, "fr-FR")), "DE", "en"))
    assert text.splitlines() == [
        "*Dial in*  ·  *PIN:* `012 345`",
        "🇩🇪 +49 30 901820  ·  <tel:+4930901820,,012345%23|Tap to dial>",
        "🇺🇸 +1 555-010-0000  ·  <tel:+15550100000,,012345%23|Tap to dial>",
        "🇬🇧 +44 20 7123 4567  ·  <tel:+442071234567,,012345%23|Tap to dial>",
        f"<{SERVER_URL}/rooms/{MEETING.id}/numbers|More numbers>",
    ]


def test_two_numbers_both_shown_with_the_link():
    text, _ = dial_in_section(DialIn(US, ((DE, "de-DE"),), "", "en"))
    assert text.count("Tap to dial") == 2 and text.endswith("|More numbers>")


def test_one_number_is_the_single_line_of_before_without_a_link():
    text, blocks = dial_in_section(DialIn(US, (), "", "en"))
    assert text == "*Dial in:* +1 555-010-0000  ·  *PIN:* `012 345`\n" \
                   "<tel:+15550100000,,012345%23|📞 Tap to dial in with the PIN>"
    assert blocks == meeting_card(MeetingStatus(meeting=MEETING, bridge=None, phone_callers=0), SERVER_URL,
                                  US).blocks


@pytest.fixture
def extra_env() -> dict[str, str]:
    return {"DIAL_IN_NUMBERS": f"+{GB}=en-GB,+{DE}=de-DE", "DEFAULT_DIAL_IN_COUNTRY": "DE"}


def test_the_posted_card_lists_the_configured_numbers(start_meeting, fake_slack):
    """Through the app: DIAL_IN_NUMBERS and DEFAULT_DIAL_IN_COUNTRY reach the card Slack gets."""
    start_meeting()
    posted = fake_slack.requests("chat.postMessage")[-1]
    text = next(b["text"]["text"] for b in posted["blocks"]
                if b["type"] == "section" and "Dial in" in b["text"]["text"])
    assert [line.split("  ·  ")[0] for line in text.splitlines()[1:3]] == ["🇩🇪 +49 30 901820", "🇺🇸 +1 555-010-0000"]
    assert "/numbers|More numbers>" in text
