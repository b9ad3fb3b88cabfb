"""slack_sdk's InstallationStore and OAuthStateStore over the product's own database.

Installations, bots and OAuth states live in the app's database (SQLite or PostgreSQL), so every
host sees an install the moment any host saved it and an OAuth state issued by one host can be
consumed by another. The rows come from the storage package through `InstallRows`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol
from uuid import uuid4

from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore

log = logging.getLogger(__name__)


class InstallRows(Protocol):
    """The installation, bot and state rows (meetbridge/storage/slack_installs.py)."""

    def add_installation(self, row: dict[str, Any]) -> None:
        """Record one installation row."""

    def add_bot(self, row: dict[str, Any]) -> None:
        """Record one bot row."""

    def latest_bot(self, client_id: str, enterprise_id: str, team_id: str) -> dict[str, Any] | None:
        """The workspace's newest bot row."""

    def latest_installation(self, client_id: str, enterprise_id: str, team_id: str,
                            user_id: str | None = None) -> dict[str, Any] | None:
        """The workspace's newest installation row (by this user, when given)."""

    def latest_bot_token(self, client_id: str, enterprise_id: str, team_id: str) -> dict[str, Any] | None:
        """The newest installation row of the workspace that carried a bot token."""

    def delete_bots(self, client_id: str, enterprise_id: str, team_id: str) -> int:
        """Forget the workspace's bots."""

    def delete_installations(self, client_id: str, enterprise_id: str, team_id: str,
                             user_id: str | None = None) -> int:
        """Forget the workspace's installations (only this user's, when given)."""

    def add_state(self, state: str, expire_at: float, now: float) -> None:
        """Remember an OAuth state until it expires."""

    def consume_state(self, state: str, now: float) -> bool:
        """True once for an unexpired state."""


def _scopes(scopes: Sequence[str] | str | None) -> str | None:
    if scopes is None or isinstance(scopes, str):
        return scopes
    return ",".join(scopes)


def _workspace(enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None) -> tuple[str, str]:
    """slack_sdk's keys: '' for a missing enterprise, and for the team of an org-wide install."""
    return enterprise_id or "", "" if is_enterprise_install or team_id is None else team_id


class StoredInstallations(InstallationStore):
    """Installations and bots of one Slack app (client id) in the app's database."""

    def __init__(self, *, rows: InstallRows, client_id: str) -> None:
        self.rows = rows
        self.client_id = client_id

    @property
    def logger(self) -> logging.Logger:
        """slack_sdk's stores expose their logger."""
        return log

    def save(self, installation: Installation) -> None:
        """Record an installation and its bot."""
        row = {key: getattr(installation, key) for key in (
            "app_id", "enterprise_name", "enterprise_url", "team_name", "bot_token", "bot_id", "bot_user_id",
            "bot_refresh_token", "bot_token_expires_at", "user_id", "user_token", "user_refresh_token",
            "user_token_expires_at", "incoming_webhook_url", "incoming_webhook_channel",
            "incoming_webhook_channel_id", "incoming_webhook_configuration_url", "token_type", "installed_at")}
        self.rows.add_installation(dict(
            row, client_id=self.client_id, enterprise_id=installation.enterprise_id or "",
            team_id=installation.team_id or "", bot_scopes=_scopes(installation.bot_scopes),
            user_scopes=_scopes(installation.user_scopes) or None,
            is_enterprise_install=int(bool(installation.is_enterprise_install))))
        self.save_bot(installation.to_bot())

    def save_bot(self, bot: Bot) -> None:
        """Record a bot (nothing without a bot token)."""
        if bot.bot_token is None:
            return
        self.rows.add_bot({
            "client_id": self.client_id, "app_id": bot.app_id, "enterprise_id": bot.enterprise_id or "",
            "enterprise_name": bot.enterprise_name, "team_id": bot.team_id or "", "team_name": bot.team_name,
            "bot_token": bot.bot_token, "bot_id": bot.bot_id, "bot_user_id": bot.bot_user_id,
            "bot_scopes": _scopes(bot.bot_scopes), "bot_refresh_token": bot.bot_refresh_token,
            "bot_token_expires_at": bot.bot_token_expires_at,
            "is_enterprise_install": int(bool(bot.is_enterprise_install)), "installed_at": bot.installed_at})

    def find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                 is_enterprise_install: bool | None = False) -> Bot | None:
        """The workspace's newest bot, or None."""
        row = self.rows.latest_bot(self.client_id, *_workspace(enterprise_id, team_id, is_enterprise_install))
        if row is None:
            return None
        return Bot(**dict(_known(row), is_enterprise_install=bool(row["is_enterprise_install"])))

    def find_installation(self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None,
                          is_enterprise_install: bool | None = False) -> Installation | None:
        """The workspace's newest installation (by `user_id` when given), with the newest bot
        token when that installation carries none."""
        enterprise, team = _workspace(enterprise_id, team_id, is_enterprise_install)
        row = self.rows.latest_installation(self.client_id, enterprise, team, user_id)
        if row is None:
            return None
        installation = Installation(**dict(_known(row), is_enterprise_install=bool(row["is_enterprise_install"])))
        if user_id is not None or installation.bot_token is None:
            latest = self.rows.latest_bot_token(self.client_id, enterprise, team)
            if latest is not None:
                for key, value in latest.items():
                    setattr(installation, key, value)
        return installation

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget the workspace's bots."""
        self.rows.delete_bots(self.client_id, enterprise_id or "", team_id or "")

    def delete_installation(self, *, enterprise_id: str | None, team_id: str | None,
                            user_id: str | None = None) -> None:
        """Forget the workspace's installations (only `user_id`'s, when given)."""
        self.rows.delete_installations(self.client_id, enterprise_id or "", team_id or "", user_id)


EXPIRY_COLUMNS = ("bot_token_expires_at", "user_token_expires_at")


def _known(row: dict[str, Any]) -> dict[str, Any]:
    """The row as slack_sdk's constructors take it: no client_id, token expiry as an int and
    installed_at as a float (a database may hand either back as the other: SQLite's datetime
    columns store a whole float as an integer, PostgreSQL returns DOUBLE PRECISION as float)."""
    known = {key: value for key, value in row.items() if key != "client_id"}
    for key in EXPIRY_COLUMNS:
        if isinstance(known.get(key), float):
            known[key] = int(known[key])
    if isinstance(known.get("installed_at"), int):
        known["installed_at"] = float(known["installed_at"])
    return known


class StoredOAuthStates(OAuthStateStore):
    """OAuth `state` values in the app's database: issued on one host, consumed once on any."""

    def __init__(self, *, rows: InstallRows, expiration_seconds: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.rows = rows
        self.expiration_seconds = expiration_seconds
        self.clock = clock

    @property
    def logger(self) -> logging.Logger:
        """slack_sdk's stores expose their logger."""
        return log

    def issue(self, *args: Any, **kwargs: Any) -> str:
        """A new random state, valid for expiration_seconds."""
        state, now = str(uuid4()), self.clock()
        self.rows.add_state(state, now + self.expiration_seconds, now)
        return state

    def consume(self, state: str) -> bool:
        """True once for a state issued and not yet expired."""
        return self.rows.consume_state(state, self.clock())
