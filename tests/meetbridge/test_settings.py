"""Settings: one message listing every problem, typed values, secrets kept out of repr, and each
setting declared once (reader, Settings, README table, .env.example)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from meetbridge.settings import (
    DEFAULT_OPENTOK_JS_INTEGRITY,
    DEFAULT_OPENTOK_JS_URL,
    SETTINGS,
    Settings,
    SettingsError,
    load_settings,
)
from meetbridge.settings import readme as readme_table

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "SLACK_SIGNING_SECRET": "signing-secret-5f1e2d",
    "SLACK_BOT_TOKEN": "xoxb-42-bot-token-9a8b7c",
    "VIDEO_API_SECRET": "video-secret-0c1d2e3f",
    "VOICE_API_SECRET": "voice-secret-4a5b6c",
    "VONAGE_SIGNATURE_SECRET": "vonage-signature-7d8e9f",
}
EVERY_MISSING_SETTING = [
    "SLACK_SIGNING_SECRET is missing (Slack request verification)",
    "SLACK_BOT_TOKEN is missing (or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth)",
    "VONAGE_PRIVATE_KEY is missing (Voice application private key: file path or PEM text)",
    "VIDEO_API_KEY is missing (Video API project key)",
    "VIDEO_API_SECRET is missing (Video API project secret)",
    "VOICE_API_KEY is missing (Vonage account API key)",
    "VOICE_API_SECRET is missing (Vonage account API secret)",
    "VONAGE_APPLICATION_ID is missing (Voice application id)",
    "CONFERENCE_NUMBER is missing (the Vonage number callers dial)",
    "SERVER_URL is missing (public base URL)",
]


@pytest.fixture
def private_key_pem(voice_keypair) -> str:
    return voice_keypair[0]


@pytest.fixture
def valid_env(private_key_pem) -> dict[str, str]:
    """Every required setting, nothing optional: what a minimal .env holds."""
    return {
        **SECRETS,
        "VIDEO_API_KEY": "47000001", "VOICE_API_KEY": "abcd1234",
        "VONAGE_APPLICATION_ID": "aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
        "VONAGE_PRIVATE_KEY": private_key_pem,
        "CONFERENCE_NUMBER": "+15550100000", "SERVER_URL": "https://meet.example.com/",
    }


def problems_of(environ: dict[str, str]) -> list[str]:
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    return raised.value.problems


def test_empty_environment_lists_every_missing_setting_in_one_error():
    assert problems_of({}) == EVERY_MISSING_SETTING


def test_settings_error_message_names_every_problem():
    with pytest.raises(SettingsError) as raised:
        load_settings({})
    message = str(raised.value)
    assert [problem for problem in EVERY_MISSING_SETTING if problem not in message] == []


def test_blank_values_count_as_missing(valid_env):
    assert problems_of(dict(valid_env, VIDEO_API_KEY="   ", SERVER_URL="")) == [
        "VIDEO_API_KEY is missing (Video API project key)",
        "SERVER_URL is missing (public base URL)",
    ]


def test_minimal_environment_gives_documented_defaults(valid_env, private_key_pem):
    settings = load_settings(valid_env)
    assert settings == Settings(
        slack_signing_secret=SECRETS["SLACK_SIGNING_SECRET"], slack_bot_token=SECRETS["SLACK_BOT_TOKEN"],
        slack_client_id=None, slack_client_secret=None, slack_app_token=None,
        video_api_key="47000001", video_api_secret=SECRETS["VIDEO_API_SECRET"],
        voice_api_key="abcd1234", voice_api_secret=SECRETS["VOICE_API_SECRET"],
        vonage_application_id="aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
        vonage_private_key=private_key_pem.strip(),  # surrounding whitespace of any value is dropped
        conference_number="15550100000", server_url="https://meet.example.com",
        vonage_signature_secret=SECRETS["VONAGE_SIGNATURE_SECRET"],
        database_path="meetbridge.db", database_url="sqlite:///meetbridge.db", port=3000, pin_length=9,
        pin_attempts=3, pin_lockout_failures=10,
        meeting_ttl_hours=12.0, bridge_idle_minutes=5.0, auto_bridge=True, sweep_seconds=15.0,
        slack_api_url="https://slack.com/api/", opentok_api_url="https://api.opentok.com",
        vonage_api_host="api.nexmo.com",
        opentok_js_url=DEFAULT_OPENTOK_JS_URL, opentok_js_integrity=DEFAULT_OPENTOK_JS_INTEGRITY,
    )


def test_malformed_values_are_all_reported_together(valid_env):
    environ = dict(valid_env, PORT="abc", PIN_LENGTH="2", SERVER_URL="http://meet.example.com",
                   AUTO_BRIDGE="maybe", MEETING_TTL_HOURS="0", CONFERENCE_NUMBER="call us")
    assert problems_of(environ) == [
        "CONFERENCE_NUMBER='call us' is not an E.164 phone number",
        "SERVER_URL='http://meet.example.com' is not an https URL (http only on localhost)",
        "PORT='abc' is not a TCP port",
        "PIN_LENGTH='2' is not a whole number from 8 to 12",
        "MEETING_TTL_HOURS='0' is not a number of hours above 0, at most 720",
        "AUTO_BRIDGE='maybe' is not true or false",
    ]


def test_missing_and_malformed_settings_are_reported_together(valid_env):
    environ = {k: v for k, v in valid_env.items() if k != "VOICE_API_KEY"}
    assert problems_of(dict(environ, PORT="70000")) == [
        "VOICE_API_KEY is missing (Vonage account API key)",
        "PORT='70000' is not a TCP port",
    ]


@pytest.mark.parametrize("server_url", ["http://127.0.0.1:3000", "http://localhost:3000/", "http://[::1]:8080"])
def test_plain_http_server_url_is_accepted_on_loopback_hosts(valid_env, server_url):
    assert load_settings(dict(valid_env, SERVER_URL=server_url)).server_url == server_url.rstrip("/")


@pytest.mark.parametrize("server_url", ["http://10.0.0.5", "ftp://meet.example.com", "meet.example.com"])
def test_server_url_must_be_https_off_loopback(valid_env, server_url):
    assert problems_of(dict(valid_env, SERVER_URL=server_url)) == [
        f"SERVER_URL={server_url!r} is not an https URL (http only on localhost)"]


def test_durations_accept_decimals_so_tests_and_demos_can_shorten_them(valid_env):
    settings = load_settings(dict(valid_env, MEETING_TTL_HOURS="0.05", BRIDGE_IDLE_MINUTES="0.05",
                                  SWEEP_SECONDS="0.05"))
    assert (settings.meeting_ttl_hours, settings.bridge_idle_minutes, settings.sweep_seconds) == (0.05, 0.05, 0.05)
    assert (settings.meeting_ttl_seconds, settings.bridge_idle_seconds) == (pytest.approx(180.0), pytest.approx(3.0))


@pytest.mark.parametrize("hours", ["721", "-1", "nan", "inf", "twelve"])
def test_meeting_lifetime_must_fit_the_30_days_a_video_token_can_live(valid_env, hours):
    assert problems_of(dict(valid_env, MEETING_TTL_HOURS=hours)) == [
        f"MEETING_TTL_HOURS={hours!r} is not a number of hours above 0, at most 720"]


def test_policy_settings_are_read_as_numbers_and_booleans(valid_env):
    settings = load_settings(dict(valid_env, PORT="8080", PIN_LENGTH="8", PIN_ATTEMPTS="5",
                                  PIN_LOCKOUT_FAILURES="4", AUTO_BRIDGE="off"))
    assert (settings.port, settings.pin_length, settings.pin_attempts, settings.pin_lockout_failures,
            settings.auto_bridge) == (8080, 8, 5, 4, False)


@pytest.mark.parametrize("number", ["+15550100000", "15550100000", "+1 555 010 0000"])
def test_conference_number_is_kept_as_digits_with_or_without_plus(valid_env, number):
    assert load_settings(dict(valid_env, CONFERENCE_NUMBER=number)).conference_number == "15550100000"


def test_sip_uri_dials_the_conference_number_over_tls(valid_env):
    assert load_settings(valid_env).sip_uri == "sip:15550100000@sip.nexmo.com;transport=tls"


def test_private_key_can_be_a_file_path(valid_env, private_key_pem, tmp_path):
    key_file = tmp_path / "private.key"
    key_file.write_text(private_key_pem, encoding="ascii")
    assert load_settings(dict(valid_env, VONAGE_PRIVATE_KEY=str(key_file))).vonage_private_key == private_key_pem


def test_private_key_as_pem_text_with_escaped_newlines_is_unescaped(valid_env, private_key_pem):
    one_line = private_key_pem.replace("\n", "\\n")
    assert load_settings(dict(valid_env, VONAGE_PRIVATE_KEY=one_line)).vonage_private_key == private_key_pem


@pytest.mark.parametrize("content", [None, "not a key"])
def test_private_key_path_that_is_missing_or_not_pem_is_a_problem(valid_env, tmp_path, content):
    key_file = tmp_path / "private.key"
    if content is not None:
        key_file.write_text(content, encoding="ascii")
    assert problems_of(dict(valid_env, VONAGE_PRIVATE_KEY=str(key_file))) == [
        "VONAGE_PRIVATE_KEY is neither PEM text nor a readable PEM file"]


def test_endpoint_overrides_are_used(valid_env):
    settings = load_settings(dict(valid_env, SLACK_API_URL="http://127.0.0.1:1/api/",
                                  OPENTOK_API_URL="http://127.0.0.1:2/", VONAGE_API_HOST="127.0.0.1:3",
                                  OPENTOK_JS_URL="http://127.0.0.1:4/opentok.js"))
    assert (settings.slack_api_url, settings.opentok_api_url, settings.vonage_api_host, settings.opentok_js_url) == (
        "http://127.0.0.1:1/api/", "http://127.0.0.1:2", "127.0.0.1:3", "http://127.0.0.1:4/opentok.js")


def test_oauth_mode_needs_both_client_id_and_secret_and_no_bot_token(valid_env):
    without_token = {k: v for k, v in valid_env.items() if k != "SLACK_BOT_TOKEN"}
    assert load_settings(dict(without_token, SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="s")).oauth_mode is True
    assert problems_of(dict(without_token, SLACK_CLIENT_ID="1.2")) == [
        "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET must be set together (OAuth mode)"]
    assert problems_of(dict(valid_env, SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="s")) == [
        "set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID/SECRET (OAuth), not both"]


def test_tokens_of_the_wrong_kind_are_refused(valid_env):
    assert problems_of(dict(valid_env, SLACK_BOT_TOKEN="xoxp-user-token", SLACK_APP_TOKEN="xoxb-1")) == [
        "SLACK_BOT_TOKEN must be a bot token starting with xoxb-",
        "SLACK_APP_TOKEN must be an app-level token starting with xapp-",
    ]


def test_repr_of_settings_shows_no_secret(valid_env, private_key_pem):
    environ = dict(valid_env, SLACK_APP_TOKEN="xapp-1-app-token-77", VONAGE_SIGNATURE_SECRET="sig-secret-88",
                   VIDEO_EVENTS_SECRET="events-secret-99")
    shown = repr(load_settings(environ))
    secrets = [*SECRETS.values(), "xapp-1-app-token-77", "sig-secret-88", "events-secret-99",
               private_key_pem.splitlines()[1]]
    assert [secret for secret in secrets if secret in shown] == []
    assert "video_api_key='47000001'" in shown  # repr still useful: non-secrets are shown


def test_python_app_py_with_empty_environment_lists_every_missing_setting_and_exits_2(tmp_path):
    """What an admin sees on a fresh machine: one list, exit status 2, no traceback."""
    result = subprocess.run([sys.executable, str(ROOT / "app.py")], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60, env={"PATH": os.environ.get("PATH", "")})
    output = result.stdout + result.stderr
    assert result.returncode == 2
    assert [problem for problem in EVERY_MISSING_SETTING if problem not in result.stderr] == []
    assert "Traceback" not in output


def test_a_public_server_url_without_the_vonage_signature_secret_is_refused(valid_env):
    environ = {k: v for k, v in valid_env.items() if k != "VONAGE_SIGNATURE_SECRET"}
    assert problems_of(environ) == [
        "VONAGE_SIGNATURE_SECRET is missing: a public SERVER_URL needs signed voice webhooks "
        "(Vonage Dashboard › Settings › API settings › Signature secret)"]


def test_a_loopback_server_url_may_run_without_the_signature_secret(valid_env):
    environ = {k: v for k, v in valid_env.items() if k != "VONAGE_SIGNATURE_SECRET"}
    settings = load_settings(dict(environ, SERVER_URL="http://127.0.0.1:3000"))
    assert (settings.vonage_signature_secret, settings.is_loopback) == (None, True)


def test_spending_and_access_limits_are_read_with_their_defaults(valid_env):
    defaults = load_settings(valid_env)
    assert (defaults.pin_length, defaults.pin_failure_budget, defaults.max_phone_callers,
            defaults.bridge_dial_interval_seconds, defaults.bridge_dials_per_hour,
            defaults.bridge_max_seconds, defaults.allowed_team_ids, defaults.max_live_meetings_per_team,
            defaults.retention_days) == (9, 300, 50, 30.0, 10, 12 * 3600, frozenset(), 50, 30.0)
    tuned = load_settings(dict(valid_env, PIN_FAILURE_BUDGET="50", MAX_PHONE_CALLERS="20",
                               BRIDGE_MAX_HOURS="2", ALLOWED_TEAM_IDS="T0001, T0002",
                               ALLOWED_ENTERPRISE_IDS="E0001", RETENTION_DAYS="7"))
    assert (tuned.pin_failure_budget, tuned.max_phone_callers, tuned.bridge_max_seconds,
            tuned.allowed_team_ids, tuned.retention_days) == (50, 20, 7200.0, frozenset({"T0001", "T0002"}), 7.0)
    assert tuned.team_allowed("T0002", None) and tuned.team_allowed("T9999", "E0001")
    assert not tuned.team_allowed("T9999", None)


def test_database_url_chooses_the_back_end_and_wins_over_database_path(valid_env):
    sqlite = load_settings(dict(valid_env, DATABASE_PATH="/data/a.db"))
    assert (sqlite.database_path, sqlite.database_url) == ("/data/a.db", "sqlite:////data/a.db")
    url = load_settings(dict(valid_env, DATABASE_PATH="/data/a.db", DATABASE_URL="sqlite:////srv/b.db"))
    assert (url.database_path, url.database_url) == ("/srv/b.db", "sqlite:////srv/b.db")
    postgres = load_settings(dict(valid_env, DATABASE_URL="postgresql://mb:hunter2@db.internal/mb"))
    assert (postgres.database_path, postgres.database_url) == ("", "postgresql://mb:hunter2@db.internal/mb")
    assert "hunter2" not in repr(postgres)


def test_a_database_url_of_another_kind_is_refused_without_echoing_it(valid_env):
    problems = problems_of(dict(valid_env, DATABASE_URL="mysql://root:hunter2@db/mb"))
    assert len(problems) == 1 and "DATABASE_URL" in problems[0] and "hunter2" not in problems[0]


# Each setting declared once: the declarations drive the reader, Settings, README and .env.example.

def test_readme_settings_table_is_generated_from_the_declarations():
    """Fails when a declaration changed and README was not regenerated (`python -m meetbridge.settings --readme`)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_table.with_table(readme) == readme


