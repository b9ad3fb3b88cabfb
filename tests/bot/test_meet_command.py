"""`/meet` through Bolt with signed requests, the real SDKs against the fake Slack and OpenTok."""

from __future__ import annotations

import re

from bot.messages import HELP
from meetbridge.phone_format import grouped_pin
from tests.cards import card_of
from tests.conftest import SlackUser
from tests.waiting import wait_until

ROUTED = "disabled"  # p2p.preference=disabled is how the REST API asks for a routed session


def table_rows(services, table: str) -> list[dict]:
    return services.store.database.query(f"SELECT * FROM {table}")


def meeting_id_of(card: dict) -> str:
    return card["blocks"][1]["accessory"]["url"].rsplit("/", 1)[-1]


def test_meet_acks_at_once_with_an_ephemeral_note(slack_user, fake_slack):
    response = slack_user.meet("Weekly planning")
    assert (response.status_code, response.get_json()) == (
        200, {"response_type": "ephemeral", "text": "Starting *Weekly planning*…"})
    fake_slack.wait_for("chat.postMessage")


def test_meet_posts_card_with_join_link_number_and_pin(slack_user, fake_slack, services, settings):
    slack_user.meet("Weekly planning")
    posted = fake_slack.wait_for("chat.postMessage")[0]
    meeting = services.store.meetings.get(meeting_id_of(posted))
    join_url = f"{settings.server_url}/rooms/{meeting.id}"
    assert posted["channel"] == "C0GENERAL"
    assert posted["blocks"][1]["accessory"] == {
        "type": "button", "text": {"type": "plain_text", "text": "Join", "emoji": True}, "url": join_url,
        "action_id": "join_meeting", "style": "primary", "value": meeting.id}
    [dial_in] = [block for block in posted["blocks"] if "*Dial in:*" in str(block)]
    assert dial_in["text"]["text"] == (f"*Dial in:* +1 555-010-0000  ·  *PIN:* `{grouped_pin(meeting.pin)}`\n"
                                       f"<tel:+15550100000,,{meeting.pin}%23|📞 Tap to dial in with the PIN>")
    assert posted["text"] == f"Weekly planning: join {join_url} or dial +1 555-010-0000, PIN {grouped_pin(meeting.pin)}"


def test_meet_stores_the_meeting_with_its_card_location(slack_user, fake_slack, services, clock, settings):
    slack_user.meet("Weekly planning")
    posted = fake_slack.wait_for("chat.postMessage")[0]
    meeting_id = meeting_id_of(posted)
    wait_until(lambda: card_of(services.store, meeting_id).ts is not None)
    meeting, card = services.store.meetings.get(meeting_id), card_of(services.store, meeting_id)
    assert (meeting.team_id, meeting.channel_id, meeting.creator_id, meeting.topic) == (
        "T0001", "C0GENERAL", "U0ADA", "Weekly planning")
    assert (meeting.created_at, meeting.expires_at) == (clock.now(), clock.now() + 12 * 3600)
    assert (card.channel, card.via_response_url, meeting.ended_at) == ("C0GENERAL", 0, None)
    assert fake_slack.message("C0GENERAL", card.ts)["blocks"] == posted["blocks"]


def test_meet_creates_a_routed_video_session(slack_user, fake_slack, fake_opentok, services):
    slack_user.meet("")
    meeting_id = meeting_id_of(fake_slack.wait_for("chat.postMessage")[0])
    [created] = fake_opentok.requests("create_session")
    assert created["p2p.preference"] == ROUTED
    session_id = services.store.meetings.get(meeting_id).session_id
    assert fake_opentok.created_sessions() == {session_id: True}


def test_meet_takes_a_live_pin_of_nine_digits_for_the_meeting(slack_user, fake_slack, services):
    """9 digits by default (6 before the PIN guard), shown in groups of three."""
    slack_user.meet("")
    posted = fake_slack.wait_for("chat.postMessage")[0]
    meeting = services.store.meetings.get(meeting_id_of(posted))
    assert re.fullmatch(r"\d{9}", meeting.pin)
    assert f"PIN {meeting.pin[:3]} {meeting.pin[3:6]} {meeting.pin[6:]}" in posted["text"]
    assert table_rows(services, "pins") == [{"pin": meeting.pin, "meeting_id": meeting.id, "released_at": None}]


