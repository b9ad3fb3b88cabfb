"""Slack Calls card: `/meet` registers the call and the card carries a `call`
block; phone callers come and go as participants with masked numbers; `calls.end` with the
duration; without the `calls:write` scope the meeting keeps the plain card and still works."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.cards import card_of
from tests.vonage_calls import CALLER_NUMBER, answer, dtmf, event, new_uuid, status_lines
from tests.waiting import wait_until

CARD_LAYOUT = ["header", "section", "call", "section", "context", "actions"]


def block_types(message: dict) -> list[str]:
    return [block["type"] for block in message["blocks"]]


def admit_caller(client, fake_vonage, meeting) -> str:
    """A phone caller from +44 7700 900123 dials in and keys the right PIN; returns the leg uuid."""
    leg = fake_vonage.add_call(new_uuid(), from_=CALLER_NUMBER)
    answer(leg).send(client)
    joined = dtmf(leg, meeting.pin).send(client).get_json()
    assert (joined[-1]["action"], joined[-1]["name"]) == ("conversation", meeting.conversation_name)
    return leg


def test_meet_registers_the_call_with_meeting_id_join_url_pin_title_and_creator(
        start_meeting, fake_slack, settings):
    meeting = start_meeting("Design review")
    assert fake_slack.requests("calls.add") == [{
        "external_unique_id": meeting.id, "join_url": f"{settings.server_url}/rooms/{meeting.id}",
        "external_display_id": meeting.pin, "title": "Design review", "created_by": "U0ADA",
        "date_start": str(int(meeting.created_at)),
    }]


def test_card_carries_the_registered_call_between_the_join_and_dial_in_sections(
        start_meeting, fake_slack, services):
    meeting = start_meeting("Design review")
    call_id = card_of(services.store, meeting.id).calls_id
    assert fake_slack.call(call_id)["external_unique_id"] == meeting.id  # the id calls.add answered
    posted = fake_slack.requests("chat.postMessage")[0]
    assert block_types(posted) == CARD_LAYOUT
    assert posted["blocks"][2] == {"type": "call", "call_id": call_id}


def test_phone_caller_is_added_as_a_participant_with_only_the_last_four_digits(
        client, start_meeting, fake_slack, fake_vonage, services):
    meeting = start_meeting("Standup")
    call_id = card_of(services.store, meeting.id).calls_id
    leg = admit_caller(client, fake_vonage, meeting)
    assert fake_slack.wait_for("calls.participants.add") == [
        {"id": call_id, "users": [{"external_id": leg, "display_name": "Phone •••0123"}]}]
    assert fake_slack.call(call_id)["users"] == [{"external_id": leg, "display_name": "Phone •••0123"}]


def test_phone_caller_who_hangs_up_is_removed_from_the_participants(
        client, start_meeting, fake_slack, fake_vonage, services):
    meeting = start_meeting("Standup")
    call_id = card_of(services.store, meeting.id).calls_id
    leg = admit_caller(client, fake_vonage, meeting)
    fake_slack.wait_for("calls.participants.add")
    assert event(leg, "completed").send(client).status_code in (200, 204)
    assert fake_slack.wait_for("calls.participants.remove") == [
        {"id": call_id, "users": [{"external_id": leg, "display_name": "Phone •••0123"}]}]  # as it was added
    wait_until(lambda: fake_slack.call(call_id)["users"] == [])


def test_ending_the_meeting_ends_the_call_with_its_duration(
        start_meeting, slack_user, fake_slack, services, clock):
    meeting = start_meeting("Retro")
    call_id = card_of(services.store, meeting.id).calls_id
    clock.advance(754)
    slack_user.click("end_meeting", meeting.id)
    assert fake_slack.wait_for("calls.end") == [{"id": call_id, "duration": "754"}]
    assert (fake_slack.call(call_id)["has_ended"], fake_slack.call(call_id)["duration"]) == (True, 754)


def test_ended_card_keeps_the_call_block(start_meeting, slack_user, fake_slack, services):
    meeting = start_meeting("Retro")
    call_id = card_of(services.store, meeting.id).calls_id
    slack_user.click("end_meeting", meeting.id)
    wait_until(lambda: any("Meeting ended" in str(u["blocks"]) for u in fake_slack.requests("chat.update")))
    ended = [u for u in fake_slack.requests("chat.update") if "Meeting ended" in str(u["blocks"])][-1]
    assert ended["blocks"][-1] == {"type": "call", "call_id": call_id}


def test_without_the_calls_scope_the_meeting_gets_the_plain_card_and_works(
        client, start_meeting, slack_user, fake_slack, fake_vonage, services):
    fake_slack.fail("calls.add", "missing_scope")
    meeting = start_meeting("No calls scope")
    assert card_of(services.store, meeting.id).calls_id is None
    posted = fake_slack.requests("chat.postMessage")[0]
    assert block_types(posted) == ["header", "section", "section", "context", "actions"]
    assert posted["blocks"][1]["accessory"]["url"].endswith(f"/rooms/{meeting.id}")
    leg = admit_caller(client, fake_vonage, meeting)
    wait_until(lambda: any("1 phone caller" in line for line in status_lines(fake_slack)))
    event(leg, "completed").send(client)
    wait_until(lambda: any("0 phone callers" in line for line in status_lines(fake_slack)))
    slack_user.click("end_meeting", meeting.id)
    wait_until(lambda: any("Meeting ended" in str(u["blocks"]) for u in fake_slack.requests("chat.update")))
    for method in ("calls.participants.add", "calls.participants.remove", "calls.end"):
        assert fake_slack.requests(method) == [], method


@pytest.mark.parametrize("users", [
    [{"external_id": "leg-1"}],  # what meetbridge once sent to remove a caller (a bare external_id)
    [{"display_name": "Phone •••0123"}],
    ["leg-1"],
])
def test_the_fake_slack_refuses_calls_users_that_are_not_full_user_objects(fake_slack, users):
    """Slack's Calls user is {"slack_id"} or {"external_id", "display_name"}, for add and for
    remove alike (docs.slack.dev calls.participants.add; @slack/types calls.d.ts)."""
    client = WebClient(token="xoxb-1-test-token", base_url=fake_slack.api_url)
    call_id = client.calls_add(external_unique_id="m1", join_url="https://example.test/rooms/m1",
                               created_by="U0ADA")["call"]["id"]
    client.calls_participants_add(id=call_id, users=[{"external_id": "leg-1", "display_name": "Phone •••0123"}])
    for method in (client.calls_participants_remove, client.calls_participants_add):
        with pytest.raises(SlackApiError) as refused:
            method(id=call_id, users=users)
        assert refused.value.response["error"] == "invalid_users"
    assert fake_slack.call(call_id)["users"] == [{"external_id": "leg-1", "display_name": "Phone •••0123"}]
    client.calls_participants_remove(id=call_id, users=[{"external_id": "leg-1", "display_name": "Phone •••0123"}])
    assert fake_slack.call(call_id)["users"] == []
