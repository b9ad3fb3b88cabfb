"""What a member reads about a call the meeting places: every refusal says why, every
progress code in plain words, and never more of the number than its last four digits."""

from __future__ import annotations

import dataclasses

import pytest
from slack_sdk.models.blocks import Block

from bot import messages
from bot.card import meeting_card
from meetbridge.status import MeetingStatus
from tests.bot.test_card import MEETING, NUMBER, SERVER_URL

REFUSALS = {
    "invalid_number": "That isn't a phone number I can call",
    "country_not_allowed": "Calls to that country aren't allowed here",
    "number_type_not_allowed": "premium-rate, shared-cost, personal and unknown numbers are never dialled",
    "dial_out_off": "Calling phones from meetings is switched off here",
    "starter_only": "Only <@U0ADA>, who started this meeting, can have it call phones here.",
    "member_hourly_limit": "as often as one person may in an hour (a cap on phone costs). Try again in 5 minutes.",
    "team_hourly_limit": "This workspace's meetings have called phones as often as they may in an hour",
    "visitor_limit": "Too many calls were asked for from this page. Try again in 5 minutes.",
    "meeting_ringing_limit": "Too many phones are ringing for this meeting right now.",
    "meeting_full": "This meeting already has as many phone callers as it may have",
    "meeting_ended": "This meeting has already ended.",
    "not_found": "I can't find that meeting.",
}


@pytest.mark.parametrize(("code", "words"), REFUSALS.items())
def test_each_refusal_says_why_in_plain_words(code, words):
    assert words in messages.dial_refused(code, retry_after=300, starter_id="U0ADA")


def test_an_unknown_refusal_still_says_nothing_was_called():
    assert messages.dial_refused("something_new") == "I couldn't place that call. Please try again in a minute."


def test_a_limit_without_a_known_wait_says_later_and_one_minute_is_singular():
    assert messages.dial_refused("team_hourly_limit").endswith("Try again later.")
    assert messages.dial_refused("member_hourly_limit", retry_after=20).endswith("Try again in 1 minute.")


PROGRESS_FOR_ME = {
    "ringing": "Ringing your phone (•••0123)…",
    "joined": "You joined the meeting by phone.",
    "no_answer": "No answer from your phone (•••0123). Nobody picked up before it stopped ringing.",
    "busy": "Your phone (•••0123) was busy, so the call didn't go through.",
    "declined": "The call to your phone (•••0123) was declined.",
    "voicemail": "Voicemail answered at your phone (•••0123), so I hung up (nobody was asked to join).",
    "failed": "The call to your phone (•••0123) failed: the phone network didn't connect it.",
    "ended": "The call to your phone (•••0123) was cancelled because the meeting ended.",
}
PROGRESS_FOR_INVITEE = {
    "ringing": "Ringing Maria (•••0123)…",
    "joined": "Maria (•••0123) joined the meeting by phone.",
    "no_answer": "No answer from Maria (•••0123). Nobody picked up before it stopped ringing.",
    "busy": "Maria (•••0123) was busy, so the call didn't go through.",
    "declined": "The call to Maria (•••0123) was declined.",
    "voicemail": "Voicemail answered at Maria (•••0123), so I hung up (nobody was asked to join).",
    "failed": "The call to Maria (•••0123) failed: the phone network didn't connect it.",
    "ended": "The call to Maria (•••0123) was cancelled because the meeting ended.",
}


@pytest.mark.parametrize(("code", "words"), PROGRESS_FOR_ME.items())
def test_each_progress_code_of_call_me_in_plain_words(code, words):
    assert messages.dial_progress(code, None, "•••0123") == words


@pytest.mark.parametrize(("code", "words"), PROGRESS_FOR_INVITEE.items())
def test_each_progress_code_of_add_by_phone_in_plain_words(code, words):
    assert messages.dial_progress(code, "Maria", "•••0123") == words


def test_leaving_is_not_announced_and_a_typed_name_cannot_mention_or_link():
    assert messages.dial_progress("left", "Maria", "•••0123") is None
    assert messages.dial_progress("ringing", "<!here> <https://x.example|y>", "•••0123") == (
        "Ringing &lt;!here&gt; &lt;https://x.example|y&gt; (•••0123)…")


def card(**options):
    return meeting_card(MeetingStatus(meeting=MEETING, bridge=None, phone_callers=1), SERVER_URL, NUMBER, **options)


def test_the_live_card_offers_call_my_phone_and_add_by_phone_when_dial_out_is_on():
    [actions] = [block for block in card(phone_buttons=True).blocks if block["type"] == "actions"]
    assert [(e["action_id"], e["text"]["text"], e["value"]) for e in actions["elements"]] == [
        ("dial_out", "Connect phone bridge", MEETING.id), ("hang_up", "Hang up phone bridge", MEETING.id),
        ("call_me", "📞 Call my phone", MEETING.id), ("add_phone", "Add by phone", MEETING.id),
        ("end_meeting", "End meeting", MEETING.id)]
    assert "call_me" not in str(card().blocks)
    ended = dataclasses.replace(MEETING, ended_at=MEETING.created_at + 60)
    ended_card = meeting_card(MeetingStatus(meeting=ended, bridge=None, phone_callers=0), SERVER_URL, NUMBER,
                              phone_buttons=True)
    assert "call_me" not in str(ended_card.blocks)


def test_calls_ringing_or_joined_get_a_short_line_under_the_status():
    blocks = card(phone_buttons=True, dialling=["📞 <@U0BOB>: ringing", "📞 Maria: joined by phone"]).blocks
    [context] = [block for block in blocks if block["type"] == "context"]
    assert context["elements"][0]["text"] == ("Phone bridge: *off* · 1 phone caller\n"
                                              "📞 <@U0BOB>: ringing\n📞 Maria: joined by phone")
    assert [Block.parse(block).to_dict() for block in blocks] == blocks
