"""End meeting: only its starter ends it, and ending leaves no leg running.

Hang-ups are counted where they land: force-disconnects at the fake OpenTok, call hang-ups at
the fake Vonage. Auto-bridge is off here so the only bridge is the one each test connects.
"""

from __future__ import annotations

import pytest

from meetbridge.settings import load_settings
from tests.bridge_setup import (
    admit_caller,
    block_types,
    connect_bridge,
    disconnected,
    ended_section,
    enter_pin,
    hung_up_legs,
    is_re_prompt,
    new_uuid,
    wait_for_card,
)
from tests.conftest import SlackUser
from tests.waiting import wait_until

ADA, BOB = "447700900101", "447700900102"
NEW_CALLER = "447700900199"


@pytest.fixture
def settings(base_env):
    return load_settings(dict(base_env, AUTO_BRIDGE="false"))


def is_ended(card: dict) -> bool:
    return "actions" not in block_types(card) and "meeting ended" in card["text"]


def test_starter_ending_hangs_up_the_bridge_and_every_caller(start_meeting, slack_user, client, services,
                                                             fake_opentok, fake_vonage):
    meeting = start_meeting("Standup")
    bridge = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    callers = [admit_caller(client, fake_vonage, meeting.pin, number) for number in (ADA, BOB)]

    assert slack_user.click("end_meeting", meeting.id).status_code == 200

    fake_vonage.wait_for("hangup", 3)
    assert disconnected(fake_opentok) == [(bridge.session_id, bridge.connection_id)]
    assert sorted(hung_up_legs(fake_vonage)) == sorted([bridge.leg_uuid, *callers])
    assert [fake_vonage.call(uuid)["status"] for uuid in (bridge.leg_uuid, *callers)] == ["completed"] * 3
    assert fake_opentok.live_connections() == set()


def test_ending_releases_the_pin_so_dtmf_re_prompts_instead_of_joining(start_meeting, slack_user, client,
                                                                      services):
    meeting = start_meeting("Standup")
    slack_user.click("end_meeting", meeting.id)
    wait_until(lambda: not services.store.meetings.get(meeting.id).is_live)

    assert services.store.pins.live_meeting_id(meeting.pin) is None
    assert is_re_prompt(enter_pin(client, new_uuid(), meeting.pin, NEW_CALLER))


def test_ended_card_has_no_buttons_and_says_how_long_it_lasted(start_meeting, slack_user, clock, fake_slack):
    meeting = start_meeting("Standup")
    clock.advance(42 * 60)

    slack_user.click("end_meeting", meeting.id)

    card = wait_for_card(fake_slack, is_ended)
    assert card["text"] == "Standup: meeting ended · lasted 42 min"
    assert ended_section("U0ADA", 42) in card["blocks"]
    assert "actions" not in block_types(card)


def test_ended_meeting_join_page_and_token_route_answer_410(start_meeting, slack_user, client, services):
    meeting = start_meeting("Standup")
    assert client.get(f"/rooms/{meeting.id}").status_code == 200

    slack_user.click("end_meeting", meeting.id)
    wait_until(lambda: not services.store.meetings.get(meeting.id).is_live)

    page = client.get(f"/rooms/{meeting.id}")
    token = client.post(f"/rooms/{meeting.id}/token", json={"name": "Ada"})
    assert (page.status_code, "This meeting has ended" in page.get_data(as_text=True)) == (410, True)
    assert (token.status_code, token.get_json()) == (410, {"error": "This meeting has ended."})


def test_ending_twice_says_already_ended_and_hangs_up_nothing_more(start_meeting, slack_user, client, services,
                                                                   fake_opentok, fake_vonage, fake_slack):
    meeting = start_meeting("Standup")
    connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    admit_caller(client, fake_vonage, meeting.pin, ADA)
    slack_user.click("end_meeting", meeting.id, response_key="first")
    fake_vonage.wait_for("hangup", 2)

    slack_user.click("end_meeting", meeting.id, response_key="second")

    reply = fake_slack.wait_for_response("second")[-1]
    assert (reply["response_type"], reply["text"]) == ("ephemeral", "This meeting has already ended.")
    assert (len(hung_up_legs(fake_vonage)), len(disconnected(fake_opentok))) == (2, 1)
    assert fake_slack.responses("first") == []  # the first click needed no explanation


