"""`Settings`: the typed configuration every part of the app reads; each field names the
declared setting it comes from, which gives it its default and keeps secrets out of repr()."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .declared import declared
from .values import is_loopback


@dataclass(frozen=True, kw_only=True)
class Settings:
    """All configuration of one meetbridge server; secrets are kept out of repr()."""

    slack_signing_secret: str = declared("SLACK_SIGNING_SECRET")
    slack_bot_token: str | None = declared("SLACK_BOT_TOKEN")
    slack_client_id: str | None = declared("SLACK_CLIENT_ID")
    slack_client_secret: str | None = declared("SLACK_CLIENT_SECRET")
    slack_app_token: str | None = declared("SLACK_APP_TOKEN")
    video_api_key: str = declared("VIDEO_API_KEY")
    video_api_secret: str = declared("VIDEO_API_SECRET")
    voice_api_key: str = declared("VOICE_API_KEY")
    voice_api_secret: str = declared("VOICE_API_SECRET")
    vonage_application_id: str = declared("VONAGE_APPLICATION_ID")
    vonage_private_key: str = declared("VONAGE_PRIVATE_KEY")
    conference_number: str = declared("CONFERENCE_NUMBER")
    server_url: str = declared("SERVER_URL")
    vonage_signature_secret: str | None = declared("VONAGE_SIGNATURE_SECRET")
    video_events_secret: str | None = declared("VIDEO_EVENTS_SECRET")
    database_path: str = declared("DATABASE_PATH")  # the SQLite file; "" when database_url is PostgreSQL
    database_url: str = declared("DATABASE_URL")
    port: int = declared("PORT")
    proxy_hops: int = declared("PROXY_HOPS")
    pin_length: int = declared("PIN_LENGTH")
    pin_attempts: int = declared("PIN_ATTEMPTS")
    pin_lockout_failures: int = declared("PIN_LOCKOUT_FAILURES")
    pin_failure_budget: int = declared("PIN_FAILURE_BUDGET")
    max_phone_callers: int = declared("MAX_PHONE_CALLERS")
    bridge_dial_interval_seconds: float = declared("BRIDGE_DIAL_INTERVAL_SECONDS")
    bridge_dials_per_hour: int = declared("BRIDGE_DIALS_PER_HOUR")
    bridge_max_hours: float | None = declared("BRIDGE_MAX_HOURS")  # None: the meeting TTL
    dial_out: str = declared("DIAL_OUT")  # off | starter | members
    dial_out_countries: tuple[str, ...] = declared("DIAL_OUT_COUNTRIES")  # empty: the conference number's
    dial_out_per_member_hour: int = declared("DIAL_OUT_PER_MEMBER_HOUR")
    dial_out_per_team_hour: int = declared("DIAL_OUT_PER_TEAM_HOUR")
    ask_caller_name: bool = declared("ASK_CALLER_NAME")
    dial_in_numbers: tuple[tuple[str, str], ...] = declared("DIAL_IN_NUMBERS")  # (digits, language); empty: none more
    default_dial_in_country: str = declared("DEFAULT_DIAL_IN_COUNTRY")  # "": the conference number's country
    default_locale: str = declared("DEFAULT_LOCALE")
    allowed_team_ids: frozenset[str] = declared("ALLOWED_TEAM_IDS")  # empty: any workspace
    allowed_enterprise_ids: frozenset[str] = declared("ALLOWED_ENTERPRISE_IDS")
    max_live_meetings_per_team: int = declared("MAX_LIVE_MEETINGS_PER_TEAM")
    retention_days: float = declared("RETENTION_DAYS")
    meeting_ttl_hours: float = declared("MEETING_TTL_HOURS")
    bridge_idle_minutes: float = declared("BRIDGE_IDLE_MINUTES")
    auto_bridge: bool = declared("AUTO_BRIDGE")
    sweep_seconds: float = declared("SWEEP_SECONDS")
    slack_api_url: str = declared("SLACK_API_URL")
    opentok_api_url: str = declared("OPENTOK_API_URL")
    vonage_api_host: str = declared("VONAGE_API_HOST")
    opentok_js_url: str = declared("OPENTOK_JS_URL")
    opentok_js_integrity: str = declared("OPENTOK_JS_INTEGRITY")
    bridge_sip_uri: str = declared("BRIDGE_SIP_URI")

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
        """How long a meeting lives, in seconds."""
        return self.meeting_ttl_hours * 3600

    @property
    def bridge_idle_seconds(self) -> float:
        """How long a bridge may stay without callers, in seconds."""
        return self.bridge_idle_minutes * 60

    @property
    def bridge_max_seconds(self) -> float:
        """A bridge is hung up after this long whatever else happens: a cap on what one meeting costs."""
        hours = self.bridge_max_hours if self.bridge_max_hours is not None else self.meeting_ttl_hours
        return hours * 3600

    @property
    def retention_seconds(self) -> float:
        """Age after which audit rows and finished phone legs are deleted, in seconds."""
        return self.retention_days * 86400

    @property
    def is_loopback(self) -> bool:
        """Development and tests: SERVER_URL on this machine, so unsigned webhooks are allowed."""
        return is_loopback(urlsplit(self.server_url).hostname or "")

    def team_allowed(self, team_id: str | None, enterprise_id: str | None) -> bool:
        """With neither allow-list set, any workspace; else its team or its enterprise is listed."""
        if not self.allowed_team_ids and not self.allowed_enterprise_ids:
            return True
        return (team_id in self.allowed_team_ids) or (enterprise_id in self.allowed_enterprise_ids)