def test_readme_command_rewrites_a_stale_table_between_the_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# App\n{readme_table.BEGIN}\n| old | table |\n{readme_table.END}\nmore\n", encoding="utf-8")
    assert readme_table.write_readme(readme) is True
    assert readme.read_text(encoding="utf-8") == (
        f"# App\n{readme_table.BEGIN}\n{readme_table.markdown_table()}{readme_table.END}\nmore\n")
    assert readme_table.write_readme(readme) is False


def test_every_declared_setting_is_in_dotenv_example():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    shown = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    assert [setting.variable for setting in SETTINGS if setting.variable not in shown] == []


def test_every_settings_field_reads_one_declared_variable_and_every_declaration_is_read():
    read_by_settings = [settings_field.metadata["variable"] for settings_field in fields(Settings)]
    assert len(read_by_settings) == len(set(read_by_settings))
    assert sorted(read_by_settings) == sorted(setting.variable for setting in SETTINGS if not setting.read_by)


def test_settings_read_before_the_app_exists_keep_their_declared_defaults():
    """gunicorn.conf.py and app.py's logging read a few variables themselves: same defaults."""
    readers = [(setting.read_by, setting) for setting in SETTINGS if setting.read_by]
    readers.append(("gunicorn.conf.py", next(one for one in SETTINGS if one.variable == "PORT")))
    for path, setting in readers:
        source = (ROOT / path).read_text(encoding="utf-8")
        literal = re.search(rf"""["']{setting.variable}["'],\s*["']([^"']*)["']""", source)
        assert literal is not None and literal.group(1) == str(setting.default), (path, setting.variable)


