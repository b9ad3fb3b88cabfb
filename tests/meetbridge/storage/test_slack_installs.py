"""OAuth installations, bots and states round-trip through the app's database (slack_sdk's
InstallationStore and OAuthStateStore contracts), and a state is accepted once across hosts."""

from __future__ import annotations

import sqlite3

from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore

from bot.installation_store import StoredInstallations, StoredOAuthStates
from meetbridge.storage import Store
from tests.meetbridge.storage.conftest import NOW, RACERS, race

CLIENT_ID = "111.222"


def an_installation(team_id: str = "T1", token: str = "xoxb-1", user_id: str = "U1", **fields) -> Installation:
    return Installation(app_id="A1", team_id=team_id, team_name="Team", bot_token=token, bot_id="B1",
                        bot_user_id="UBOT", bot_scopes=["commands", "chat:write"], user_id=user_id,
                        bot_token_expires_at=int(NOW) + 3600, installed_at=NOW, **fields)


def test_an_installation_and_its_bot_round_trip(store):
    installations = StoredInstallations(rows=store.slack_installs, client_id=CLIENT_ID)
    installations.save(an_installation())
    installations.save(an_installation(token="xoxb-2"))  # reinstalled: the newest wins
    bot = installations.find_bot(enterprise_id=None, team_id="T1")
    assert (bot.bot_token, bot.bot_scopes, bot.bot_token_expires_at) == ("xoxb-2", ["commands", "chat:write"],
                                                                        int(NOW) + 3600)
    found = installations.find_installation(enterprise_id=None, team_id="T1")
    assert (found.bot_token, found.user_id, found.team_name, found.is_enterprise_install) == (
        "xoxb-2", "U1", "Team", False)
    assert installations.find_bot(enterprise_id=None, team_id="T2") is None
    assert StoredInstallations(rows=store.slack_installs, client_id="another-app").find_bot(
        enterprise_id=None, team_id="T1") is None


def test_a_user_installation_borrows_the_newest_bot_token(store):
    installations = StoredInstallations(rows=store.slack_installs, client_id=CLIENT_ID)
    installations.save(an_installation(token="xoxb-1", user_id="U1"))
    installations.save(an_installation(token=None, user_id="U2"))
    found = installations.find_installation(enterprise_id=None, team_id="T1", user_id="U2")
    assert (found.user_id, found.bot_token) == ("U2", "xoxb-1")


def test_delete_all_forgets_the_workspace_only(store):
    installations = StoredInstallations(rows=store.slack_installs, client_id=CLIENT_ID)
    installations.save(an_installation("T1"))
    installations.save(an_installation("T2", token="xoxb-T2"))
    installations.delete_all(enterprise_id=None, team_id="T1")
    assert installations.find_bot(enterprise_id=None, team_id="T1") is None
    assert installations.find_installation(enterprise_id=None, team_id="T1") is None
    assert installations.find_bot(enterprise_id=None, team_id="T2").bot_token == "xoxb-T2"


def test_an_oauth_state_is_consumed_once_on_any_host_and_expires(stores):
    hosts = stores(RACERS)
    clock = [NOW]
    issuer = StoredOAuthStates(rows=hosts[0].slack_installs, expiration_seconds=600, clock=lambda: clock[0])
    state = issuer.issue()
    consumers = [StoredOAuthStates(rows=host.slack_installs, expiration_seconds=600, clock=lambda: clock[0])
                 for host in hosts]
    assert race(RACERS, lambda index: consumers[index].consume(state)).count(True) == 1
    late = issuer.issue()
    clock[0] += 601
    assert not issuer.consume(late)
    assert not issuer.consume("never-issued")


def test_installations_slack_sdk_saved_in_an_older_sqlite_file_are_still_found(tmp_path):
    path = str(tmp_path / "meetbridge.db")
    SQLite3InstallationStore(database=path, client_id=CLIENT_ID).save(an_installation(token="xoxb-old"))
    with sqlite3.connect(path) as conn:  # slack_sdk kept installed_at as text, to the second
        assert isinstance(conn.execute("SELECT installed_at FROM slack_bots").fetchone()[0], str)
    store = Store(path)
    try:
        installations = StoredInstallations(rows=store.slack_installs, client_id=CLIENT_ID)
        assert installations.find_bot(enterprise_id=None, team_id="T1").bot_token == "xoxb-old"
        installations.save(an_installation(token="xoxb-new"))
        assert installations.find_bot(enterprise_id=None, team_id="T1").bot_token == "xoxb-new"
    finally:
        store.close()
