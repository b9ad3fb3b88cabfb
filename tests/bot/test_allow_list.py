"""ALLOWED_TEAM_IDS / ALLOWED_ENTERPRISE_IDS: in OAuth mode an install
from a workspace outside the lists is refused with a friendly page and nothing is stored, and
any request from such a workspace — command, button, event — is acknowledged and acted on not
at all. Here T0002 is allowed and T0001 (the workspace the fake Slack installs) is not."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from slack_sdk.oauth.installation_store import Installation

from bot import messages
from bot.installation_store import StoredInstallations
from bot.scopes import BOT_SCOPES
from meetbridge.meetings import MeetingRequest
from meetbridge.settings import load_settings
from tests.bot.slack_events import (
    CLIENT_ID,
    CLIENT_SECRET,
    oauth_env,
    post_event,
    slack_sends_installer_back,
    state_cookie,
)
from tests.bot.test_app_home import home_opened
from tests.bot.test_oauth_install import OTHER_TEAM, OTHER_TEAM_TOKEN, install_other_workspace
from tests.conftest import SlackUser
from tests.fakes import FakeSlack

REFUSED_TEAM_TOKEN = "xoxb-1-installed-before-the-allow-list"


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    tokens = [OTHER_TEAM_TOKEN, REFUSED_TEAM_TOKEN]
    with FakeSlack(tokens=tokens, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as fake:
        yield fake


@pytest.fixture
def settings(base_env):
    return load_settings(dict(oauth_env(base_env), ALLOWED_TEAM_IDS=f"{OTHER_TEAM},T0003", AUTO_BRIDGE="false"))


@pytest.fixture
def installations(services) -> StoredInstallations:
    return StoredInstallations(rows=services.store.slack_installs, client_id=CLIENT_ID)


@pytest.fixture
def refused_team_installed(installations) -> None:
    """T0001 installed the app before the operator set the allow-list (its token is stored)."""
    installations.save(Installation(app_id="A0001", team_id="T0001", bot_token=REFUSED_TEAM_TOKEN,
                                    bot_id="B0001", bot_user_id="U0BOT", bot_scopes=",".join(BOT_SCOPES),
                                    user_id="U0ADA", installed_at=time.time()))
    install_other_workspace(installations)


def settle(services) -> None:
    """Let anything a request started in the background finish (it would show by now)."""
    time.sleep(0.3)
    services.background.shutdown()


def test_an_install_from_a_workspace_outside_the_lists_gets_a_friendly_page_and_nothing_is_stored(
        app, fake_slack, installations):
    browser = app.test_client(use_cookies=False)
    state = state_cookie(browser.get("/slack/install"))

    response = slack_sends_installer_back(browser, state, cookie=state)

    page = response.get_data(as_text=True)
    assert (response.status_code, response.mimetype) == (403, "text/html")
    assert "not enabled for this workspace" in page and "Acme" in page
    assert "Thank you!" not in page and "xoxb-" not in page
    assert installations.find_installation(enterprise_id=None, team_id="T0001") is None
    assert installations.find_bot(enterprise_id=None, team_id="T0001") is None


def test_meet_from_a_workspace_outside_the_lists_is_acked_with_a_note_and_starts_nothing(
        refused_team_installed, slack_user, fake_slack, fake_opentok, services):
    response = slack_user.meet("Plans")

    assert (response.status_code, response.get_json()) == (
        200, {"response_type": "ephemeral", "text": messages.NOT_ENABLED})
    settle(services)
    assert services.store.database.query("SELECT id FROM meetings") == []
    assert fake_opentok.requests("create_session") == []
    assert fake_slack.requests("chat.postMessage") == [] and fake_slack.requests("calls.add") == []


def test_a_button_from_a_workspace_outside_the_lists_changes_nothing(
        refused_team_installed, slack_user, fake_slack, services):
    meeting = services.meetings.start(MeetingRequest(workspace_id="T0001", place_id="C0GENERAL",
                                                     starter_id="U0ADA", topic="From before the list"))

    assert slack_user.click("end_meeting", meeting.id, response_key="end").status_code == 200

    assert fake_slack.wait_for_response("end") == [
        {"response_type": "ephemeral", "replace_original": False, "text": messages.NOT_ENABLED}]
    settle(services)
    assert services.store.meetings.get(meeting.id).is_live


def test_an_event_from_a_workspace_outside_the_lists_is_acked_and_ignored(
        refused_team_installed, client, fake_slack, services):
    assert post_event(client, home_opened("U0ADA"), team_id="T0001", event_id="Ev1").status_code == 200
    assert post_event(client, home_opened("U0EVE"), team_id=OTHER_TEAM, event_id="Ev2").status_code == 200

    fake_slack.wait_for("views.publish")  # the allowed workspace's Home tab
    settle(services)
    assert fake_slack.tokens("views.publish") == [OTHER_TEAM_TOKEN]


def test_a_listed_workspace_works_as_before(refused_team_installed, client, start_meeting, fake_slack):
    eve = SlackUser(client, fake_slack, user_id="U0EVE", team_id=OTHER_TEAM)
    meeting = start_meeting("Allowed", user=eve)
    assert meeting.team_id == OTHER_TEAM
    assert fake_slack.tokens("chat.postMessage") == [OTHER_TEAM_TOKEN]