def test_someone_else_cannot_end_the_meeting_and_nothing_changes(start_meeting, client, services, slack_user,
                                                                 fake_opentok, fake_vonage, fake_slack):
    meeting = start_meeting("Standup")
    connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    admit_caller(client, fake_vonage, meeting.pin, ADA)
    updates_before = len(fake_slack.requests("chat.update"))
    bob = SlackUser(client, fake_slack, user_id="U0BOB")

    bob.click("end_meeting", meeting.id, response_key="bob")

    reply = fake_slack.wait_for_response("bob")[-1]
    assert (reply["response_type"], reply["text"]) == (
        "ephemeral", "Only <@U0ADA>, who started this meeting, can end it.")
    unchanged = services.store.meetings.get(meeting.id)  # its card state is kept apart
    assert unchanged == meeting  # live, PIN and all (response_url and the card digest are bookkeeping)
    assert (hung_up_legs(fake_vonage), disconnected(fake_opentok)) == ([], [])
    assert services.store.bridges.active(meeting.id).state == "connected"
    assert client.get(f"/rooms/{meeting.id}").status_code == 200
    assert [a["action"] for a in enter_pin(client, new_uuid(), meeting.pin, NEW_CALLER)] == ["talk", "input",
                                                                                          "conversation"]
    assert all("actions" in block_types(card) for card in fake_slack.requests("chat.update")[updates_before:])


def test_a_failed_caller_hang_up_does_not_stop_the_others_and_the_sweep_retries_it(
        start_meeting, slack_user, client, services, fake_vonage):
    meeting = start_meeting("Standup")
    first, second = (admit_caller(client, fake_vonage, meeting.pin, number) for number in (ADA, BOB))
    fake_vonage.http_status("hangup", 500)

    slack_user.click("end_meeting", meeting.id)
    fake_vonage.wait_for("hangup", 2)
    wait_until(lambda: services.store.legs.cleanup_pending())

    failed, hung_up = hung_up_legs(fake_vonage)
    assert {failed, hung_up} == {first, second}
    assert [fake_vonage.call(failed)["status"], fake_vonage.call(hung_up)["status"]] == ["answered", "completed"]
    assert [leg.uuid for leg in services.store.legs.cleanup_pending()] == [failed]

    services.lifecycle.sweep()

    assert hung_up_legs(fake_vonage) == [failed, hung_up, failed]
    assert fake_vonage.call(failed)["status"] == "completed"
    assert services.store.legs.cleanup_pending() == []
    services.lifecycle.sweep()
    assert len(hung_up_legs(fake_vonage)) == 3  # nothing left to retry


def test_a_failed_bridge_hang_up_does_not_stop_the_callers_and_the_sweep_retries_it(
        start_meeting, slack_user, client, services, fake_opentok, fake_vonage):
    meeting = start_meeting("Standup")
    bridge = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    caller = admit_caller(client, fake_vonage, meeting.pin, ADA)
    fake_vonage.http_status("hangup", 500)  # the bridge leg is hung up first

    slack_user.click("end_meeting", meeting.id)
    fake_vonage.wait_for("hangup", 2)
    wait_until(lambda: services.store.bridges.cleanup_pending())

    assert hung_up_legs(fake_vonage) == [bridge.leg_uuid, caller]
    assert [fake_vonage.call(bridge.leg_uuid)["status"], fake_vonage.call(caller)["status"]] == [
        "answered", "completed"]

    services.lifecycle.sweep()

    assert hung_up_legs(fake_vonage)[2:] == [bridge.leg_uuid]
    assert fake_vonage.call(bridge.leg_uuid)["status"] == "completed"
    assert services.store.bridges.cleanup_pending() == []
