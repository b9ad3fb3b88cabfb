"""App Home tab: the user's own live meetings with Join links and an End button; only the
creator can end one from there, and another workspace never sees or ends ours."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from bot import messages
from meetbridge.phone_format import grouped_pin
from tests.bot.slack_events import post_event
from tests.conftest import SIGNING_SECRET, SlackUser
from tests.signing import slack_headers
from tests.waiting import wait_until


def home_opened(user_id: str) -> dict:
    return {"type": "app_home_opened", "user": user_id, "channel": "D0HOME", "tab": "home",
            "event_ts": "1700000000.000100"}


def press_end_on_home(client, meeting_id: str, user_id: str, team_id: str = "T0001"):
    """A button press in the Home tab: a `view` container, no channel, no response_url."""
    payload = {
        "type": "block_actions", "team": {"id": team_id, "domain": "acme"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
        "api_app_id": "A0001", "token": "legacy-verification-token",
        "container": {"type": "view", "view_id": "V00000001"},
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "view": {"id": "V00000001", "team_id": team_id, "type": "home", "blocks": [], "private_metadata": "",
                 "callback_id": "", "hash": "1700000000.00000001", "app_id": "A0001", "bot_id": "B0001"},
        "actions": [{"action_id": "end_meeting_home", "block_id": "home_end", "value": meeting_id,
                     "type": "button", "action_ts": "1700000001.000200",
                     "text": {"type": "plain_text", "text": "End meeting"}}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    return client.post("/slack/events", data=body, headers=slack_headers(SIGNING_SECRET, body))


def join_links(view: dict) -> list[str]:
    return [block["accessory"]["url"] for block in view["blocks"]
            if block["type"] == "section" and block.get("accessory", {}).get("action_id") == "join_meeting"]


def end_buttons(view: dict) -> list[str]:
    return [element["value"] for block in view["blocks"] if block["type"] == "actions"
            for element in block["elements"] if element["action_id"] == "end_meeting_home"]


def notes(view: dict) -> list[str]:
    return [element["text"] for block in view["blocks"] if block["type"] == "context"
            for element in block["elements"]]


def published(fake_slack, count: int = 1) -> dict:
    """The `count`-th views.publish request."""
    return fake_slack.wait_for("views.publish", count)[count - 1]


def test_opening_home_publishes_the_users_own_live_meetings_newest_first_with_join_links(
        client, start_meeting, fake_slack, settings, clock):
    standup = start_meeting("Standup")
    clock.advance(60)
    planning = start_meeting("Planning")
    start_meeting("Bob's", user=SlackUser(client, fake_slack, user_id="U0BOB"))
    assert post_event(client, home_opened("U0ADA")).status_code == 200
    request = published(fake_slack)
    assert (request["user_id"], request["view"]["type"]) == ("U0ADA", "home")
    assert join_links(request["view"]) == [f"{settings.server_url}/rooms/{m.id}" for m in (planning, standup)]
    assert end_buttons(request["view"]) == [planning.id, standup.id]
    assert [grouped_pin(m.pin) in json.dumps(request["view"]) for m in (standup, planning)] == [True, True]
    assert notes(request["view"]) == []


def test_home_without_live_meetings_says_how_to_start_one_and_shows_help(client, start_meeting, fake_slack,
                                                                         slack_user, services):
    meeting = start_meeting("Over")
    slack_user.click("end_meeting", meeting.id)
    wait_until(lambda: services.store.meetings.get(meeting.id).ended_at)  # the click is acked before it ends
    post_event(client, home_opened("U0ADA"))
    view = published(fake_slack)["view"]
    assert join_links(view) == []
    assert "Type `/meet` in a channel to start one." in json.dumps(view)
    assert json.dumps(messages.HELP)[1:-1] in json.dumps(view)


def test_creator_ends_a_meeting_from_home_and_the_tab_is_republished_without_it(
        client, start_meeting, fake_slack, services, clock):
    standup = start_meeting("Standup")
    clock.advance(60)
    planning = start_meeting("Planning")
    assert press_end_on_home(client, standup.id, "U0ADA").status_code == 200
    view = published(fake_slack)["view"]
    assert services.store.meetings.get(standup.id).ended_reason == "ended"
    assert end_buttons(view) == [planning.id]
    assert notes(view) == []
    wait_until(lambda: any("Meeting ended" in str(u["blocks"]) for u in fake_slack.requests("chat.update")))


def test_another_user_cannot_end_it_from_home_and_is_told_who_can(client, start_meeting, fake_slack, services):
    meeting = start_meeting("Ada's")
    press_end_on_home(client, meeting.id, "U0BOB")
    request = published(fake_slack)
    assert request["user_id"] == "U0BOB"
    assert notes(request["view"]) == ["Only <@U0ADA>, who started this meeting, can end it."]
    assert services.store.meetings.get(meeting.id).is_live


def test_another_workspace_cannot_end_it_from_home(client, start_meeting, fake_slack, services):
    meeting = start_meeting("Ours")
    press_end_on_home(client, meeting.id, "U0ADA", team_id="T0002")  # same user id, other workspace
    request = published(fake_slack)
    assert notes(request["view"]) == [messages.UNKNOWN_MEETING]
    assert end_buttons(request["view"]) == []
    assert services.store.meetings.get(meeting.id).is_live


def test_home_of_the_same_user_id_in_another_workspace_lists_none_of_ours(client, start_meeting, fake_slack):
    start_meeting("Ours")
    post_event(client, home_opened("U0ADA"), team_id="T0002")
    assert join_links(published(fake_slack)["view"]) == []
