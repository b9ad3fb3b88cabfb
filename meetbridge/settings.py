"""Settings read once from the environment into a typed, validated object.

Start-up refuses to continue with a half-configured app: every problem is collected
and reported together, so an admin fixes them in one pass instead of one per restart.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")

# An exact OpenTok.js release from Vonage's own CDN, checked by Subresource Integrity
# (SPEC §2.3); README › "OpenTok.js release" says how to move both to a new release.
# 2.35.2: `sha384` of dist/js/opentok.min.js in the npm package @opentok/client@2.35.2, the same
# build Vonage serves at this URL (`python cli.py check --online` compares the two).
DEFAULT_OPENTOK_JS_URL = "https://static.opentok.com/v2.35.2/js/opentok.min.js"
DEFAULT_OPENTOK_JS_INTEGRITY = "sha384-AsyBcbj6I2gJqO5eO1PxMhGZCmpEG5Kp+Q5KaKXRpK1BWLOwSfTcKFNKTbbb4jlJ"
DEFAULT_OPENTOK_API_URL = "https://api.opentok.com"
DEFAULT_VONAGE_API_HOST = "api.nexmo.com"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"


class SettingsError(Exception):
    """Raised with every problem found, so they can be shown as one message."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Settings problems:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Settings:
    """All configuration of one meetbridge server; secrets are kept out of repr()."""

    slack_signing_secret: str = field(repr=False)
    slack_bot_token: str | None = field(repr=False)
    slack_client_id: str | None
    slack_client_secret: str | None = field(repr=False)
    slack_app_token: str | None = field(repr=False)
    video_api_key: str
    video_api_secret: str = field(repr=False)
    voice_api_key: str
    voice_api_secret: str = field(repr=False)
    vonage_application_id: str
    vonage_private_key: str = field(repr=False)
    conference_number: str
    server_url: str
    vonage_signature_secret: str | None = field(default=None, repr=False)
    video_events_secret: str | None = field(default=None, repr=False)
    database_path: str = "meetbridge.db"  # the SQLite file; "" when database_url is PostgreSQL
    database_url: str = field(default="sqlite:///meetbridge.db", repr=False)  # may hold a password
    port: int = 3000
    proxy_hops: int = 0  # reverse proxies in front that set X-Forwarded-For/-Proto (deploy/nginx.conf: 1)
    pin_length: int = 9
    pin_attempts: int = 3
    pin_lockout_failures: int = 10
    pin_failure_budget: int = 300  # failed PIN entries per hour, all callers, every worker
    max_phone_callers: int = 50  # one Vonage conversation holds 50 legs
    bridge_dial_interval_seconds: float = 30.0
    bridge_dials_per_hour: int = 10
    bridge_max_hours: float | None = None  # None: the meeting TTL
    allowed_team_ids: frozenset[str] = frozenset()  # empty: any workspace
    allowed_enterprise_ids: frozenset[str] = frozenset()
    max_live_meetings_per_team: int = 50
    retention_days: float = 30.0
    meeting_ttl_hours: float = 12.0
    bridge_idle_minutes: float = 5.0
    auto_bridge: bool = True
    sweep_seconds: float = 15.0
    slack_api_url: str = DEFAULT_SLACK_API_URL
    opentok_api_url: str = DEFAULT_OPENTOK_API_URL
    vonage_api_host: str = DEFAULT_VONAGE_API_HOST
    opentok_js_url: str = DEFAULT_OPENTOK_JS_URL
    opentok_js_integrity: str = DEFAULT_OPENTOK_JS_INTEGRITY
    bridge_sip_uri: str = ""

    @property
    def oauth_mode(self) -> bool:
        """Multi-workspace install (OAuth) instead of one bot token."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def sip_uri(self) -> str:
        """Where the video session dials to reach our Vonage number."""
        return self.bridge_sip_uri or f"sip:{self.conference_number}@sip.nexmo.com;transport=tls"

    @property
    def meeting_ttl_seconds(self) -> float:
        return self.meeting_ttl_hours * 3600

    @property
    def bridge_idle_seconds(self) -> float:
        return self.bridge_idle_minutes * 60

    @property
    def bridge_max_seconds(self) -> float:
        """A bridge is hung up after this long whatever else happens (SPEC §2.4)."""
        hours = self.bridge_max_hours if self.bridge_max_hours is not None else self.meeting_ttl_hours
        return hours * 3600

    @property
    def retention_seconds(self) -> float:
        return self.retention_days * 86400

    @property
    def is_loopback(self) -> bool:
        """Development and tests: SERVER_URL on this machine, so unsigned webhooks are allowed."""
        return _is_loopback(urlsplit(self.server_url).hostname or "")

    def team_allowed(self, team_id: str | None, enterprise_id: str | None) -> bool:
        """With neither allow-list set, any workspace; else its team or its enterprise is listed."""
        if not self.allowed_team_ids and not self.allowed_enterprise_ids:
            return True
        return (team_id in self.allowed_team_ids) or (enterprise_id in self.allowed_enterprise_ids)


class _Reader:
    """Reads and converts variables, remembering every problem instead of stopping."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.problems: list[str] = []

    def raw(self, name: str) -> str | None:
        value = self.environ.get(name, "").strip()
        return value or None

    def required(self, name: str, meaning: str) -> str:
        value = self.raw(name)
        if value is None:
            self.problems.append(f"{name} is missing ({meaning})")
            return ""
        return value

    def converted(self, name: str, default: T, convert: Callable[[str], T], expected: str) -> T:
        value = self.raw(name)
        if value is None:
            return default
        try:
            return convert(value)
        except ValueError:
            self.problems.append(f"{name}={value!r} is not {expected}")
            return default


