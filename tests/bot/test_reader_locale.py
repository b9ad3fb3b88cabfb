"""Whose language: the card (the whole channel reads it) follows DEFAULT_LOCALE, while a member's
own ephemerals, modals and App Home follow their Slack locale (users.info with include_locale);
when Slack will not say, the member reads DEFAULT_LOCALE and nothing waits or fails."""

from __future__ import annotations

import pytest

from tests.bot.slack_events import post_event
from tests.bot.slack_modals import opened_view
from tests.bot.test_app_home import home_opened, published
from tests.cards import card_of
from tests.waiting import wait_until


@pytest.fixture
def extra_env() -> dict[str, str]:
    return {"DEFAULT_LOCALE": "fr"}


@pytest.fixture
def german_ada(fake_slack):
    fake_slack.workspace.members["U0ADA"] = ("Ada Lovelace", "Ada", "Europe/Berlin", "de-DE")


def card_texts(card: dict) -> str:
    return str(card["blocks"]) + card["text"]


def test_a_german_member_reads_german_ephemerals_while_the_card_is_in_the_default_locale(
        german_ada, start_meeting, slack_user, fake_slack):
    meeting = start_meeting("Planung")
    card = fake_slack.requests("chat.postMessage")[-1]
    assert "Rejoindre" in card_texts(card) and "Connecter le pont téléphonique" in card_texts(card)
    assert "Beitreten" not in card_texts(card)
    [host_link] = [body for body in fake_slack.wait_for_response("meet", 1) if "host=" in body.get("text", "")]
    assert host_link["text"].startswith("Ihr Meeting ist bereit.")

    slack_user.click("hang_up", meeting.id)  # nothing to hang up: an ephemeral says so
    [told] = fake_slack.wait_for_response("click", 1)
    assert told["text"] == "Die Telefonbrücke ist nicht verbunden, es gibt also nichts zu trennen."
    asked = fake_slack.requests("users.info")[0]
    assert (asked["user"], asked["include_locale"]) == ("U0ADA", "1")


def test_a_member_slack_will_not_describe_reads_the_default_locale(start_meeting, slack_user, fake_slack):
    fake_slack.fail("users.info", "user_not_found", times=None)
    meeting = start_meeting("Planung")
    slack_user.click("hang_up", meeting.id)
    [told] = fake_slack.wait_for_response("click", 1)
    assert told["text"] == "Le pont téléphonique n’est pas connecté : il n’y a rien à raccrocher."


def test_the_roster_modal_opens_in_the_members_language(german_ada, start_meeting, slack_user, fake_slack,
                                                        services):
    meeting = start_meeting("Planung")
    wait_until(lambda: card_of(services.store, meeting.id).ts is not None)
    slack_user.click("phone_roster", meeting.id)
    view = opened_view(fake_slack)
    assert view["title"]["text"] == "Anrufer"
    assert "niemand am Telefon" in str(view["blocks"])


def test_app_home_is_in_the_members_language(german_ada, client, fake_slack, start_meeting):
    start_meeting("Planung")
    post_event(client, home_opened("U0ADA"))
    view = published(fake_slack)["view"]
    said = str(view["blocks"])
    assert "Ihre laufenden Meetings" in said and "Meeting beenden" in said
    assert "Dieses Meeting beenden?" in said
