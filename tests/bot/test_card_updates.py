"""The live card: coalesced chat.update (at most one per card per second, always
the newest state), Slack's 429 answered by waiting Retry-After in that workspace's lane only,
lost updates repaired.

Coalescing runs on the real monotonic clock (Slack's rate limit is real time), so these tests
wait for real seconds; each wait is bounded and named for what it proves.
"""

from __future__ import annotations

import time

import pytest

from bot.workspace_budget import WorkspaceBudget
from meetbridge.phone_entry import CallerLeg
from meetbridge.settings import load_settings
from tests.bridge_setup import card_updates, new_uuid, status_line, wait_for_status
from tests.cards import card_of
from tests.waiting import wait_until

COALESCE_WINDOW = 1.0


@pytest.fixture
def settings(base_env):
    return load_settings(dict(base_env, AUTO_BRIDGE="false"))


def callers_line(count: int) -> str:
    return f"Phone bridge: *off* · {count} phone caller{'' if count == 1 else 's'}"


def caller_joins(services, meeting, number: int) -> None:
    """What /voice-answer then /voice-dtmf do with a right PIN, without the HTTP round trips (fast bursts)."""
    leg = CallerLeg(new_uuid(), f"4477009{number:05d}")
    services.phone_entry.answer_caller(leg)
    actions = services.phone_entry.enter_pin(leg, meeting.pin, False).ncco
    assert actions[-1]["action"] == "conversation"


def shown(fake_slack, card) -> str | None:
    """The status line of the card as it stands in Slack now."""
    return status_line(fake_slack.message(card.channel, card.ts))


def no_more_updates_than(fake_slack, count: int, within: float) -> bool:
    """True when no further chat.update arrives within `within` seconds."""
    try:
        fake_slack.wait_for("chat.update", count + 1, timeout=within)
    except AssertionError:
        return True
    return False


def test_ten_rapid_changes_make_at_most_two_updates_and_the_last_shows_the_newest_state(
        start_meeting, services, fake_slack):
    meeting = start_meeting("Standup")
    assert card_updates(fake_slack) == []
    started = time.monotonic()

    for number in range(10):
        caller_joins(services, meeting, number)
    burst = time.monotonic() - started

    wait_for_status(fake_slack, callers_line(10))
    assert burst < COALESCE_WINDOW  # the ten changes really came within one window
    assert 1 <= len(card_updates(fake_slack)) <= 2
    assert no_more_updates_than(fake_slack, len(card_updates(fake_slack)), within=1.5 * COALESCE_WINDOW)
    assert shown(fake_slack, card_of(services.store, meeting.id)) == callers_line(10)


def test_rate_limited_update_arrives_once_after_retry_after(start_meeting, services, fake_slack):
    meeting = start_meeting("Standup")
    fake_slack.http_status("chat.update", 429, retry_after=1)

    caller_joins(services, meeting, 1)

    fake_slack.wait_for("chat.update", 1)
    refused_at = time.monotonic()
    fake_slack.wait_for("chat.update", 2, timeout=5)
    waited = time.monotonic() - refused_at
    assert waited >= 0.9  # Retry-After: 1
    assert [status_line(update) for update in card_updates(fake_slack)] == [callers_line(1)] * 2
    assert shown(fake_slack, card_of(services.store, meeting.id)) == callers_line(1)
    assert no_more_updates_than(fake_slack, 2, within=1.5 * COALESCE_WINDOW)


def test_a_change_during_the_retry_after_wait_is_not_overwritten_by_the_older_retry(
        start_meeting, services, fake_slack):
    meeting = start_meeting("Standup")
    fake_slack.http_status("chat.update", 429, retry_after=1)
    caller_joins(services, meeting, 1)
    fake_slack.wait_for("chat.update", 1)

    caller_joins(services, meeting, 2)  # while the first update waits out Retry-After

    wait_until(lambda: len(card_updates(fake_slack)) >= 2, timeout=5)
    assert no_more_updates_than(fake_slack, 2, within=1.5 * COALESCE_WINDOW)  # the retry reads the newest
    assert status_line(card_updates(fake_slack)[-1]) == callers_line(2)
    assert shown(fake_slack, card_of(services.store, meeting.id)) == callers_line(2)


def test_a_lost_update_is_repaired_by_the_next_change(start_meeting, services, fake_slack):
    meeting = start_meeting("Standup")
    fake_slack.http_status("chat.update", 500)
    caller_joins(services, meeting, 1)
    fake_slack.wait_for("chat.update", 1)
    assert shown(fake_slack, card_of(services.store, meeting.id)) == callers_line(0)  # Slack kept the old card

    caller_joins(services, meeting, 2)

    fake_slack.wait_for("chat.update", 2, timeout=5)
    wait_until(lambda: shown(fake_slack, card_of(services.store, meeting.id)) == callers_line(2))


def test_cards_waiting_on_their_workspaces_budget_each_go_out_once_in_booked_turns(
        start_meeting, services, fake_slack, app):
    cards = app.extensions["meetbridge.cards"]
    cards.budget = WorkspaceBudget(services.store.slack_budgets, rate=10.0, burst=2)  # Slack's: 40/min
    meetings = [start_meeting(f"Room {n}") for n in range(6)]

    started = time.monotonic()
    for number, meeting in enumerate(meetings):
        caller_joins(services, meeting, number)

    updates = fake_slack.wait_for("chat.update", len(meetings), timeout=5)
    all_sent_after = time.monotonic() - started  # observed late if anything, never early
    assert sorted(update["ts"] for update in updates) == sorted(card_of(services.store, m.id).ts for m in meetings)
    assert no_more_updates_than(fake_slack, len(meetings), within=1.5 * COALESCE_WINDOW)
    assert all_sent_after >= (len(meetings) - 2) / 10 - 0.02  # a burst of 2, then one booked token per 0.1 s
