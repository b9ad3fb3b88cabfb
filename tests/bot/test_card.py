"""The meeting card: a pure function of a meeting's status, valid Block Kit."""

from __future__ import annotations

import dataclasses

import pytest
from slack_sdk.models.blocks import Block

from bot.card import meeting_card
from meetbridge.records import BridgeCall, Meeting
from meetbridge.status import MeetingStatus

SERVER_URL = "https://meet.example.com"
NUMBER = "15550100000"
STARTED = 1_900_000_000.0
MEETING = Meeting(id="Zm9vYmFyYmF6cXV4cXV1eA", team_id="T0001", channel_id="C0GENERAL", creator_id="U0ADA",
                  topic="Weekly planning", session_id="1_session", pin="012345", created_at=STARTED,
                  expires_at=STARTED + 12 * 3600)
JOIN_URL = f"{SERVER_URL}/rooms/{MEETING.id}"


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text, "emoji": True}


def confirm(title: str, text: str, yes: str, style: str | None = None) -> dict:
    dialog = {"title": plain(title), "text": {"type": "mrkdwn", "text": text}, "confirm": plain(yes),
              "deny": plain("Cancel")}
    return {**dialog, "style": style} if style else dialog


def card(meeting: Meeting = MEETING, bridge: BridgeCall | None = None, phone_callers: int = 0,
         calls_id: str | None = None):
    return meeting_card(MeetingStatus(meeting=meeting, bridge=bridge, phone_callers=phone_callers),
                        SERVER_URL, NUMBER, calls_id)


def bridge(state: str, reason: str | None = None) -> BridgeCall:
    return BridgeCall(id="b1", meeting_id=MEETING.id, state=state, created_at=STARTED, reason=reason)


def context_line(blocks: list[dict]) -> str:
    [context] = [block for block in blocks if block["type"] == "context"]
    return context["elements"][0]["text"]


