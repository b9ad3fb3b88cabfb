"""At most MAX_LIVE_MEETINGS_PER_TEAM live meetings per workspace: over
it `/meet` tells the user so and creates nothing — no video session, no PIN, no card."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from app import create_app
from bot import messages
from meetbridge.settings import load_settings
from tests.conftest import SlackUser
from tests.waiting import wait_until


def meetings(services) -> list[dict]:
    return services.store.database.query("SELECT id, team_id FROM meetings")


@pytest.fixture
def settings(base_env):
    return load_settings(dict(base_env, MAX_LIVE_MEETINGS_PER_TEAM="2"))


def test_meet_over_the_workspace_cap_tells_the_user_and_creates_nothing(
        slack_user, start_meeting, fake_slack, fake_opentok, services):
    start_meeting("One")
    start_meeting("Two")
    sessions_before = len(fake_opentok.requests("create_session"))

    assert slack_user.meet("Three", response_key="third").status_code == 200

    told = fake_slack.wait_for_response("third")
    assert told == [{"response_type": "ephemeral", "text": messages.too_many_live_meetings(2)}]
    assert "2 live meetings" in told[0]["text"]
    assert len(meetings(services)) == 2
    assert len(fake_opentok.requests("create_session")) == sessions_before
    assert len(fake_slack.requests("chat.postMessage")) == 2


def test_the_cap_is_per_workspace_and_frees_up_when_a_meeting_ends(
        client, slack_user, start_meeting, fake_slack, services):
    first = start_meeting("One")
    start_meeting("Two")
    other_team = SlackUser(client, fake_slack, user_id="U0EVE", team_id="T0002")
    start_meeting("Theirs", user=other_team)  # another workspace is not counted

    services.lifecycle.end(first.id, reason="ended")
    start_meeting("Three")

    wait_until(lambda: len(meetings(services)) == 4)
    assert sorted(row["team_id"] for row in meetings(services)) == ["T0001", "T0001", "T0001", "T0002"]


def test_two_workers_racing_for_the_last_place_start_one_meeting(
        client, start_meeting, fake_slack, services, settings, clock):
    """The count is checked again under the database's write lock, so the last place is taken once."""
    start_meeting("One")
    other_worker = create_app(settings, clock=clock, run_sweeper=False)
    try:
        users = [SlackUser(client, fake_slack, user_id="U0ADA"),
                 SlackUser(other_worker.test_client(), fake_slack, user_id="U0BOB")]
        start_line = threading.Barrier(2)

        def meet(user: SlackUser) -> int:
            start_line.wait(timeout=5)
            return user.meet("Last place", response_key=user.user_id).status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            assert list(pool.map(meet, users)) == [200, 200]
        told = [fake_slack.wait_for_response(user.user_id)[0]["text"] for user in users]
        assert sorted(text == messages.too_many_live_meetings(2) for text in told) == [False, True]
        wait_until(lambda: len(fake_slack.requests("chat.postMessage")) == 2)
        assert len(meetings(services)) == 2
    finally:
        other_worker.extensions["meetbridge.shutdown"]()
