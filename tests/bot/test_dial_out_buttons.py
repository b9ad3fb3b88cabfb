"""The card's "Call my phone" and "Add by phone": modals opened with the right fields, a bad
number answered as a field error before anything is dialled, a good one dialled through the
real DialOut against the fake Vonage, a remembered number rung at once next time, and every
refusal explained to the member who asked."""

from __future__ import annotations

import json

import pytest

from bot import messages
from tests.bot.slack_modals import input_blocks, opened_view, submit, ticked, typed
from tests.conftest import SlackUser
from tests.waiting import wait_until

GOOD = "(201) 555-0123"
GOOD_E164 = "+12015550123"
OTHER = "+1 201 555 0177"


def eventually(read):
    """`read()` once it gives something (Slack work runs after the ack)."""
    found: list = []
    wait_until(lambda: found.append(read()) or found[-1])
    return found[-1]


def placed_calls(fake_vonage) -> list[dict]:
    """The bodies of POST /v1/calls the fake Vonage received."""
    return fake_vonage.requests("create_call")


def ephemerals(fake_slack, user_id: str = "U0ADA") -> list[str]:
    return [request["text"] for request in fake_slack.requests("chat.postEphemeral") if request["user"] == user_id]


def replies(fake_slack, key: str = "click") -> list[str]:
    return [body.get("text", "") for body in fake_slack.responses(key)]


def metadata(view: dict) -> dict:
    return json.loads(view["private_metadata"])


def test_call_me_without_a_saved_number_opens_the_call_me_modal(start_meeting, slack_user, fake_slack, fake_vonage):
    meeting = start_meeting("Planning")
    assert slack_user.click("call_me", meeting.id).status_code == 200
    view = opened_view(fake_slack)
    assert (view["callback_id"], view["title"]["text"]) == ("call_me_modal", "Call my phone")
    assert input_blocks(view) == {"phone": "plain_text_input", "remember": "checkboxes"}
    assert metadata(view) == {"meeting_id": meeting.id, "channel_id": "C0GENERAL"}
    assert "*Planning*" in json.dumps(view)
    assert placed_calls(fake_vonage) == []


def test_add_phone_opens_the_add_phone_modal(start_meeting, slack_user, fake_slack):
    meeting = start_meeting()
    slack_user.click("add_phone", meeting.id)
    view = opened_view(fake_slack)
    assert (view["callback_id"], view["title"]["text"]) == ("add_phone_modal", "Add by phone")
    assert input_blocks(view) == {"phone": "plain_text_input", "name": "plain_text_input"}
    assert metadata(view)["meeting_id"] == meeting.id


@pytest.mark.parametrize(("number", "code"), [
    ("12345", "invalid_number"),
    ("not a number", "invalid_number"),
    ("+44 20 7183 8750", "country_not_allowed"),
    ("+1 900 555 0123", "number_type_not_allowed"),
])
def test_a_bad_number_is_an_error_under_the_phone_field_and_nothing_is_dialled(
        start_meeting, slack_user, fake_slack, fake_vonage, client, number, code):
    meeting = start_meeting()
    slack_user.click("call_me", meeting.id)
    answer = submit(client, opened_view(fake_slack), {"phone": {"phone": typed(number)}})
    assert answer.status_code == 200
    assert answer.get_json() == {"response_action": "errors", "errors": {"phone": messages.NUMBER_FIELD_ERRORS[code]}}
    assert placed_calls(fake_vonage) == []
    assert ephemerals(fake_slack) == []


def test_a_good_number_closes_the_modal_and_the_meeting_calls_it(start_meeting, slack_user, fake_slack,
                                                                 fake_vonage, client, services):
    meeting = start_meeting()
    slack_user.click("call_me", meeting.id)
    answer = submit(client, opened_view(fake_slack), {"phone": {"phone": typed(GOOD)}})
    assert (answer.status_code, answer.get_data(as_text=True)) == (200, "")  # the modal closes
    [call] = eventually(lambda: placed_calls(fake_vonage))
    assert call["to"] == [{"type": "phone", "number": GOOD_E164.removeprefix("+")}]
    wait_until(lambda: "Calling •••0123…" in ephemerals(fake_slack))
    assert services.store.saved_numbers.get("T0001", "U0ADA") is None  # not ticked: not kept


def test_a_remembered_number_is_saved_and_rung_at_once_next_time(start_meeting, slack_user, fake_slack,
                                                                 fake_vonage, client, services):
    meeting = start_meeting()
    slack_user.click("call_me", meeting.id)
    submit(client, opened_view(fake_slack), {"phone": {"phone": typed(GOOD)},
                                             "remember": {"remember": ticked("remember", "Remember this number")}})
    wait_until(lambda: len(placed_calls(fake_vonage)) == 1)
    assert services.store.saved_numbers.get("T0001", "U0ADA") == GOOD_E164
    slack_user.click("call_me", meeting.id, response_key="again")
    wait_until(lambda: len(placed_calls(fake_vonage)) == 2)
    assert eventually(lambda: replies(fake_slack, "again")) == ["Calling •••0123…"]
    assert len(fake_slack.requests("views.open")) == 1  # no modal the second time
    bob = SlackUser(client, fake_slack, user_id="U0BOB")
    bob.click("call_me", meeting.id)  # Bob saved nothing: Ada's number is hers only
    assert opened_view(fake_slack, 2)["callback_id"] == "call_me_modal"


