"""App Home's "My phone number": add, change and remove the number "Call my phone" rings, kept
per workspace and user, shown masked in the tab and in full only in the member's own modal."""

from __future__ import annotations

import json

import pytest

from bot import messages
from tests.bot.slack_events import post_event
from tests.bot.slack_modals import click_in_home, input_blocks, opened_view, submit, typed
from tests.bot.test_app_home import home_opened, notes, published

NUMBER = "+1 (201) 555-0123"
E164 = "+12015550123"


def phone_section(view: dict) -> dict:
    """The section's text and its buttons (action id → label)."""
    blocks = view["blocks"]
    start = next(i for i, block in enumerate(blocks) if block["type"] == "header"
                 and block["text"]["text"] == "My phone number")
    text, actions = blocks[start + 1], blocks[start + 2]
    return {"text": text["text"]["text"],
            "buttons": {e["action_id"]: e["text"]["text"] for e in actions["elements"]}}


def test_home_offers_to_add_a_number_when_none_is_saved(client, fake_slack):
    post_event(client, home_opened("U0ADA"))
    section = phone_section(published(fake_slack)["view"])
    assert section == {"text": messages.SAVED_NUMBER_NONE, "buttons": {"my_phone_edit": "Add my number"}}


def test_adding_a_number_saves_it_and_the_tab_shows_it_masked(client, fake_slack, services):
    click_in_home(client, "my_phone_edit")
    view = opened_view(fake_slack)
    assert (view["callback_id"], input_blocks(view)) == ("my_phone_modal", {"phone": "plain_text_input"})
    answer = submit(client, view, {"phone": {"phone": typed(NUMBER)}})
    assert (answer.status_code, answer.get_data(as_text=True)) == (200, "")
    home = published(fake_slack)["view"]  # published once the number is saved
    assert services.store.saved_numbers.get("T0001", "U0ADA") == E164
    assert notes(home) == [messages.SAVED_NUMBER_SAVED]
    assert phone_section(home) == {"text": messages.saved_number("•••0123"),
                                   "buttons": {"my_phone_edit": "Change", "my_phone_remove": "Remove"}}
    assert "5550123" not in json.dumps(home) and "555-0123" not in json.dumps(home)


def test_a_bad_number_is_an_error_under_the_field_and_nothing_is_saved(client, fake_slack, services):
    click_in_home(client, "my_phone_edit")
    answer = submit(client, opened_view(fake_slack), {"phone": {"phone": typed("+1 900 555 0123")}})
    assert answer.get_json() == {"response_action": "errors",
                                 "errors": {"phone": messages.NUMBER_FIELD_ERRORS["number_type_not_allowed"]}}
    assert services.store.saved_numbers.get("T0001", "U0ADA") is None
    assert fake_slack.requests("views.publish") == []


def test_changing_shows_the_current_number_in_the_members_own_modal_and_replaces_it(client, fake_slack, services):
    services.store.saved_numbers.save("T0001", "U0ADA", E164, 0.0)
    click_in_home(client, "my_phone_edit", value="change")
    view = opened_view(fake_slack)
    assert view["blocks"][0]["element"]["initial_value"] == E164
    submit(client, view, {"phone": {"phone": typed("201 555 0177")}})
    assert phone_section(published(fake_slack)["view"])["text"] == messages.saved_number("•••0177")
    assert services.store.saved_numbers.get("T0001", "U0ADA") == "+12015550177"


def test_removing_forgets_the_number_and_the_tab_offers_to_add_one(client, fake_slack, services):
    services.store.saved_numbers.save("T0001", "U0ADA", E164, 0.0)
    services.store.saved_numbers.save("T0002", "U0ADA", E164, 0.0)  # the same user id elsewhere
    click_in_home(client, "my_phone_remove", value="remove")
    home = published(fake_slack)["view"]
    assert services.store.saved_numbers.get("T0001", "U0ADA") is None
    assert services.store.saved_numbers.get("T0002", "U0ADA") == E164
    assert notes(home) == [messages.SAVED_NUMBER_REMOVED]
    assert phone_section(home)["buttons"] == {"my_phone_edit": "Add my number"}


def test_each_member_sees_only_their_own_number(client, fake_slack, services):
    services.store.saved_numbers.save("T0001", "U0ADA", E164, 0.0)
    post_event(client, home_opened("U0BOB"))
    assert phone_section(published(fake_slack)["view"])["text"] == messages.SAVED_NUMBER_NONE


@pytest.mark.parametrize("extra_env", [{"DIAL_OUT": "off"}])
def test_with_dial_out_off_home_has_no_phone_section(client, fake_slack):
    post_event(client, home_opened("U0ADA"))
    assert "My phone number" not in json.dumps(published(fake_slack)["view"])
