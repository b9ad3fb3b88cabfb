"""The card's "Phone callers" button opens `phone_roster_modal` for the meeting's starter only;
each action in it is its Voice API request (PUT /v1/calls/{uuid} mute / unmute / hangup, as
voice.yml's UpdateCallRequestMute / Unmute / Hangup bodies) and the modal is redrawn."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.phone_roster_actions import starter_only
from tests.conftest import SIGNING_SECRET
from tests.signing import new_trigger_id, slack_headers
from tests.vonage_calls import dtmf
from tests.waiting import wait_until
from tests.webhooks.callers import joined, new_call


@pytest.fixture
def meeting(start_meeting):
    return start_meeting("Design review")


def caller_in(client, fake_vonage, meeting, number: str) -> str:
    leg = new_call(client, number)
    assert dtmf(leg, meeting.pin, from_=number).send(client).get_json() == joined(meeting)
    fake_vonage.add_call(leg, from_=number)
    return leg


def opened(fake_slack) -> dict[str, Any]:
    """The modal as the fake Slack holds it now (after any views.update)."""
    fake_slack.wait_for("views.open", 1)
    [view] = fake_slack.workspace.modals.values()
    return view


def in_modal(client, view: dict[str, Any], action: dict[str, Any], user_id: str = "U0ADA"):
    """A block action inside the modal: a `view` container, the view's id, hash and metadata."""
    payload = {
        "type": "block_actions", "team": {"id": "T0001", "domain": "acme"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": "T0001"},
        "api_app_id": "A0001", "token": "legacy-verification-token",
        "container": {"type": "view", "view_id": view["id"]}, "trigger_id": new_trigger_id(),
        "view": view, "actions": [{**action, "action_ts": "1700000001.000200"}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    return client.post("/slack/events", data=body, headers=slack_headers(SIGNING_SECRET, body))


def choose(client, view: dict[str, Any], value: str, user_id: str = "U0ADA"):
    return in_modal(client, view, {"action_id": "phone_roster_caller", "block_id": "c", "type": "overflow",
                                   "selected_option": {"text": {"type": "plain_text", "text": "x"},
                                                       "value": value}}, user_id)


def texts(view: dict[str, Any]) -> list[str]:
    return [block["text"]["text"] for block in view["blocks"]]


def updates(fake_slack, count: int) -> dict[str, Any]:
    return fake_slack.wait_for("views.update", count)[count - 1]


def test_the_starter_sees_each_caller_with_minutes_mute_and_hand(client, slack_user, fake_slack, fake_vonage,
                                                                 services, meeting, clock):
    maria = caller_in(client, fake_vonage, meeting, "447700900111")
    clock.advance(1)
    caller_in(client, fake_vonage, meeting, "447700900222")
    services.store.database.execute("UPDATE phone_legs SET caller_name = ?, hand_raised_at = ? WHERE uuid = ?",
                                    ["Maria", clock.now(), maria])
    clock.advance(180)
    slack_user.click("phone_roster", meeting.id)
    view = opened(fake_slack)
    assert (view["callback_id"], view["title"]["text"]) == ("phone_roster_modal", "Phone callers")
    assert texts(view) == ["*Design review*: 2 on the phone", "*Maria (phone) ✋* · 3 min · hand raised",
                           "*•••0222* · 3 min"]
    assert [option["value"] for option in view["blocks"][1]["accessory"]["options"]] == [
        f"mute:{maria}", f"remove:{maria}"]
    assert view["blocks"][0]["accessory"]["action_id"] == "phone_roster_mute_all"


def test_anyone_else_is_told_why_and_no_modal_opens(client, fake_slack, fake_vonage, meeting):
    from tests.conftest import SlackUser

    caller_in(client, fake_vonage, meeting, "447700900111")
    other = SlackUser(client, fake_slack, user_id="U0GRACE")
    other.click("phone_roster", meeting.id, response_key="grace")
    wait_until(lambda: fake_slack.responses("grace"))
    assert [body["text"] for body in fake_slack.responses("grace")] == [starter_only("U0ADA")]
    assert fake_slack.requests("views.open") == []


def test_mute_then_unmute_one_caller_sends_the_voice_api_requests_and_redraws(client, slack_user, fake_slack,
                                                                            fake_vonage, services, meeting):
    leg = caller_in(client, fake_vonage, meeting, "447700900111")
    slack_user.click("phone_roster", meeting.id)
    choose(client, opened(fake_slack), f"mute:{leg}")
    redrawn = updates(fake_slack, 1)
    assert fake_vonage.requests("update_call") == [{"uuid": leg, "action": "mute"}]
    assert services.store.legs.get(leg).muted == 1
    assert texts(redrawn["view"]) == ["*Design review*: 1 on the phone\nMuted.", "*•••0111 🔇* · 0 min · muted"]
    choose(client, opened(fake_slack), f"unmute:{leg}")
    updates(fake_slack, 2)
    assert fake_vonage.requests("update_call") == [{"uuid": leg, "action": "mute"},
                                                   {"uuid": leg, "action": "unmute"}]
    assert services.store.legs.get(leg).muted == 0


def test_remove_hangs_the_caller_up_and_they_leave_at_once(client, slack_user, fake_slack, fake_vonage,
                                                          services, meeting):
    leg = caller_in(client, fake_vonage, meeting, "447700900111")
    slack_user.click("phone_roster", meeting.id)
    choose(client, opened(fake_slack), f"remove:{leg}")
    redrawn = updates(fake_slack, 1)
    assert fake_vonage.requests("hangup") == [{"uuid": leg, "action": "hangup"}]
    assert services.store.legs.get(leg).left_at is not None
    assert texts(redrawn["view"]) == ["*Design review*: nobody is on the phone now.\nRemoved from the meeting."]


def test_mute_all_mutes_every_caller_not_yet_muted(client, slack_user, fake_slack, fake_vonage, services, meeting,
                                                    clock):
    first = caller_in(client, fake_vonage, meeting, "447700900111")
    clock.advance(1)
    second = caller_in(client, fake_vonage, meeting, "447700900222")
    services.store.phone_controls.set_muted(second, True)
    slack_user.click("phone_roster", meeting.id)
    in_modal(client, opened(fake_slack), {"action_id": "phone_roster_mute_all", "block_id": "b", "type": "button",
                                          "value": meeting.id})
    redrawn = updates(fake_slack, 1)
    assert fake_vonage.requests("update_call") == [{"uuid": first, "action": "mute"}]
    assert texts(redrawn["view"])[0] == "*Design review*: 2 on the phone\nMuted 1 phone caller."


def test_a_modal_action_from_anyone_but_the_starter_does_nothing(client, slack_user, fake_slack, fake_vonage,
                                                                 services, meeting):
    leg = caller_in(client, fake_vonage, meeting, "447700900111")
    slack_user.click("phone_roster", meeting.id)
    view = opened(fake_slack)
    assert choose(client, view, f"remove:{leg}", user_id="U0GRACE").status_code == 200
    assert choose(client, view, f"mute:{leg}", user_id="U0GRACE").status_code == 200
    slack_user.click("phone_roster", meeting.id, response_key="again")  # a later request, to wait behind
    fake_slack.wait_for("views.open", 2)
    assert fake_vonage.requests("update_call") == fake_vonage.requests("hangup") == []
    assert services.store.legs.get(leg).left_at is None


def test_an_ended_meeting_opens_no_modal_and_says_so(client, slack_user, fake_slack, fake_vonage, services,
                                                     meeting):
    caller_in(client, fake_vonage, meeting, "447700900111")
    services.store.meetings.update(meeting.id, ended_at=services.clock.now(), ended_reason="ended")
    slack_user.click("phone_roster", meeting.id, response_key="late")
    wait_until(lambda: fake_slack.responses("late"))
    assert [body["text"] for body in fake_slack.responses("late")] == ["This meeting has already ended."]
    assert fake_slack.requests("views.open") == []


def test_a_hand_raised_with_the_keypad_reaches_the_card(client, fake_slack, fake_vonage, meeting):
    from tests.webhooks.test_voice_keypad import keys

    leg = caller_in(client, fake_vonage, meeting, "447700900111")
    assert keys(leg, "*2").send(client).status_code == 200

    def roster_lines() -> list[str]:
        return [block["elements"][0]["text"] for update in fake_slack.requests("chat.update")
                for block in update.get("blocks") or [] if block.get("block_id") == "phone_roster"]
    wait_until(lambda: "On the phone: •••0111 ✋" in roster_lines())