def _positive_int(text: str) -> int:
    number = int(text)
    if number < 1:
        raise ValueError(text)
    return number


def _positive_float(text: str) -> float:
    number = float(text)
    if not number > 0 or number != number or number == float("inf"):
        raise ValueError(text)
    return number


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(text)


def _proxy_hops(text: str) -> int:
    """How many proxies' X-Forwarded-* entries to trust; 0 (direct) ignores them, as a client
    could write them itself."""
    number = int(text)
    if not 0 <= number <= 5:
        raise ValueError(text)
    return number


def _port(text: str) -> int:
    number = int(text)
    if not 0 < number < 65536:
        raise ValueError(text)
    return number


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_server_url(value: str) -> str:
    """Public base URL: https, or http only on loopback (development and tests)."""
    parts = urlsplit(value)
    if not parts.hostname or parts.scheme not in {"http", "https"}:
        raise ValueError(value)
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(value)
    return value.rstrip("/")


def check_phone_number(value: str) -> str:
    """E.164 number, '+' optional; kept as digits only."""
    digits = value.removeprefix("+").replace(" ", "")
    if not re.fullmatch(r"[1-9]\d{6,14}", digits):
        raise ValueError(value)
    return digits


def read_private_key(value: str) -> str:
    """The Voice application key as PEM text, whether given as PEM or as a file path."""
    if "-----BEGIN" in value:
        return value.replace("\\n", "\n")
    with open(os.path.expanduser(value), encoding="ascii") as key_file:
        text = key_file.read()
    if "-----BEGIN" not in text:
        raise ValueError(value)
    return text


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build Settings from environment variables, or raise SettingsError listing all problems."""
    read = _Reader(environ)
    slack = _read_slack(read)
    private_key = read.required("VONAGE_PRIVATE_KEY", "Voice application private key: file path or PEM text")
    if private_key:
        try:
            private_key = read_private_key(private_key)
        except (OSError, ValueError):
            read.problems.append("VONAGE_PRIVATE_KEY is neither PEM text nor a readable PEM file")
    values = dict(
        **slack,
        video_api_key=read.required("VIDEO_API_KEY", "Video API project key"),
        video_api_secret=read.required("VIDEO_API_SECRET", "Video API project secret"),
        voice_api_key=read.required("VOICE_API_KEY", "Vonage account API key"),
        voice_api_secret=read.required("VOICE_API_SECRET", "Vonage account API secret"),
        vonage_application_id=read.required("VONAGE_APPLICATION_ID", "Voice application id"),
        vonage_private_key=private_key,
        conference_number=_required_converted(read, "CONFERENCE_NUMBER", check_phone_number,
                                              "the Vonage number callers dial", "an E.164 phone number"),
        server_url=_required_converted(read, "SERVER_URL", check_server_url, "public base URL",
                                       "an https URL (http only on localhost)"),
        vonage_signature_secret=read.raw("VONAGE_SIGNATURE_SECRET"),
        video_events_secret=read.raw("VIDEO_EVENTS_SECRET"),
        **_read_database(read),
        port=read.converted("PORT", 3000, _port, "a TCP port"),
        proxy_hops=read.converted("PROXY_HOPS", 0, _proxy_hops, "a whole number from 0 to 5"),
        **_read_policy(read),
        slack_api_url=read.raw("SLACK_API_URL") or DEFAULT_SLACK_API_URL,
        opentok_api_url=(read.raw("OPENTOK_API_URL") or DEFAULT_OPENTOK_API_URL).rstrip("/"),
        vonage_api_host=read.raw("VONAGE_API_HOST") or DEFAULT_VONAGE_API_HOST,
        opentok_js_url=read.raw("OPENTOK_JS_URL") or DEFAULT_OPENTOK_JS_URL,
        opentok_js_integrity=_opentok_js_integrity(read),
        bridge_sip_uri=read.raw("BRIDGE_SIP_URI") or "",
    )
    _require_signature_secret(read, values)
    if read.problems:
        raise SettingsError(read.problems)
    return Settings(**values)


def _require_signature_secret(read: _Reader, values: dict) -> None:
    """Unsigned voice webhooks would let anyone guess PINs over HTTP: a public server needs the
    secret; only a loopback SERVER_URL (development, tests) may run without it (SPEC §2.5)."""
    server_url = values.get("server_url") or ""
    if values.get("vonage_signature_secret") or not server_url:
        return
    if _is_loopback(urlsplit(server_url).hostname or ""):
        return
    read.problems.append(
        "VONAGE_SIGNATURE_SECRET is missing: a public SERVER_URL needs signed voice webhooks "
        "(Vonage Dashboard › Settings › API settings › Signature secret)")


SQLITE_URL_PREFIX = "sqlite:///"
POSTGRES_URL_PREFIXES = ("postgresql://", "postgres://")


def _read_database(read: _Reader) -> dict[str, str]:
    """DATABASE_URL chooses the back-end (sqlite:///<file> or postgresql://…); without it,
    DATABASE_PATH names the SQLite file. Both set: DATABASE_URL wins."""
    url = read.raw("DATABASE_URL")
    if url is None:
        path = read.raw("DATABASE_PATH") or "meetbridge.db"
        return {"database_path": path, "database_url": SQLITE_URL_PREFIX + path}
    if url.startswith(SQLITE_URL_PREFIX) and len(url) > len(SQLITE_URL_PREFIX):
        return {"database_path": url.removeprefix(SQLITE_URL_PREFIX), "database_url": url}
    if url.startswith(POSTGRES_URL_PREFIXES) and len(url) > len("postgres://"):
        return {"database_path": "", "database_url": url}
    read.problems.append("DATABASE_URL is neither sqlite:///<file> nor postgresql://… "
                         "(the value is not shown: it may hold a password)")
    return {"database_path": "", "database_url": ""}


def _opentok_js_integrity(read: _Reader) -> str:
    """The SRI hash of OPENTOK_JS_URL: a custom URL brings its own hash (or none)."""
    integrity = read.raw("OPENTOK_JS_INTEGRITY")
    if integrity is not None:
        if not re.fullmatch(r"sha(256|384|512)-[A-Za-z0-9+/]+={0,2}", integrity):
            read.problems.append(f"OPENTOK_JS_INTEGRITY={integrity!r} is not an SRI hash like sha384-…")
        return integrity
    return DEFAULT_OPENTOK_JS_INTEGRITY if read.raw("OPENTOK_JS_URL") is None else ""


def _required_converted(read: _Reader, name: str, convert: Callable[[str], str], meaning: str,
                        expected: str) -> str:
    if read.raw(name) is None:
        return read.required(name, meaning)
    return read.converted(name, "", convert, expected)


def _read_slack(read: _Reader) -> dict[str, str | None]:
    signing_secret = read.required("SLACK_SIGNING_SECRET", "Slack request verification")
    bot_token = read.raw("SLACK_BOT_TOKEN")
    client_id, client_secret = read.raw("SLACK_CLIENT_ID"), read.raw("SLACK_CLIENT_SECRET")
    app_token = read.raw("SLACK_APP_TOKEN")
    if bool(client_id) != bool(client_secret):
        read.problems.append("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET must be set together (OAuth mode)")
    elif client_id and bot_token:
        read.problems.append("set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID/SECRET (OAuth), not both")
    elif not client_id and not bot_token:
        read.problems.append("SLACK_BOT_TOKEN is missing (or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth)")
    if bot_token and not bot_token.startswith("xoxb-"):
        read.problems.append("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
    if app_token and not app_token.startswith("xapp-"):
        read.problems.append("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
    return dict(slack_signing_secret=signing_secret, slack_bot_token=bot_token, slack_client_id=client_id,
                slack_client_secret=client_secret, slack_app_token=app_token)


def _read_policy(read: _Reader) -> dict[str, object]:
    return dict(
        pin_length=read.converted("PIN_LENGTH", 9, _pin_length, "a whole number from 8 to 12"),
        pin_attempts=read.converted("PIN_ATTEMPTS", 3, _positive_int, "a positive whole number"),
        pin_lockout_failures=read.converted("PIN_LOCKOUT_FAILURES", 10, _positive_int, "a positive whole number"),
        pin_failure_budget=read.converted("PIN_FAILURE_BUDGET", 300, _positive_int, "a positive whole number"),
        max_phone_callers=read.converted("MAX_PHONE_CALLERS", 50, _phone_callers, "a whole number from 1 to 50"),
        bridge_dial_interval_seconds=read.converted("BRIDGE_DIAL_INTERVAL_SECONDS", 30.0, _positive_float,
                                                    "a positive number"),
        bridge_dials_per_hour=read.converted("BRIDGE_DIALS_PER_HOUR", 10, _positive_int, "a positive whole number"),
        bridge_max_hours=read.converted("BRIDGE_MAX_HOURS", None, _positive_float, "a positive number of hours"),
        allowed_team_ids=read.converted("ALLOWED_TEAM_IDS", frozenset(), _id_list, "a comma-separated list of ids"),
        allowed_enterprise_ids=read.converted("ALLOWED_ENTERPRISE_IDS", frozenset(), _id_list,
                                              "a comma-separated list of ids"),
        max_live_meetings_per_team=read.converted("MAX_LIVE_MEETINGS_PER_TEAM", 50, _positive_int,
                                                  "a positive whole number"),
        retention_days=read.converted("RETENTION_DAYS", 30.0, _positive_float, "a positive number of days"),
        meeting_ttl_hours=read.converted("MEETING_TTL_HOURS", 12.0, _ttl_hours, "a number of hours above 0, at most 720"),
        bridge_idle_minutes=read.converted("BRIDGE_IDLE_MINUTES", 5.0, _positive_float, "a positive number"),
        auto_bridge=read.converted("AUTO_BRIDGE", True, _boolean, "true or false"),
        sweep_seconds=read.converted("SWEEP_SECONDS", 15.0, _positive_float, "a positive number"),
    )


def _ttl_hours(text: str) -> float:
    """Video tokens live at most 30 days, so a meeting cannot outlive that."""
    hours = _positive_float(text)
    if hours > 720:
        raise ValueError(text)
    return hours


def _pin_length(text: str) -> int:
    """At least 8 digits: the allocator keeps one guess's odds of matching any live meeting under
    1 in 10,000,000 (meetbridge/pins.py), which even one live meeting needs 8 digits for."""
    number = int(text)
    if not 8 <= number <= 12:
        raise ValueError(text)
    return number


def _phone_callers(text: str) -> int:
    """One Vonage conversation holds at most 50 legs, the bridge's included."""
    number = int(text)
    if not 1 <= number <= 50:
        raise ValueError(text)
    return number


def _id_list(text: str) -> frozenset[str]:
    """Slack team / enterprise ids: `T0123,T0456`."""
    ids = frozenset(part.strip() for part in text.split(",") if part.strip())
    if not ids or not all(re.fullmatch(r"[A-Z0-9]{2,20}", one) for one in ids):
        raise ValueError(text)
    return ids
