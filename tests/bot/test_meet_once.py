"""`/meet` starts one meeting per delivery Slack made: a signed command
replayed inside Slack's 5-minute window — to the same worker or another — is acknowledged and
starts nothing."""

from __future__ import annotations

import time

from app import create_app
from meetbridge.storage.slack_triggers import REMEMBER_SECONDS
from tests.conftest import SIGNING_SECRET
from tests.signing import slack_headers, slash_command_body

REPLAYS = 3


def meetings(services) -> list[dict]:
    return services.store.database.query("SELECT id, team_id FROM meetings")


def post(client, body: str):
    return client.post("/slack/events", data=body, headers=slack_headers(SIGNING_SECRET, body))


def test_a_replayed_meet_is_acked_and_starts_nothing(client, fake_slack, fake_opentok, services):
    body = slash_command_body("Plans", response_url=fake_slack.response_url("meet"))
    assert post(client, body).status_code == 200
    fake_slack.wait_for("chat.postMessage")

    replies = [post(client, body) for _ in range(REPLAYS)]  # the same signed request, 3 more times

    assert [(reply.status_code, reply.get_data(as_text=True)) for reply in replies] == [(200, "")] * REPLAYS
    time.sleep(0.5)  # any meeting a replay started would have asked OpenTok for a session by now
    assert len(fake_opentok.requests("create_session")) == 1
    assert len(meetings(services)) == 1
    assert len(fake_slack.requests("chat.postMessage")) == 1


def test_a_replay_to_another_worker_starts_nothing_either(client, fake_slack, fake_opentok, settings, clock):
    """Two app instances on one database file, as gunicorn's workers are."""
    other_worker = create_app(settings, clock=clock, run_sweeper=False)
    try:
        body = slash_command_body("Plans", response_url=fake_slack.response_url("meet"))
        assert post(client, body).status_code == 200
        fake_slack.wait_for("chat.postMessage")
        assert post(other_worker.test_client(), body).get_data(as_text=True) == ""
        time.sleep(0.5)
        assert len(fake_opentok.requests("create_session")) == 1
    finally:
        other_worker.extensions["meetbridge.shutdown"]()


def test_each_new_command_starts_its_own_meeting(slack_user, fake_slack, services):
    for topic in ("One", "Two", "Three"):
        slack_user.meet(topic)
    fake_slack.wait_for("chat.postMessage", 3)
    assert len(meetings(services)) == 3


def test_trigger_ids_are_remembered_for_fifteen_minutes_then_pruned(services):
    triggers, now = services.store.slack_triggers, 1_900_000_000.0
    assert triggers.first_sight("1.2.abc", now)
    assert not triggers.first_sight("1.2.abc", now + 10 * 60)
    assert triggers.prune(now + REMEMBER_SECONDS - 1) == 0
    assert not triggers.first_sight("1.2.abc", now + REMEMBER_SECONDS - 1)
    assert triggers.prune(now + REMEMBER_SECONDS + 1) == 1
    assert REMEMBER_SECONDS >= 10 * 60
