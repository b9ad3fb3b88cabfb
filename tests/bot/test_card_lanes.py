"""Card updates in one lane per workspace: Slack's 429 for workspace B defers only
B's cards by its Retry-After, while workspace A's cards go at once; nothing sleeps it out.

Two workspaces installed through OAuth, so each has its own bot token and the fake Slack can
rate-limit one of them, as Slack counts limits per workspace. Real seconds (Slack's
Retry-After is real time), each wait bounded and named for what it proves.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot.installation_store import StoredInstallations
from meetbridge.settings import load_settings
from tests.bot.slack_events import CLIENT_ID, CLIENT_SECRET, install_via_oauth, oauth_env
from tests.bot.test_oauth_install import OTHER_TEAM, OTHER_TEAM_TOKEN, install_other_workspace
from tests.cards import card_of
from tests.conftest import SlackUser
from tests.fakes import FakeSlack
from tests.waiting import wait_until

A_ENDED_WITHIN_SECONDS = 2.0
B_MEETINGS = 3  # more than the old shared sender threads (2), each of which slept out Retry-After


@dataclass(frozen=True)
class PostedMeeting:
    """A meeting and where its card was posted."""

    id: str
    card_channel: str | None
    card_ts: str | None


def posted(services, meeting) -> PostedMeeting:
    card = card_of(services.store, meeting.id)
    return PostedMeeting(id=meeting.id, card_channel=card.channel, card_ts=card.ts)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack(tokens=[OTHER_TEAM_TOKEN], client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as fake:
        yield fake


@pytest.fixture
def settings(base_env):
    return load_settings(dict(oauth_env(base_env), AUTO_BRIDGE="false"))


@pytest.fixture
def two_workspaces(app, client, settings, start_meeting, fake_slack, services):
    """Workspace A (installed through the OAuth pages) with one meeting, B with three."""
    install_via_oauth(app.test_client(use_cookies=False))
    install_other_workspace(StoredInstallations(rows=services.store.slack_installs, client_id=CLIENT_ID))
    eve = SlackUser(client, fake_slack, user_id="U0EVE", team_id=OTHER_TEAM)
    a_meeting = posted(services, start_meeting("A's standup"))
    b_meetings = [posted(services, start_meeting(f"B's room {n}", user=eve)) for n in range(B_MEETINGS)]
    return a_meeting, b_meetings


def updates_of(fake_slack: FakeSlack, meeting) -> list[dict]:
    return [update for update in fake_slack.requests("chat.update") if update["ts"] == meeting.card_ts]


def shows_ended(message: dict | None) -> bool:
    return message is not None and "Meeting ended" in str(message.get("blocks"))


def test_a_rate_limited_workspace_does_not_hold_up_another_workspaces_ended_card(
        two_workspaces, fake_slack, services, slack_user):
    a_meeting, b_meetings = two_workspaces
    fake_slack.http_status("chat.update", 429, times=None, retry_after=20, token=OTHER_TEAM_TOKEN)
    for meeting in b_meetings:
        services.lifecycle.end(meeting.id, reason="ended")
    fake_slack.wait_for("chat.update", 1)  # B's first card met the 429

    clicked = time.monotonic()
    assert slack_user.click("end_meeting", a_meeting.id).status_code == 200
    wait_until(lambda: shows_ended(fake_slack.message(a_meeting.card_channel, a_meeting.card_ts)),
               timeout=A_ENDED_WITHIN_SECONDS)
    took = time.monotonic() - clicked

    assert took < A_ENDED_WITHIN_SECONDS
    assert len(updates_of(fake_slack, a_meeting)) == 1
    b_attempts = [u for m in b_meetings for u in updates_of(fake_slack, m)]
    assert len(b_attempts) == 1  # B's other cards wait out Retry-After without asking Slack again
    assert 18 < services.store.slack_budgets.paused_for(OTHER_TEAM, time.time()) <= 20
    assert all(not shows_ended(fake_slack.message(m.card_channel, m.card_ts)) for m in b_meetings)


def test_a_rate_limited_workspaces_cards_go_out_once_each_after_its_retry_after(
        two_workspaces, fake_slack, services):
    a_meeting, b_meetings = two_workspaces
    fake_slack.http_status("chat.update", 429, times=1, retry_after=2, token=OTHER_TEAM_TOKEN)
    for meeting in b_meetings:
        services.lifecycle.end(meeting.id, reason="ended")
    fake_slack.wait_for("chat.update", 1)
    refused_at = time.monotonic()

    wait_until(lambda: all(shows_ended(fake_slack.message(m.card_channel, m.card_ts)) for m in b_meetings),
               timeout=6)

    went_after = time.monotonic() - refused_at
    assert went_after >= 1.9  # Retry-After: 2
    assert sorted(len(updates_of(fake_slack, m)) for m in b_meetings) == [1, 1, 2]  # the refused one again
    time.sleep(1.5)  # no second copy of any card comes later
    assert sorted(len(updates_of(fake_slack, m)) for m in b_meetings) == [1, 1, 2]
    assert updates_of(fake_slack, a_meeting) == []


def test_a_rate_limited_calls_end_is_sent_once_after_its_retry_after(two_workspaces, fake_slack, services):
    _, b_meetings = two_workspaces
    meeting = b_meetings[0]
    call_id = card_of(services.store, meeting.id).calls_id
    fake_slack.http_status("calls.end", 429, times=1, retry_after=1, token=OTHER_TEAM_TOKEN)

    services.lifecycle.end(meeting.id, reason="ended")

    fake_slack.wait_for("calls.end", 2, timeout=4)  # refused, then again after Retry-After
    wait_until(lambda: fake_slack.call(call_id)["has_ended"])
    assert shows_ended(fake_slack.message(meeting.card_channel, meeting.card_ts))
    assert len(updates_of(fake_slack, meeting)) == 1  # the card itself went once
    time.sleep(1.5)
    assert len(fake_slack.requests("calls.end")) == 2
