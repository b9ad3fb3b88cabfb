"""How the app gets a bot token for a workspace: one fixed token, or OAuth installs.

OAuth mode keeps installations and OAuth state in the app's own database, whichever back-end
(module bot.installation_store), so every host sees them; OAuth
state is checked against both the store and the browser cookie (never switched off); installs
from workspaces outside ALLOWED_TEAM_IDS / ALLOWED_ENTERPRISE_IDS are refused (bot/allow_list.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import InstallationStore

from meetbridge.settings import Settings

from .allow_list import AllowListInstallationStore, install_callbacks
from .installation_store import InstallRows, StoredOAuthStates
from .scopes import BOT_SCOPES
from .slack_client import slack_web_client

OAUTH_STATE_SECONDS = 600


class NotInstalled(Exception):
    """No bot token is stored for this workspace (never installed, or uninstalled)."""


@dataclass
class SlackInstall:
    """The client Bolt uses, how to reach each workspace, and the OAuth settings if any."""

    client: WebClient
    client_for_team: Callable[..., WebClient]  # (team_id, wait_on_rate_limit=True)
    oauth_settings: OAuthSettings | None = None
    installation_store: InstallationStore | None = None
    authorize: Callable[..., AuthorizeResult] | None = None


def single_workspace(settings: Settings) -> SlackInstall:
    """The one bot token, handed to Bolt per request without calling Slack's auth.test: a slow
    or unreachable Slack must not fail the first `/meet` after a restart."""
    waiting = slack_web_client(settings.slack_bot_token, settings.slack_api_url)
    not_waiting = slack_web_client(settings.slack_bot_token, settings.slack_api_url, wait_on_rate_limit=False)

    def client_for_team(team_id: str, wait_on_rate_limit: bool = True) -> WebClient:
        return waiting if wait_on_rate_limit else not_waiting

    def authorize(enterprise_id: str | None, team_id: str | None, user_id: str | None) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
                               bot_token=settings.slack_bot_token)

    return SlackInstall(client=slack_web_client(None, settings.slack_api_url),
                        client_for_team=client_for_team, authorize=authorize)


def oauth_install(settings: Settings, rows: InstallRows) -> SlackInstall:
    """OAuth installs kept in `rows` (the app's database)."""
    assert settings.slack_client_id and settings.slack_client_secret
    installations = AllowListInstallationStore(team_allowed=settings.team_allowed, rows=rows,
                                               client_id=settings.slack_client_id)
    oauth = OAuthSettings(
        client_id=settings.slack_client_id, client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES), redirect_uri=f"{settings.server_url}/slack/oauth_redirect",
        installation_store=installations, installation_store_bot_only=True,
        state_store=StoredOAuthStates(rows=rows, expiration_seconds=OAUTH_STATE_SECONDS),
        state_validation_enabled=True, callback_options=install_callbacks())

    def client_for_team(team_id: str, wait_on_rate_limit: bool = True) -> WebClient:
        bot = installations.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise NotInstalled(team_id)
        return slack_web_client(bot.bot_token, settings.slack_api_url, wait_on_rate_limit)

    return SlackInstall(client=slack_web_client(None, settings.slack_api_url), client_for_team=client_for_team,
                        oauth_settings=oauth, installation_store=installations)


def slack_install(settings: Settings, rows: InstallRows) -> SlackInstall:
    """OAuth installs (kept in `rows`) when a client id is set, else the one bot token."""
    return oauth_install(settings, rows) if settings.oauth_mode else single_workspace(settings)
