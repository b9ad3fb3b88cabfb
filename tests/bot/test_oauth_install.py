"""OAuth (multi-workspace) install: the "Add to Slack" page, the state cookie and state store
(never switched off), the stored installation, and each workspace seeing only its own meetings."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from slack_sdk.oauth.installation_store import Installation

from bot import messages
from bot.installation_store import StoredInstallations
from bot.scopes import BOT_SCOPES
from tests.bot.slack_events import (
    CLIENT_ID,
    CLIENT_SECRET,
    authorize_link,
    install_via_oauth,
    oauth_env,
    slack_sends_installer_back,
    state_cookie,
)
from tests.conftest import SlackUser
from tests.fakes import FakeSlack

OTHER_TEAM, OTHER_TEAM_TOKEN = "T0002", "xoxb-2-other-workspace-token"


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """Checks our client credentials; accepts only tokens it issued (plus the other workspace's)."""
    with FakeSlack(tokens=[OTHER_TEAM_TOKEN], client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as fake:
        yield fake


@pytest.fixture
def base_env(base_env: dict[str, str]) -> dict[str, str]:
    return oauth_env(base_env)


@pytest.fixture
def browser(app):
    """A browser without a cookie jar: each test says exactly which cookie it sends back."""
    return app.test_client(use_cookies=False)


@pytest.fixture
def installations(services) -> StoredInstallations:
    """The app's installation store, on the app's database."""
    return StoredInstallations(rows=services.store.slack_installs, client_id=CLIENT_ID)


def install_other_workspace(installations: StoredInstallations) -> None:
    """A second workspace that installed the app earlier (the fake Slack only issues T0001)."""
    installations.save(Installation(app_id="A0001", team_id=OTHER_TEAM, bot_token=OTHER_TEAM_TOKEN,
                                    bot_id="B0002", bot_user_id="U0BOT2", bot_scopes=",".join(BOT_SCOPES),
                                    user_id="U0EVE", installed_at=time.time()))


def test_install_page_links_to_slack_authorize_with_our_client_scopes_state_and_redirect(browser, settings):
    page = browser.get("/slack/install")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Add to Slack" in html
    state = state_cookie(page)
    assert authorize_link(html) == {
        "client_id": CLIENT_ID, "scope": ",".join(BOT_SCOPES), "user_scope": "", "state": state,
        "redirect_uri": f"{settings.server_url}/slack/oauth_redirect",
    }


def test_install_page_sets_a_secure_http_only_state_cookie(browser):
    cookie = browser.get("/slack/install").headers["Set-Cookie"]
    attributes = [part.strip() for part in cookie.split(";")]
    assert attributes[1:] == ["Secure", "HttpOnly", "Path=/", "Max-Age=600"]


def test_each_install_page_gets_a_fresh_state(browser):
    assert state_cookie(browser.get("/slack/install")) != state_cookie(browser.get("/slack/install"))


def test_coming_back_with_state_and_cookie_exchanges_the_code_and_stores_the_installation(
        browser, fake_slack, installations, settings):
    state = state_cookie(browser.get("/slack/install"))
    response = slack_sends_installer_back(browser, state, cookie=state, code="code-from-slack")
    assert response.status_code == 200
    assert "Thank you!" in response.get_data(as_text=True)
    assert fake_slack.requests("oauth.v2.access") == [
        {"code": "code-from-slack", "redirect_uri": f"{settings.server_url}/slack/oauth_redirect"}]
    installed = installations.find_installation(enterprise_id=None, team_id="T0001")
    assert installed is not None
    assert fake_slack.tokens("auth.test") == [installed.bot_token]
    assert (installed.team_id, installed.team_name, installed.app_id, installed.bot_user_id, installed.bot_id,
            installed.bot_scopes, installed.user_id) == (
        "T0001", "Acme", "A0001", "U0BOT", "B0001", list(BOT_SCOPES), "U0INSTALLER")
    assert installed.bot_token.startswith("xoxb-")


def test_coming_back_without_the_state_cookie_fails_and_stores_nothing(browser, fake_slack, installations):
    state = state_cookie(browser.get("/slack/install"))
    response = slack_sends_installer_back(browser, state, cookie=None)
    assert response.status_code == 400
    assert "Thank you!" not in response.get_data(as_text=True)
    assert fake_slack.requests("oauth.v2.access") == []
    assert installations.find_installation(enterprise_id=None, team_id="T0001") is None


def test_a_forged_state_fails_even_with_a_matching_cookie(browser, fake_slack, installations):
    browser.get("/slack/install")
    response = slack_sends_installer_back(browser, "forged-state", cookie="forged-state")
    assert response.status_code == 401
    assert fake_slack.requests("oauth.v2.access") == []
    assert installations.find_installation(enterprise_id=None, team_id="T0001") is None


def test_a_state_from_another_browser_fails(browser, fake_slack, installations):
    """Someone else's install link (state) with our own cookie: a login-CSRF attempt."""
    theirs = state_cookie(browser.get("/slack/install"))
    ours = state_cookie(browser.get("/slack/install"))
    response = slack_sends_installer_back(browser, theirs, cookie=ours)
    assert response.status_code == 400
    assert fake_slack.requests("oauth.v2.access") == []
    assert installations.find_installation(enterprise_id=None, team_id="T0001") is None


def test_a_state_works_only_once(browser, fake_slack):
    state = state_cookie(browser.get("/slack/install"))
    assert slack_sends_installer_back(browser, state, cookie=state).status_code == 200
    replayed = slack_sends_installer_back(browser, state, cookie=state, code="second-code")
    assert replayed.status_code == 401
    assert len(fake_slack.requests("oauth.v2.access")) == 1


def test_meet_from_the_installed_workspace_uses_its_installed_bot_token(
        browser, start_meeting, fake_slack, installations):
    install_via_oauth(browser)
    token = installations.find_bot(enterprise_id=None, team_id="T0001").bot_token
    meeting = start_meeting("Planning")
    assert meeting.team_id == "T0001"
    assert fake_slack.tokens("calls.add") == [token]
    assert fake_slack.tokens("chat.postMessage") == [token]


def test_meet_from_a_workspace_that_never_installed_is_refused_before_anything_is_created(
        browser, client, fake_slack, fake_opentok, services):
    install_via_oauth(browser)
    stranger = SlackUser(client, fake_slack, user_id="U0EVE", team_id="T0009")
    assert stranger.meet("Hello").status_code == 200
    told = fake_slack.wait_for_response("meet")  # Bolt's answer, before any listener runs
    assert len(told) == 1 and "reinstall this app" in told[0]["text"]
    assert services.store.meetings.live_ids_for_team("T0009") == []
    assert fake_opentok.requests("create_session") == []
    assert fake_slack.requests("chat.postMessage") == []


def test_another_workspace_cannot_press_this_workspaces_buttons(
        browser, client, start_meeting, fake_slack, fake_opentok, installations, services):
    install_via_oauth(browser)
    install_other_workspace(installations)
    meeting = start_meeting("Ours")
    eve = SlackUser(client, fake_slack, user_id="U0EVE", team_id=OTHER_TEAM)
    for action in ("dial_out", "hang_up", "end_meeting"):
        assert eve.click(action, meeting.id, response_key=action).status_code == 200
        assert fake_slack.wait_for_response(action) == [
            {"response_type": "ephemeral", "replace_original": False, "text": messages.UNKNOWN_MEETING}]
    assert fake_opentok.requests("dial") == []
    assert services.store.meetings.get(meeting.id).is_live
    assert services.store.bridges.active(meeting.id) is None
