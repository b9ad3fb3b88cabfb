"""Every setting declared once: its variable, meaning, default, converter, whether it is required
and whether it is secret. The reader, `Settings`' defaults and repr(), and README's settings
table are all driven from `SETTINGS`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import values

# An exact OpenTok.js release from Vonage's own CDN, checked by Subresource Integrity;
# README › "OpenTok.js release" says how to move both to a new release.
# 2.35.2: `sha384` of dist/js/opentok.min.js in the npm package @opentok/client@2.35.2, the same
# build Vonage serves at this URL (`cli.py check --online` compares the two).
DEFAULT_OPENTOK_JS_URL = "https://static.opentok.com/v2.35.2/js/opentok.min.js"
DEFAULT_OPENTOK_JS_INTEGRITY = "sha384-AsyBcbj6I2gJqO5eO1PxMhGZCmpEG5Kp+Q5KaKXRpK1BWLOwSfTcKFNKTbbb4jlJ"
DEFAULT_OPENTOK_API_URL = "https://api.opentok.com"
DEFAULT_VONAGE_API_HOST = "api.nexmo.com"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"

SLACK, VIDEO, VOICE, PUBLIC, STORAGE, SERVER = "Slack", "Video", "Voice", "Public address", "Storage", "Server"
PINS, CAPS, ACCESS, LIFECYCLE, ENDPOINTS = "PIN policy", "Spending caps", "Access", "Lifecycle", "Endpoints"
SECTIONS = (SLACK, VIDEO, VOICE, PUBLIC, STORAGE, SERVER, PINS, CAPS, ACCESS, LIFECYCLE, ENDPOINTS)


@dataclass(frozen=True)
class Setting:
    """One environment variable: what it means, how it is read, and how it is shown."""

    variable: str
    meaning: str  # also the "is missing (…)" text of a required setting
    section: str  # README groups the table by section
    default: Any = None  # the value when unset or blank
    convert: Callable[[str], Any] | None = None  # None: the text as it is
    expected: str = ""  # "PORT='x' is not <expected>"; for a secret, "<VARIABLE> <expected>"
    required: bool = False
    required_when: str = ""  # README's "required" for a setting that another setting makes required
    secret: bool = False  # never in repr() nor in a problem message
    details: str = ""  # README only, after the meaning
    shown_default: str = ""  # README's default when the value itself would not say it
    read_by: str = ""  # a file that reads it before Settings exist; "" means a Settings field

    def refusal(self, text: str) -> str:
        """The problem line for text the converter refused; a secret's text is never echoed."""
        if self.secret:
            return f"{self.variable} {self.expected}"
        return f"{self.variable}={text!r} is not {self.expected}"


def _required(variable: str, meaning: str, section: str, **more: Any) -> Setting:
    return Setting(variable, meaning, section, required=True, **more)


POSITIVE, WHOLE = "a positive number", "a positive whole number"

