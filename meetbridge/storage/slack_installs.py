"""Slack OAuth installations, bots and OAuth states, as plain rows (bot/installation_store.py
turns them into slack_sdk's objects).

The tables keep the layout of slack_sdk's SQLite stores (`slack_installations`, `slack_bots`,
`oauth_states`), which earlier versions created in the same SQLite file: installations made
then are found now. The newest row wins (highest id: ids only grow, while installed_at held
whole seconds and now holds a float).
"""

from __future__ import annotations

from typing import Any

from .seam import SqlDatabase

INSTALLATION_COLUMNS = (
    "client_id", "app_id", "enterprise_id", "enterprise_name", "enterprise_url", "team_id", "team_name",
    "bot_token", "bot_id", "bot_user_id", "bot_scopes", "bot_refresh_token", "bot_token_expires_at", "user_id",
    "user_token", "user_scopes", "user_refresh_token", "user_token_expires_at", "incoming_webhook_url",
    "incoming_webhook_channel", "incoming_webhook_channel_id", "incoming_webhook_configuration_url",
    "is_enterprise_install", "token_type", "installed_at")
BOT_COLUMNS = (
    "client_id", "app_id", "enterprise_id", "enterprise_name", "team_id", "team_name", "bot_token", "bot_id",
    "bot_user_id", "bot_scopes", "bot_refresh_token", "bot_token_expires_at", "is_enterprise_install",
    "installed_at")
BOT_TOKEN_COLUMNS = ("bot_token", "bot_id", "bot_user_id", "bot_scopes", "bot_refresh_token",
                     "bot_token_expires_at")
WORKSPACE = "client_id = ? AND enterprise_id = ? AND team_id = ?"


class SlackInstallsTable:
    """Rows of slack_installations, slack_bots and oauth_states."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database

    def add_installation(self, row: dict[str, Any]) -> None:
        """Record one installation (columns named in INSTALLATION_COLUMNS)."""
        self.database.insert("slack_installations", {k: row.get(k) for k in INSTALLATION_COLUMNS})

    def add_bot(self, row: dict[str, Any]) -> None:
        """Record one bot (columns named in BOT_COLUMNS)."""
        self.database.insert("slack_bots", {k: row.get(k) for k in BOT_COLUMNS})

    def latest_bot(self, client_id: str, enterprise_id: str, team_id: str) -> dict[str, Any] | None:
        """The workspace's newest bot row."""
        return self.database.query_one(
            f"SELECT {', '.join(BOT_COLUMNS)} FROM slack_bots WHERE {WORKSPACE} ORDER BY id DESC LIMIT 1",
            [client_id, enterprise_id, team_id])

    def latest_installation(self, client_id: str, enterprise_id: str, team_id: str,
                            user_id: str | None = None) -> dict[str, Any] | None:
        """The workspace's newest installation (by this user, when given)."""
        by_user, params = ("", [client_id, enterprise_id, team_id]) if user_id is None else (
            " AND user_id = ?", [client_id, enterprise_id, team_id, user_id])
        return self.database.query_one(
            f"SELECT {', '.join(INSTALLATION_COLUMNS)} FROM slack_installations WHERE {WORKSPACE}{by_user} "
            "ORDER BY id DESC LIMIT 1", params)

    def latest_bot_token(self, client_id: str, enterprise_id: str, team_id: str) -> dict[str, Any] | None:
        """The bot token fields of the workspace's newest installation that carried one."""
        return self.database.query_one(
            f"SELECT {', '.join(BOT_TOKEN_COLUMNS)} FROM slack_installations WHERE {WORKSPACE} "
            "AND bot_token IS NOT NULL ORDER BY id DESC LIMIT 1", [client_id, enterprise_id, team_id])

    def delete_bots(self, client_id: str, enterprise_id: str, team_id: str) -> int:
        """Forget the workspace's bots; how many rows went."""
        return self.database.execute(f"DELETE FROM slack_bots WHERE {WORKSPACE}", [client_id, enterprise_id, team_id])

    def delete_installations(self, client_id: str, enterprise_id: str, team_id: str,
                             user_id: str | None = None) -> int:
        """Forget the workspace's installations (only this user's, when given)."""
        if user_id is None:
            return self.database.execute(f"DELETE FROM slack_installations WHERE {WORKSPACE}",
                                         [client_id, enterprise_id, team_id])
        return self.database.execute(f"DELETE FROM slack_installations WHERE {WORKSPACE} AND user_id = ?",
                                     [client_id, enterprise_id, team_id, user_id])

    def add_state(self, state: str, expire_at: float, now: float) -> None:
        """Remember an OAuth state handed to a browser until `expire_at`; expired ones go."""
        self.database.execute("DELETE FROM oauth_states WHERE expire_at <= ?", [now])
        self.database.insert("oauth_states", {"state": state, "expire_at": expire_at})

    def consume_state(self, state: str, now: float) -> bool:
        """True once for an unexpired state (it is deleted): one statement, so two hosts
        receiving the same redirect cannot both accept it."""
        return self.database.execute(
            "DELETE FROM oauth_states WHERE id IN (SELECT id FROM oauth_states WHERE state = ? AND expire_at > ? "
            "LIMIT 1)", [state, now]) == 1
