"""`/meet` through Bolt with signed requests, against the fake Slack and OpenTok APIs."""

from __future__ import annotations

from tests.signing import slack_headers, slash_command_body
from tests.waiting import wait_until
from tests.conftest import SIGNING_SECRET


def test_meet_posts_card_with_join_link_number_and_pin(slack_user, fake_slack, fake_opentok, services, settings):
    response = slack_user.meet("Weekly planning")
    assert response.status_code == 200
    assert "Starting *Weekly planning*" in response.get_json()["text"]
    posted = fake_slack.wait_for("chat.postMessage")[0]
    created = fake_opentok.requests("create_session")
    assert len(created) == 1
    meeting_id = posted["blocks"][1]["accessory"]["url"].rsplit("/", 1)[-1]
    meeting = services.store.meetings.get(meeting_id)
    assert meeting.topic == "Weekly planning"
    assert posted["channel"] == "C0GENERAL"
    assert f"{settings.server_url}/rooms/{meeting.id}" in str(posted["blocks"])
    assert "+1 555-010-0000" in str(posted["blocks"])
    assert meeting.pin in str(posted["blocks"])
    wait_until(lambda: services.store.meetings.get(meeting_id).card_ts is not None)


def test_meet_help_answers_usage_and_creates_nothing(slack_user, fake_opentok, services):
    response = slack_user.meet("help")
    assert response.status_code == 200
    assert "/meet <topic>" in response.get_json()["text"]
    assert fake_opentok.requests("create_session") == []


def test_unsigned_meet_is_refused_and_creates_nothing(client, fake_opentok):
    body = slash_command_body("x")
    headers = slack_headers("wrong-secret", body)
    assert client.post("/slack/events", data=body, headers=headers).status_code == 401
    assert fake_opentok.requests("create_session") == []