def test_meeting_id_is_url_safe_and_carries_128_random_bits(start_meeting):
    ids = {start_meeting().id for _ in range(3)}
    assert len(ids) == 3
    assert [meeting_id for meeting_id in ids if not re.fullmatch(r"[A-Za-z0-9_-]{22,}", meeting_id)] == []


def test_meet_without_topic_is_a_video_meeting(slack_user, fake_slack):
    response = slack_user.meet("   ")
    assert response.get_json()["text"] == "Starting a video meeting…"
    posted = fake_slack.wait_for("chat.postMessage")[0]
    assert posted["blocks"][0]["text"]["text"] == "📹 Video meeting"


def test_two_people_get_two_meetings_with_different_pins(client, fake_slack, start_meeting):
    first = start_meeting("Ada's")
    second = start_meeting("Bob's", SlackUser(client, fake_slack, user_id="U0BOB"))
    assert (first.creator_id, second.creator_id) == ("U0ADA", "U0BOB")
    assert first.id != second.id and first.pin != second.pin and first.session_id != second.session_id


def test_card_falls_back_to_an_in_channel_reply_where_the_bot_is_not_in_the_channel(
        slack_user, fake_slack, services, settings):
    fake_slack.fail("chat.postMessage", "not_in_channel")
    slack_user.meet("Private plans")
    reply = fake_slack.wait_for_response("meet")[0]  # the host link follows it (ephemeral), maybe already
    meeting = services.store.meetings.get(meeting_id_of(reply))
    assert reply["response_type"] == "in_channel"
    assert reply["blocks"][1]["accessory"]["url"] == f"{settings.server_url}/rooms/{meeting.id}"
    assert f"`{grouped_pin(meeting.pin)}`" in str(reply["blocks"])
    assert reply["text"].startswith("Private plans: join ")
    wait_until(lambda: card_of(services.store, meeting.id).via_response_url == 1)
    kept, card = services.store.meetings.get(meeting.id), card_of(services.store, meeting.id)
    assert (card.via_response_url, card.ts, kept.ended_at) == (1, None, None)
    assert services.store.pins.live_meeting_id(meeting.pin) == meeting.id


def test_card_falls_back_to_an_in_channel_reply_in_a_dm(client, fake_slack, services):
    fake_slack.fail("chat.postMessage", "channel_not_found")
    dm_user = SlackUser(client, fake_slack, channel_id="D0DIRECT")
    dm_user.meet("1:1")
    reply = fake_slack.wait_for_response("meet")[0]  # the host link follows it (ephemeral)
    assert reply["response_type"] == "in_channel"
    meeting_id = meeting_id_of(reply)
    wait_until(lambda: card_of(services.store, meeting_id).via_response_url == 1)
    assert services.store.meetings.get(meeting_id).channel_id == "D0DIRECT"
    assert len(fake_slack.requests("chat.postMessage")) == 1  # tried once, then the fallback


def test_meet_help_answers_usage_and_creates_nothing(slack_user, fake_opentok, fake_slack, services, start_meeting):
    response = slack_user.meet("help")
    assert (response.status_code, response.get_json()) == (200, {"response_type": "ephemeral", "text": HELP})
    assert "/meet <topic>" in HELP
    after = start_meeting("after help")  # once this one is done, any stray work from `help` would show
    assert [row["id"] for row in table_rows(services, "meetings")] == [after.id]
    assert len(fake_opentok.requests("create_session")) == 1
    assert [meeting_id_of(card) for card in fake_slack.requests("chat.postMessage")] == [after.id]
    # the only response_url message is the host link of the meeting started after `help`
    host_link = fake_slack.wait_for_response("meet")  # it follows the card, so wait for it
    assert [("#host=" in r["text"], after.id in r["text"]) for r in host_link] == [(True, True)]


def test_long_topic_is_shortened(slack_user, fake_slack, services):
    slack_user.meet("word " * 100)
    meeting = services.store.meetings.get(meeting_id_of(fake_slack.wait_for("chat.postMessage")[0]))
    assert len(meeting.topic) == 120 and meeting.topic.endswith("…")