def test_live_card_holds_title_join_button_dial_in_status_and_bridge_buttons():
    assert card().blocks == [
        {"type": "header", "text": plain("📹 Weekly planning")},
        {"type": "section",
         "text": {"type": "mrkdwn", "text": "Started by <@U0ADA> · join from your browser or by phone."},
         "accessory": {"type": "button", "text": plain("Join"), "url": JOIN_URL, "action_id": "join_meeting",
                       "style": "primary", "value": MEETING.id}},
        {"type": "section",
         "text": {"type": "mrkdwn", "text": "*Dial in:* +1 555-010-0000  ·  *PIN:* `012 345`\n"
                                            "<tel:+15550100000,,012345%23|📞 Tap to dial in with the PIN>"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Phone bridge: *off* · 0 phone callers"}]},
        {"type": "actions", "block_id": "meeting_actions", "elements": [
            {"type": "button", "text": plain("Connect phone bridge"), "action_id": "dial_out", "value": MEETING.id},
            {"type": "button", "text": plain("Hang up phone bridge"), "action_id": "hang_up", "value": MEETING.id,
             "confirm": confirm("Hang up the phone bridge?",
                                "Phone callers will no longer hear the video participants.", "Hang up")},
            {"type": "button", "text": plain("End meeting"), "action_id": "end_meeting", "value": MEETING.id,
             "style": "danger",
             "confirm": confirm("End this meeting?", "Everyone is disconnected, phone callers included, "
                                "and the link and PIN stop working.", "End meeting", "danger")},
        ]},
    ]


def test_live_card_has_a_plain_fallback_text_with_link_number_and_pin():
    assert card().text == f"Weekly planning: join {JOIN_URL} or dial +1 555-010-0000, PIN 012 345"


@pytest.mark.parametrize(("meeting", "calls_id"), [
    (MEETING, None),
    (dataclasses.replace(MEETING, topic=None), None),
    (dataclasses.replace(MEETING, ended_at=STARTED + 42 * 60), None),
    (MEETING, "R0CALL"),
])
def test_every_block_parses_back_into_slack_sdk_models_unchanged(meeting, calls_id):
    blocks = card(meeting, bridge("failed", "video.internal"), 2, calls_id).blocks
    parsed = [Block.parse(block) for block in blocks]
    assert None not in parsed  # Block.parse answers None for a type it does not know
    assert [block.to_dict() for block in parsed] == blocks


def test_one_tap_link_dials_the_number_then_the_pin_and_hash():
    assert "<tel:+15550100000,,012345%23|" in card().blocks[2]["text"]["text"]


def test_meeting_without_topic_is_called_video_meeting():
    untitled = card(dataclasses.replace(MEETING, topic=None))
    assert (untitled.blocks[0]["text"]["text"], untitled.text.split(":")[0]) == ("📹 Video meeting", "Video meeting")


def test_topic_cannot_inject_mentions_or_links_into_mrkdwn():
    topic = "<!here> & <https://evil.example|click> @here"
    hostile = card(dataclasses.replace(MEETING, topic=topic))
    assert hostile.text == (f"&lt;!here&gt; &amp; &lt;https://evil.example|click&gt; @here: join {JOIN_URL} "
                            "or dial +1 555-010-0000, PIN 012 345")
    assert hostile.blocks[0] == {"type": "header", "text": plain(f"📹 {topic}")}  # plain_text: shown as typed
    assert [text for text in _mrkdwn_texts(hostile.blocks) if "<!here>" in text or "evil.example" in text] == []


def _mrkdwn_texts(value: object) -> list[str]:
    if isinstance(value, dict):
        own = [value["text"]] if value.get("type") == "mrkdwn" else []
        return own + [text for child in value.values() for text in _mrkdwn_texts(child)]
    if isinstance(value, list):
        return [text for child in value for text in _mrkdwn_texts(child)]
    return []


def test_bridge_notice_follows_the_status_line_with_its_mention_intact():
    noticed = card(dataclasses.replace(MEETING, bridge_notice="hung_up_by:U0BOB"))
    assert context_line(noticed.blocks) == ("Phone bridge: *off* · 0 phone callers\n"
                                            "Phone bridge hung up by <@U0BOB>")


def test_long_topic_is_shortened_to_fit_the_header():
    long_card = card(dataclasses.replace(MEETING, topic="x" * 200))
    assert long_card.blocks[0]["text"]["text"] == "📹 " + "x" * 139 + "…"


@pytest.mark.parametrize(("state", "reason", "callers", "line"), [
    ("connecting", None, 0, "Phone bridge: *connecting* · 0 phone callers"),
    ("connected", None, 1, "Phone bridge: *connected* · 1 phone caller"),
    ("connected", None, 3, "Phone bridge: *connected* · 3 phone callers"),
    ("off", "hung_up", 0, "Phone bridge: *off* · 0 phone callers"),
    ("failed", "video.unreachable", 0,
     "Phone bridge: *failed: the video service could not be reached* · 0 phone callers"),
    ("failed", None, 0, "Phone bridge: *failed: unknown reason* · 0 phone callers"),
])
def test_status_line_shows_bridge_state_and_phone_callers(state, reason, callers, line):
    assert context_line(card(bridge=bridge(state, reason), phone_callers=callers).blocks) == line


def test_status_line_counts_video_participants_when_known():
    watched = card(dataclasses.replace(MEETING, video_participants=4), bridge("connected"), 2)
    assert context_line(watched.blocks) == "Phone bridge: *connected* · 2 phone callers · 4 on video"


def test_ended_card_has_no_buttons_and_says_how_long_it_lasted():
    ended = card(dataclasses.replace(MEETING, ended_at=STARTED + 42 * 60 + 10, ended_reason="ended"),
                 bridge("off"), 0)
    assert ended.blocks == [
        {"type": "header", "text": plain("📹 Weekly planning")},
        {"type": "section", "text": {"type": "mrkdwn",
                                     "text": "Started by <@U0ADA>\n*Meeting ended* · lasted 42 min"}},
    ]
    assert ended.text == "Weekly planning: meeting ended · lasted 42 min"


def test_ended_card_after_hours_says_hours_and_minutes():
    ended = card(dataclasses.replace(MEETING, ended_at=STARTED + 125 * 60))
    assert ended.text == "Weekly planning: meeting ended · lasted 2 h 5 min"


def test_card_with_a_registered_slack_call_carries_its_call_block_after_the_join_line():
    called = card(calls_id="R0CALL")
    assert [block["type"] for block in called.blocks] == ["header", "section", "call", "section", "context",
                                                          "actions"]
    assert called.blocks[2] == {"type": "call", "call_id": "R0CALL"}


def test_card_shows_no_secret():
    shown = str(card(dataclasses.replace(MEETING, bridge_notice="x")).blocks) + card().text
    assert [secret for secret in ("1_session", "token", "secret") if secret in shown] == []