def test_no_secret_reaches_repr_or_a_problem_message(valid_env, private_key_pem):
    secrets = [setting for setting in SETTINGS if setting.secret]
    given = {setting.variable: f"{setting.variable.lower()}-value-7c1e" for setting in secrets}
    problems = problems_of(dict(valid_env, **given))  # none of these texts is a valid token, key or URL
    assert [line for line in problems if "-value-7c1e" in line] == []
    assert {"SLACK_BOT_TOKEN must be a bot token starting with xoxb-",
            "VONAGE_PRIVATE_KEY is neither PEM text nor a readable PEM file"} <= set(problems)
    settings = load_settings(dict(valid_env, SLACK_APP_TOKEN="xapp-1-value-7c1e",
                                  VIDEO_EVENTS_SECRET="events-value-7c1e",
                                  DATABASE_URL="postgresql://mb:value-7c1e@db/mb"))
    assert "value-7c1e" not in repr(settings)
    assert {settings_field.name for settings_field in fields(Settings) if not settings_field.repr} == {
        "slack_signing_secret", "slack_bot_token", "slack_client_secret", "slack_app_token", "video_api_secret",
        "voice_api_secret", "vonage_private_key", "vonage_signature_secret", "video_events_secret", "database_url"}


def test_problems_follow_the_declaration_order_whatever_check_found_them(valid_env):
    """A rule over several settings reports at the place of the setting it names."""
    environ = {k: v for k, v in valid_env.items() if k not in {"SLACK_BOT_TOKEN", "VIDEO_API_KEY"}}
    assert problems_of(dict(environ, SLACK_APP_TOKEN="nope", PORT="0")) == [
        "SLACK_BOT_TOKEN is missing (or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth)",
        "SLACK_APP_TOKEN must be an app-level token starting with xapp-",
        "VIDEO_API_KEY is missing (Video API project key)",
        "PORT='0' is not a TCP port",
    ]


