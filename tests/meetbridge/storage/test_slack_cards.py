"""The Slack side's card state (bot/card_store.py) in its own table (storage/slack_cards.py), on
both back-ends: kept apart from the meeting, one lease holder and one calls.end
at a time across hosts, and carried over from the meeting rows of a SQLite file made before."""

from __future__ import annotations

import dataclasses

import sqlite_utils

from bot.card_store import SlackCard
from meetbridge.records import Meeting
from meetbridge.storage import Store
from meetbridge.storage.schema import migrations
from tests.meetbridge.storage.conftest import NOW

CARD_FIELDS = {"card_channel", "card_ts", "card_via_response_url", "response_url", "response_url_at", "calls_id",
               "card_digest", "card_lease_until", "calls_ended"}


def test_a_posted_card_is_read_back_whole_and_a_click_keeps_it(store):
    card = SlackCard(meeting_id="m1", channel="C0GENERAL", ts="1.0001", digest="d1", calls_id="R0CALL")
    store.slack_cards.posted(card)
    store.slack_cards.remember_response_url("m1", "https://hooks.example/r1", NOW)
    store.slack_cards.sent("m1", "d2")

    assert store.slack_cards.get("m1") == dataclasses.replace(
        card, digest="d2", response_url="https://hooks.example/r1", response_url_at=NOW)
    assert store.slack_cards.get("other") is None
    assert (card.via_response_url, SlackCard(meeting_id="m2").via_response_url) == (False, True)


def test_a_click_before_the_post_is_recorded_keeps_its_response_url(store):
    store.slack_cards.remember_response_url("m1", "https://hooks.example/r1", NOW)
    store.slack_cards.posted(SlackCard(meeting_id="m1", calls_id="R0CALL"))

    assert store.slack_cards.get("m1") == SlackCard(meeting_id="m1", response_url="https://hooks.example/r1",
                                                    response_url_at=NOW, calls_id="R0CALL")


def test_one_sender_holds_the_lease_until_it_gives_it_back_or_it_expires(store, other_store):
    assert store.slack_cards.claim_send("m1", NOW, 30) is False  # no card recorded: nothing to send
    store.slack_cards.posted(SlackCard(meeting_id="m1", channel="C1", ts="1.0"))

    taken = [store.slack_cards.claim_send("m1", NOW, 30), other_store.slack_cards.claim_send("m1", NOW + 1, 30)]
    store.slack_cards.release_send("m1")
    again = other_store.slack_cards.claim_send("m1", NOW + 2, 30)
    expired = store.slack_cards.claim_send("m1", NOW + 33, 30)

    assert (taken, again, expired) == ([True, False], True, True)


def test_calls_end_is_claimed_once_and_again_only_after_a_release(store, other_store):
    store.slack_cards.posted(SlackCard(meeting_id="m1", channel="C1", ts="1.0", calls_id="R0CALL"))

    first, second = store.slack_cards.claim_call_end("m1"), other_store.slack_cards.claim_call_end("m1")
    store.slack_cards.release_call_end("m1")

    assert (first, second, store.slack_cards.claim_call_end("m1")) == (True, False, True)


def test_the_meeting_row_carries_no_slack_state(store):
    store.meetings.insert(Meeting(id="m1", team_id="T1", channel_id="C1", creator_id="U1", topic=None,
                                  session_id="s", pin="1111", created_at=NOW, expires_at=NOW + 60))
    [row] = store.database.query("SELECT * FROM meetings")

    assert CARD_FIELDS & {field.name for field in dataclasses.fields(Meeting)} == set()
    assert CARD_FIELDS & set(row) == set()


def test_upgrading_moves_each_posted_cards_state_out_of_the_meeting_row(tmp_path):
    path = str(tmp_path / "old.db")
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="move_slack_card_state_to_slack_cards")
    meeting = {"team_id": "T1", "channel_id": "C1", "creator_id": "U1", "session_id": "s", "created_at": NOW,
               "expires_at": NOW + 60}
    for row in ({"id": "posted", "pin": "1111", "card_channel": "C1", "card_ts": "1.0", "card_digest": "d",
                 "calls_id": "R1", "calls_ended": 1, "card_lease_until": NOW},
                {"id": "replied", "pin": "2222", "card_via_response_url": 1, "response_url": "https://r",
                 "response_url_at": NOW},
                {"id": "unposted", "pin": "3333"}):
        old["meetings"].insert({**meeting, **row})
    old.conn.close()

    store = Store(path)
    try:
        cards = store.database.query("SELECT * FROM slack_cards ORDER BY meeting_id")
        columns = set(store.database.db["meetings"].columns_dict)
        indexes = {index.name for index in store.database.db["meetings"].indexes}
        kept = store.meetings.get("posted")
    finally:
        store.close()

    assert cards == [
        {"meeting_id": "posted", "channel": "C1", "ts": "1.0", "digest": "d", "response_url": None,
         "response_url_at": None, "calls_id": "R1", "lease_until": NOW, "calls_ended": 1},
        {"meeting_id": "replied", "channel": None, "ts": None, "digest": None, "response_url": "https://r",
         "response_url_at": NOW, "calls_id": None, "lease_until": None, "calls_ended": 0},
    ]
    assert columns & CARD_FIELDS == set()
    assert {"meetings_creator", "meetings_team_live"} <= indexes
    assert (kept.id, kept.pin, kept.team_id) == ("posted", "1111", "T1")