# In the order problems are reported (README orders by section instead).
SETTINGS: tuple[Setting, ...] = (
    _required("SLACK_SIGNING_SECRET", "Slack request verification", SLACK, secret=True),
    Setting("SLACK_BOT_TOKEN", "bot token (`xoxb-…`) of the one workspace", SLACK, secret=True,
            convert=values.starting_with("xoxb-"), expected="must be a bot token starting with xoxb-",
            required_when="single workspace"),
    Setting("SLACK_CLIENT_ID", "OAuth install mode (several workspaces) instead of a bot token", SLACK,
            required_when="multi workspace", details="with `SLACK_CLIENT_SECRET`; set one mode, not both"),
    Setting("SLACK_CLIENT_SECRET", "OAuth client secret, with `SLACK_CLIENT_ID`", SLACK, secret=True,
            required_when="multi workspace"),
    Setting("SLACK_APP_TOKEN", "app-level token (`xapp-…`, scope `connections:write`) for Socket Mode", SLACK,
            secret=True, convert=values.starting_with("xapp-"),
            expected="must be an app-level token starting with xapp-", details="development"),
    _required("VONAGE_PRIVATE_KEY", "Voice application private key: file path or PEM text", VOICE, secret=True,
              convert=values.read_private_key, expected="is neither PEM text nor a readable PEM file"),
    _required("VIDEO_API_KEY", "Video API project key", VIDEO),
    _required("VIDEO_API_SECRET", "Video API project secret", VIDEO, secret=True),
    _required("VOICE_API_KEY", "Vonage account API key", VOICE, details="the phone bridge's SIP digest user"),
    _required("VOICE_API_SECRET", "Vonage account API secret", VOICE, secret=True),
    _required("VONAGE_APPLICATION_ID", "Voice application id", VOICE),
    _required("CONFERENCE_NUMBER", "the Vonage number callers dial", VOICE, convert=values.check_phone_number,
              expected="an E.164 phone number", details="E.164, `+` optional"),
    _required("SERVER_URL", "public base URL", PUBLIC, convert=values.check_server_url,
              expected="an https URL (http only on localhost)", details="https, except `http://` on localhost"),
    Setting("VONAGE_SIGNATURE_SECRET", "verifies signed voice webhooks", PUBLIC, secret=True,
            required_when="yes, unless `SERVER_URL` is loopback",
            details="a public server refuses to start without it"),
    Setting("VIDEO_EVENTS_SECRET", "authenticates `/video-events` (session monitoring)", PUBLIC, secret=True),
    Setting("DATABASE_URL", "`sqlite:///<file>` or `postgresql://user:password@host/db` (several app hosts)",
            STORAGE, default="sqlite:///meetbridge.db", convert=values.database_url, secret=True,
            expected="is neither sqlite:///<file> nor postgresql://… (the value is not shown: it may hold a password)",
            shown_default="`sqlite:///` and `DATABASE_PATH`", details="wins over `DATABASE_PATH`"),
    Setting("DATABASE_PATH", "SQLite file, read when `DATABASE_URL` is unset", STORAGE, default="meetbridge.db"),
    Setting("PORT", "HTTP port of `make run` and gunicorn", SERVER, default=3000,
            convert=values.whole_number_from(1, 65535), expected="a TCP port"),
    Setting("PROXY_HOPS", "proxies in front whose `X-Forwarded-For` / `X-Forwarded-Proto` the app believes",
            SERVER, default=0, convert=values.whole_number_from(0, 5), expected="a whole number from 0 to 5",
            details="`deploy/compose.yml`: 1; 0 ignores them, as any client could send them itself"),
    Setting("WEB_CONCURRENCY", "gunicorn worker processes", SERVER, default=2, read_by="gunicorn.conf.py"),
    Setting("GUNICORN_THREADS", "threads per gunicorn worker", SERVER, default=16, read_by="gunicorn.conf.py"),
    Setting("LOG_LEVEL", "DEBUG, INFO, WARNING or ERROR", SERVER, default="INFO", read_by="app.py"),
    Setting("PIN_LENGTH", "digits in a new PIN", PINS, default=9, convert=values.whole_number_from(8, 12),
            expected="a whole number from 8 to 12",
            details="grows when many meetings are live, so one guess matches any of them less than 1 time "
                    "in 10,000,000; 8 digits are needed for even one (see Security model)"),
    Setting("PIN_ATTEMPTS", "wrong or empty PIN entries allowed per call", PINS, default=3,
            convert=values.positive_int, expected=WHOLE),
    Setting("PIN_LOCKOUT_FAILURES", "failed entries from one number before it is locked out", PINS, default=10,
            convert=values.positive_int, expected=WHOLE),
    Setting("PIN_FAILURE_BUDGET", "failed PIN entries per hour, all callers, every worker", PINS, default=300,
            convert=values.positive_int, expected=WHOLE, details="while spent, new callers hear \"busy\""),
    Setting("MAX_PHONE_CALLERS", "phone callers per meeting", CAPS, default=50,
            convert=values.whole_number_from(1, 50), expected="a whole number from 1 to 50",
            details="one Vonage conversation holds at most 50 legs, the bridge's included"),
    Setting("BRIDGE_DIAL_INTERVAL_SECONDS", "seconds one meeting waits between two bridge dials", CAPS, default=30.0,
            convert=values.positive_float, expected=POSITIVE),
    Setting("BRIDGE_DIALS_PER_HOUR", "bridge dials per meeting and hour, whoever asks", CAPS, default=10,
            convert=values.positive_int, expected=WHOLE),
    Setting("BRIDGE_MAX_HOURS", "hours after which a bridge is hung up whatever else happens", CAPS,
            convert=values.positive_float, expected="a positive number of hours", shown_default="`MEETING_TTL_HOURS`"),
    Setting("DIAL_OUT", "who may make the meeting call phones (Call my phone, Add by phone)", CAPS,
            default="members", convert=values.one_of("off", "starter", "members"),
            expected="off, starter or members",
            details="`starter`: only the person who started the meeting; each call is paid by the Vonage account"),
    Setting("DIAL_OUT_COUNTRIES", "countries the meeting may call (ISO 3166 codes)", CAPS, default=(),
            convert=values.country_list, expected="a comma-separated list of two-letter country codes",
            shown_default="the country of `CONFERENCE_NUMBER`",
            details="comma-separated, e.g. `US,CA`; premium-rate, shared-cost and personal numbers are always refused"),
    Setting("DIAL_OUT_PER_MEMBER_HOUR", "calls one Slack member may have placed per hour", CAPS, default=10,
            convert=values.positive_int, expected=WHOLE),
    Setting("DIAL_OUT_PER_TEAM_HOUR", "calls one workspace may have placed per hour", CAPS, default=100,
            convert=values.positive_int, expected=WHOLE,
            details="also: 3 per join-page visitor per hour, 10 ringing at once per meeting"),
    Setting("ASK_CALLER_NAME", "ask each phone caller to say their name after the PIN", VOICE, default=True,
            convert=values.boolean, expected="true or false",
            details="shown as \"Maria (phone)\" on the cards and the page; false: the masked number"),
    Setting("DIAL_IN_NUMBERS", "more numbers callers may dial, each with its language", VOICE, default=(),
            convert=values.dial_in_numbers,
            expected="a comma-separated list of number=language pairs like +4930901820=de-DE",
            shown_default="only `CONFERENCE_NUMBER`",
            details="e.g. `+442071234567=en-GB,+4930901820=de-DE`; link each to the same Vonage application; "
                    "the number dialled picks the prompts' and speech recognition's language"),
    Setting("DEFAULT_DIAL_IN_COUNTRY", "the country whose numbers the card lists first", VOICE, default="",
            convert=values.country_code, expected="a two-letter country code",
            shown_default="the country of `CONFERENCE_NUMBER`"),
    Setting("DEFAULT_LOCALE", "language of Slack messages and cards (en, de, es, fr or ja)", SLACK, default="en",
            convert=values.locale_name, expected="one of en, de, es, fr, ja",
            details="a member's own ephemerals follow their Slack locale where the app can read it"),
    Setting("ALLOWED_TEAM_IDS", "workspaces (`T…`) allowed to install and use the app", ACCESS,
            default=frozenset(), convert=values.id_list, expected="a comma-separated list of ids",
            shown_default="any", details="comma-separated"),
    Setting("ALLOWED_ENTERPRISE_IDS", "Enterprise Grid orgs (`E…`) allowed to install and use the app", ACCESS,
            default=frozenset(), convert=values.id_list, expected="a comma-separated list of ids",
            shown_default="any", details="comma-separated"),
    Setting("MAX_LIVE_MEETINGS_PER_TEAM", "live meetings one workspace may have at once", ACCESS, default=50,
            convert=values.positive_int, expected=WHOLE),
    Setting("RETENTION_DAYS", "days after which audit rows and finished phone legs are deleted", LIFECYCLE,
            default=30.0, convert=values.positive_float, expected="a positive number of days"),
    Setting("MEETING_TTL_HOURS", "hours after its start at which a meeting ends", LIFECYCLE, default=12.0,
            convert=values.ttl_hours, expected="a number of hours above 0, at most 720",
            details="at most 720: video tokens last 30 days at most; decimals allowed"),
    Setting("BRIDGE_IDLE_MINUTES", "minutes without callers after which a phone bridge is hung up", LIFECYCLE,
            default=5.0, convert=values.positive_float, expected=POSITIVE),
    Setting("AUTO_BRIDGE", "connect the phone bridge when the first caller enters a valid PIN", LIFECYCLE,
            default=True, convert=values.boolean, expected="true or false"),
    Setting("SWEEP_SECONDS", "how often the sweeper runs (expiry, idle bridges, retried hang-ups)", LIFECYCLE,
            default=15.0, convert=values.positive_float, expected=POSITIVE),
    Setting("SLACK_API_URL", "Slack Web API base URL", ENDPOINTS, default=DEFAULT_SLACK_API_URL),
    Setting("OPENTOK_API_URL", "Video API base URL", ENDPOINTS, default=DEFAULT_OPENTOK_API_URL,
            convert=values.without_trailing_slash),
    Setting("VONAGE_API_HOST", "Voice API host", ENDPOINTS, default=DEFAULT_VONAGE_API_HOST),
    Setting("OPENTOK_JS_URL", "the OpenTok.js release the join page loads", ENDPOINTS,
            default=DEFAULT_OPENTOK_JS_URL, details="see OpenTok.js release above"),
    Setting("OPENTOK_JS_INTEGRITY", "Subresource Integrity hash of `OPENTOK_JS_URL`", ENDPOINTS,
            default=DEFAULT_OPENTOK_JS_INTEGRITY, convert=values.sri_hash, expected="an SRI hash like sha384-…",
            shown_default="the default release's hash", details="a custom `OPENTOK_JS_URL` brings its own (or none)"),
    Setting("BRIDGE_SIP_URI", "SIP URI the video session dials to reach the phone bridge", ENDPOINTS, default="",
            shown_default="`sip:<CONFERENCE_NUMBER>@sip.nexmo.com;transport=tls`"),
)

BY_VARIABLE = {setting.variable: setting for setting in SETTINGS}
POSITION = {setting.variable: index for index, setting in enumerate(SETTINGS)}


def declared(variable: str) -> Any:
    """A `Settings` field read from `variable`: its default, and left out of repr() when secret."""
    setting = BY_VARIABLE[variable]
    metadata = {"variable": variable}
    if setting.required:
        return field(repr=not setting.secret, metadata=metadata)
    return field(default=setting.default, repr=not setting.secret, metadata=metadata)
