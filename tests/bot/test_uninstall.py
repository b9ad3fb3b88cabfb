"""A workspace that uninstalls the app (or revokes its bot token) loses its stored tokens and
its live meetings end, so no phone leg keeps running where nobody can see or stop it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from slack_sdk.oauth.installation_store import Installation

from bot.installation_store import StoredInstallations
from bot.scopes import BOT_SCOPES
from meetbridge import ncco
from tests.bot.slack_events import CLIENT_ID, CLIENT_SECRET, install_via_oauth, oauth_env, post_event
from tests.conftest import BOT_TOKEN, SlackUser
from tests.fakes import FakeSlack
from tests.vonage_calls import answer, dtmf, new_uuid
from tests.waiting import wait_until

OTHER_TEAM, OTHER_TEAM_TOKEN = "T0002", "xoxb-2-other-workspace-token"
UNINSTALLED = {"type": "app_uninstalled", "event_ts": "1700000000.000100"}


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack(tokens=[OTHER_TEAM_TOKEN, BOT_TOKEN], client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as fake:
        yield fake


@pytest.fixture
def oauth_mode(request) -> bool:
    """OAuth mode, unless a test parametrizes this to False (single workspace, one bot token)."""
    return getattr(request, "param", True)


@pytest.fixture
def base_env(base_env: dict[str, str], oauth_mode: bool) -> dict[str, str]:
    return oauth_env(base_env) if oauth_mode else base_env


@pytest.fixture
def installations(services) -> StoredInstallations:
    return StoredInstallations(rows=services.store.slack_installs, client_id=CLIENT_ID)


@pytest.fixture
def installed(app, installations) -> StoredInstallations:
    """Our workspace (T0001) installed through the OAuth pages, and a second one (T0002) too."""
    install_via_oauth(app.test_client(use_cookies=False))
    installations.save(Installation(app_id="A0001", team_id=OTHER_TEAM, bot_token=OTHER_TEAM_TOKEN,
                                    bot_id="B0002", bot_user_id="U0BOT2", bot_scopes=",".join(BOT_SCOPES),
                                    user_id="U0EVE", installed_at=time.time()))
    return installations


def bot_of(installations: StoredInstallations, team_id: str):
    return installations.find_bot(enterprise_id=None, team_id=team_id)


def test_app_uninstalled_deletes_the_installation_and_ends_that_workspaces_meetings(
        client, installed, start_meeting, fake_slack, services):
    ours = [start_meeting("First"), start_meeting("Second")]
    theirs = start_meeting("Theirs", user=SlackUser(client, fake_slack, user_id="U0EVE", team_id=OTHER_TEAM))
    assert post_event(client, UNINSTALLED).status_code == 200
    wait_until(lambda: bot_of(installed, "T0001") is None
               and installed.find_installation(enterprise_id=None, team_id="T0001") is None)
    wait_until(lambda: not any(services.store.meetings.get(m.id).is_live for m in ours))
    assert [services.store.meetings.get(m.id).ended_reason for m in ours] == ["uninstalled"] * 2
    assert services.store.meetings.get(theirs.id).is_live
    assert bot_of(installed, OTHER_TEAM).bot_token == OTHER_TEAM_TOKEN


def test_app_uninstalled_hangs_up_the_workspaces_phone_callers_and_releases_pins(
        client, installed, start_meeting, fake_vonage, services):
    meeting = start_meeting("With a caller")
    leg = fake_vonage.add_call(new_uuid())
    answer(leg).send(client)
    assert dtmf(leg, meeting.pin).send(client).get_json() == ncco.join_conversation(
        meeting.conversation_name, keypad_url=ncco.keypad_url(services.settings.server_url))
    post_event(client, UNINSTALLED)
    wait_until(lambda: fake_vonage.requests("hangup"))
    assert fake_vonage.requests("hangup") == [{"uuid": leg, "action": "hangup"}]
    assert services.store.pins.live_meeting_id(meeting.pin) is None


def test_tokens_revoked_for_the_bot_deletes_it_and_ends_the_meetings(client, installed, start_meeting, services):
    meeting = start_meeting("Revoked")
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}, "event_ts": "1700000000.000200"}
    assert post_event(client, revoked).status_code == 200
    wait_until(lambda: bot_of(installed, "T0001") is None)
    wait_until(lambda: not services.store.meetings.get(meeting.id).is_live)
    assert bot_of(installed, OTHER_TEAM) is not None


@pytest.mark.parametrize("oauth_mode", [False], indirect=True)
def test_single_workspace_app_uninstalled_ends_the_meetings(client, start_meeting, services):
    meeting = start_meeting("Single")
    assert post_event(client, UNINSTALLED).status_code == 200
    wait_until(lambda: not services.store.meetings.get(meeting.id).is_live)
    assert services.store.meetings.get(meeting.id).ended_reason == "uninstalled"


@pytest.mark.parametrize("oauth_mode", [False], indirect=True)
def test_app_uninstalled_forgets_the_workspaces_saved_phone_numbers(client, services):
    services.store.saved_numbers.save("T0001", "U0ADA", "+12015550123", 0.0)
    services.store.saved_numbers.save("T0002", "U0ADA", "+12015550177", 0.0)
    assert post_event(client, UNINSTALLED).status_code == 200
    wait_until(lambda: services.store.saved_numbers.get("T0001", "U0ADA") is None)
    assert services.store.saved_numbers.get("T0002", "U0ADA") == "+12015550177"