def test_add_by_phone_calls_the_named_person_and_says_so(start_meeting, slack_user, fake_slack, fake_vonage,
                                                         client):
    meeting = start_meeting()
    slack_user.click("add_phone", meeting.id)
    view = opened_view(fake_slack)
    missing = submit(client, view, {"phone": {"phone": typed(OTHER)}, "name": {"name": typed("  ")}})
    assert missing.get_json()["errors"] == {"name": "Type the name of the person to call: they hear who invites them."}
    submit(client, view, {"phone": {"phone": typed(OTHER)}, "name": {"name": typed("Maria")}})
    wait_until(lambda: "Calling Maria (•••0177)…" in ephemerals(fake_slack))
    [call] = placed_calls(fake_vonage)
    assert call["to"][0]["number"] == "12015550177"


@pytest.mark.parametrize("extra_env", [{"DIAL_OUT": "starter"}])
def test_when_only_the_starter_may_dial_anyone_else_is_told_why_at_the_click(
        start_meeting, slack_user, fake_slack, fake_vonage, client):
    meeting = start_meeting()
    bob = SlackUser(client, fake_slack, user_id="U0BOB")
    bob.click("add_phone", meeting.id, response_key="bob")
    assert eventually(lambda: replies(fake_slack, "bob")) == [
        "Only <@U0ADA>, who started this meeting, can have it call phones here."]
    assert fake_slack.requests("views.open") == []
    slack_user.click("add_phone", meeting.id)  # the starter may
    submit(client, opened_view(fake_slack), {"phone": {"phone": typed(OTHER)}, "name": {"name": typed("Maria")}})
    wait_until(lambda: len(placed_calls(fake_vonage)) == 1)


@pytest.mark.parametrize("extra_env", [{"DIAL_OUT_PER_MEMBER_HOUR": "1"}])
def test_past_the_hourly_limit_the_member_is_told_when_to_try_again(start_meeting, slack_user, fake_slack,
                                                                    fake_vonage, client, services):
    meeting = start_meeting()
    services.store.saved_numbers.save("T0001", "U0ADA", GOOD_E164, 0.0)
    slack_user.click("call_me", meeting.id, response_key="first")
    assert eventually(lambda: replies(fake_slack, "first")) == ["Calling •••0123…"]
    slack_user.click("call_me", meeting.id, response_key="second")
    [refused] = eventually(lambda: replies(fake_slack, "second"))
    assert refused.startswith("You've had the meeting call phones as often as one person may in an hour "
                              "(a cap on phone costs). Try again in ")
    assert len(placed_calls(fake_vonage)) == 1


@pytest.mark.parametrize("extra_env", [{"DIAL_OUT": "off"}])
def test_with_dial_out_off_the_card_has_no_phone_buttons(start_meeting, fake_slack):
    start_meeting()
    assert "call_me" not in json.dumps(fake_slack.requests("chat.postMessage")[-1]["blocks"])


def test_the_card_of_a_live_meeting_has_both_phone_buttons(start_meeting, fake_slack):
    meeting = start_meeting()
    [actions] = [block for block in fake_slack.requests("chat.postMessage")[-1]["blocks"]
                 if block.get("block_id") == "meeting_actions"]
    assert [(e["action_id"], e["value"]) for e in actions["elements"]
            if e["action_id"] in ("call_me", "add_phone")] == [("call_me", meeting.id), ("add_phone", meeting.id)]


def test_a_button_of_an_ended_meeting_says_it_is_over_and_opens_nothing(start_meeting, slack_user, fake_slack,
                                                                        services):
    meeting = start_meeting()
    services.lifecycle.end(meeting.id, reason="ended", by_user="U0ADA")
    slack_user.click("add_phone", meeting.id)
    assert eventually(lambda: replies(fake_slack)) == [messages.MEETING_OVER]
    assert fake_slack.requests("views.open") == []


def test_a_missing_name_and_a_bad_number_are_both_shown_at_once(start_meeting, slack_user, fake_slack, client,
                                                                fake_vonage):
    meeting = start_meeting()
    slack_user.click("add_phone", meeting.id)
    answer = submit(client, opened_view(fake_slack), {"phone": {"phone": typed("12")}, "name": {"name": typed("")}})
    assert answer.get_json() == {"response_action": "errors", "errors": {
        "phone": messages.NUMBER_FIELD_ERRORS["invalid_number"],
        "name": "Type the name of the person to call: they hear who invites them."}}
    assert placed_calls(fake_vonage) == []


def test_when_vonage_fails_the_member_is_told_nothing_was_dialled(start_meeting, slack_user, fake_slack, client,
                                                                 fake_vonage):
    meeting = start_meeting()
    fake_vonage.http_status("create_call", 500)
    slack_user.click("call_me", meeting.id)
    answer = submit(client, opened_view(fake_slack), {"phone": {"phone": typed(GOOD)}})
    assert answer.get_data(as_text=True) == ""
    [told] = eventually(lambda: ephemerals(fake_slack))
    assert told.startswith("I couldn't place the call: the voice service ")
    assert told.endswith("Nothing was dialled; please try again in a minute.")


def test_a_modal_naming_another_workspaces_meeting_calls_nobody(start_meeting, slack_user, fake_slack, client,
                                                                fake_vonage):
    meeting = start_meeting()
    slack_user.click("call_me", meeting.id)
    submit(client, opened_view(fake_slack), {"phone": {"phone": typed(GOOD)}}, team_id="T0002")
    assert eventually(lambda: ephemerals(fake_slack)) == [messages.UNKNOWN_MEETING]
    assert placed_calls(fake_vonage) == []
