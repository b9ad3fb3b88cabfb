"""The card words the stored codes (a failed bridge's reason, the bridge notice) in the channel's
language, with no English left where a translation ships."""

from __future__ import annotations

import dataclasses

import pytest

from bot.card import meeting_card
from meetbridge import reasons
from meetbridge.records import BridgeCall
from meetbridge.status import MeetingStatus
from tests.bot.test_card import MEETING, NUMBER, SERVER_URL, STARTED, context_line

LANGUAGES = ["de", "es", "fr", "ja"]


def live_line(locale: str, reason: str | None = None, notice: str | None = None) -> str:
    meeting = dataclasses.replace(MEETING, bridge_notice=notice)
    bridge = BridgeCall(id="b1", meeting_id=MEETING.id, state="failed" if reason else "off", created_at=STARTED,
                        reason=reason)
    card = meeting_card(MeetingStatus(meeting=meeting, bridge=bridge, phone_callers=0), SERVER_URL, NUMBER,
                        locale=locale)
    return context_line(card.blocks)


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("code", ["video.internal", "voice.timeout", "unanswered", "not a code at all"])
def test_a_failed_bridges_reason_is_in_the_cards_language(locale, code):
    line = live_line(locale, reason=code)
    assert reasons.word(code, locale) in line and reasons.word(code, "en") not in line


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("notice", ["idle:5", "max_duration:43200", "video_left", "hung_up_from_page", "dial_limit",
                                    "hung_up_by:U0BOB"])
def test_the_bridge_notice_is_in_the_cards_language(locale, notice):
    line = live_line(locale, notice=notice)
    assert line.endswith("\n" + reasons.word(notice, locale))
    assert reasons.word(notice, "en") not in line


def test_a_notice_naming_a_member_keeps_the_mention_in_every_language():
    assert all("<@U0BOB>" in live_line(locale, notice="hung_up_by:U0BOB") for locale in ["en", *LANGUAGES])