def test_a_custom_opentok_js_url_without_a_hash_gets_none_not_the_default_releases(valid_env):
    settings = load_settings(dict(valid_env, OPENTOK_JS_URL="https://cdn.example.com/opentok.js"))
    assert settings.opentok_js_integrity == ""
    assert problems_of(dict(valid_env, OPENTOK_JS_INTEGRITY="md5-abc")) == [
        "OPENTOK_JS_INTEGRITY='md5-abc' is not an SRI hash like sha384-…"]


def test_dial_out_settings(valid_env):
    settings = load_settings(dict(valid_env, DIAL_OUT="Starter", DIAL_OUT_COUNTRIES="us, ca,US",
                                  DIAL_OUT_PER_MEMBER_HOUR="3", DIAL_OUT_PER_TEAM_HOUR="30"))
    assert (settings.dial_out, settings.dial_out_countries) == ("starter", ("US", "CA"))
    assert (settings.dial_out_per_member_hour, settings.dial_out_per_team_hour) == (3, 30)
    defaults = load_settings(valid_env)
    assert (defaults.dial_out, defaults.dial_out_countries) == ("members", ())  # () → CONFERENCE_NUMBER's
    assert (defaults.dial_out_per_member_hour, defaults.dial_out_per_team_hour) == (10, 100)
    assert problems_of(dict(valid_env, DIAL_OUT="everyone", DIAL_OUT_COUNTRIES="US,XX",
                            DIAL_OUT_PER_TEAM_HOUR="0")) == [
        "DIAL_OUT='everyone' is not off, starter or members",
        "DIAL_OUT_COUNTRIES='US,XX' is not a comma-separated list of two-letter country codes",
        "DIAL_OUT_PER_TEAM_HOUR='0' is not a positive whole number",
    ]
