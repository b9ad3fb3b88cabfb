"""The starter's direct message when a caller waits: the words, the Join button, and what
happens when Slack refuses or the meeting is over (through the real WebClient to the fake Slack)."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from slack_sdk import WebClient

from bot.caller_waiting import CallerWaitingNotice
from bot.install import NotInstalled
from meetbridge.records import Meeting
from tests.conftest import BOT_TOKEN

MEETING = Meeting(id="m-1", team_id="T0001", channel_id="C0GENERAL", creator_id="U0ADA", topic="Budget <!channel> & co",
                  session_id="1_s", pin="123456789", created_at=0.0, expires_at=9e9)


def notice(fake_slack, meeting: Meeting | None, client_for_team=None) -> None:
    """Send the notice for `meeting` and wait until the listener pool has run it."""
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    with ThreadPoolExecutor(max_workers=1) as pool:
        CallerWaitingNotice(lambda _id: meeting, "https://meet.example.com", client_for_team or (lambda _t: client),
                            pool)(MEETING.id)


def test_the_starter_is_told_with_a_join_button_and_the_topic_cannot_mention(fake_slack):
    notice(fake_slack, MEETING)
    (sent,) = fake_slack.requests("chat.postMessage")
    assert sent["channel"] == "U0ADA"
    assert sent["text"] == "A caller is waiting in Budget &lt;!channel&gt; &amp; co"
    section, actions = sent["blocks"]
    assert "&lt;!channel&gt;" in section["text"]["text"] and "<!channel>" not in section["text"]["text"]
    (button,) = actions["elements"]
    assert (button["text"]["text"], button["url"], button["action_id"]) == (
        "Join", "https://meet.example.com/rooms/m-1", "join_meeting")


def test_an_ended_or_unknown_meeting_tells_nobody(fake_slack):
    notice(fake_slack, replace(MEETING, ended_at=1.0))
    notice(fake_slack, None)
    assert fake_slack.requests("chat.postMessage") == []


def test_slack_refusing_or_an_uninstalled_workspace_is_logged_without_the_topic(fake_slack, caplog):
    caplog.set_level(logging.WARNING)
    fake_slack.fail("chat.postMessage", "user_not_found")
    notice(fake_slack, MEETING)
    assert "user_not_found" in caplog.text and "Budget" not in caplog.text

    def uninstalled(_team: str) -> WebClient:
        raise NotInstalled("T0001")

    notice(fake_slack, MEETING, client_for_team=uninstalled)  # nothing raised, nothing sent
    assert len(fake_slack.requests("chat.postMessage")) == 1
