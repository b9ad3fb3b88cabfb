"""At most MAX_LIVE_MEETINGS_PER_TEAM live meetings per workspace (SPEC §2.1, issue 12): over
it `/meet` tells the user so and creates nothing — no video session, no PIN, no card."""

from __future__ import annotations

import pytest

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
