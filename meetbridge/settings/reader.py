"""Reading the declared settings from an environment: every problem is collected and reported
together, so an admin fixes them in one pass instead of one per restart."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any
from urllib.parse import urlsplit

from .declared import BY_VARIABLE, POSITION, Setting
from .model import Settings
from .values import SQLITE_URL_PREFIX, is_loopback

MISSING, MALFORMED = 0, 1  # for one variable, "is missing" comes before "is not …"


class SettingsError(Exception):
    """Raised with every problem found, so they can be shown as one message."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Settings problems:\n" + "\n".join(f"  - {p}" for p in problems))


class _Problems:
    """Problems in declaration order of the variable each one names, whatever found it first."""

    def __init__(self) -> None:
        self._found: list[tuple[int, int, str]] = []

    def add(self, variable: str, text: str, kind: int = MISSING) -> None:
        self._found.append((POSITION[variable], kind, text))

    def listed(self) -> list[str]:
        return [text for _, _, text in sorted(self._found, key=lambda found: found[:2])]


Rule = Callable[[Mapping[str, str], dict[str, Any], _Problems], None]


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build Settings from environment variables, or raise SettingsError listing all problems.
    A blank value counts as unset; surrounding whitespace is dropped."""
    given = {name: text.strip() for name, text in environ.items() if name in BY_VARIABLE and text.strip()}
    problems = _Problems()
    values = {}
    for settings_field in fields(Settings):
        setting = BY_VARIABLE[settings_field.metadata["variable"]]
        values[settings_field.name] = _read(setting, given.get(setting.variable), problems)
    for rule in RULES:
        rule(given, values, problems)
    if problems.listed():
        raise SettingsError(problems.listed())
    return Settings(**values)


def _read(setting: Setting, text: str | None, problems: _Problems) -> Any:
    fallback = "" if setting.required else setting.default
    if text is None:
        if setting.required:
            problems.add(setting.variable, f"{setting.variable} is missing ({setting.meaning})")
        return fallback
    if setting.convert is None:
        return text
    try:
        return setting.convert(text)
    except (ValueError, OSError):
        problems.add(setting.variable, setting.refusal(text), MALFORMED)
        return fallback


def _one_slack_mode(given: Mapping[str, str], values: dict[str, Any], problems: _Problems) -> None:
    """A bot token (one workspace) or an OAuth client id and secret (several), never both."""
    bot_token, client_id, client_secret = (name in given for name in
                                           ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"))
    if client_id != client_secret:
        problems.add("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET must be set together (OAuth mode)")
    elif client_id and bot_token:
        problems.add("SLACK_BOT_TOKEN",
                     "set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID/SECRET (OAuth), not both")
    elif not client_id and not bot_token:
        problems.add("SLACK_BOT_TOKEN",
                     "SLACK_BOT_TOKEN is missing (or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth)")


def _signed_webhooks_off_loopback(given: Mapping[str, str], values: dict[str, Any], problems: _Problems) -> None:
    """Unsigned voice webhooks would let anyone guess PINs over HTTP: a public server needs the
    secret; only a loopback SERVER_URL (development, tests) may run without it."""
    server_url = values["server_url"]
    if values["vonage_signature_secret"] or not server_url or is_loopback(urlsplit(server_url).hostname or ""):
        return
    problems.add("VONAGE_SIGNATURE_SECRET",
                 "VONAGE_SIGNATURE_SECRET is missing: a public SERVER_URL needs signed voice webhooks "
                 "(Vonage Dashboard › Settings › API settings › Signature secret)")


def _one_database(given: Mapping[str, str], values: dict[str, Any], problems: _Problems) -> None:
    """DATABASE_URL chooses the back-end; without it, DATABASE_PATH names the SQLite file.
    database_path is the SQLite file either way, "" on PostgreSQL."""
    if "DATABASE_URL" not in given:
        values["database_url"] = SQLITE_URL_PREFIX + values["database_path"]
    elif values["database_url"].startswith(SQLITE_URL_PREFIX):
        values["database_path"] = values["database_url"].removeprefix(SQLITE_URL_PREFIX)
    else:
        values["database_path"] = ""


def _custom_opentok_js_brings_its_hash(given: Mapping[str, str], values: dict[str, Any], problems: _Problems) -> None:
    """The default hash belongs to the default release: a custom URL has its own hash, or none."""
    if "OPENTOK_JS_URL" in given and "OPENTOK_JS_INTEGRITY" not in given:
        values["opentok_js_integrity"] = ""


RULES: tuple[Rule, ...] = (_one_slack_mode, _signed_webhooks_off_loopback, _one_database,
                           _custom_opentok_js_brings_its_hash)
