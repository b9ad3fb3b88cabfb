"""`python cli.py ...` as an admin runs it: a subprocess in the project root with only the
environment it is given. Exit codes: 0 good, 1 a service refused or was unreachable,
2 the settings themselves are wrong (one message listing every problem, no traceback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from meetbridge.storage import open_store
from tests.conftest import APP_ID, BOT_TOKEN, FakeClock
from tests.fakes import FakeVonage
from tests.fakes._server import Incoming, Parsed, Reply
from tests.web.opentok_double import OpenTokDouble

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MANIFEST_SCHEMA = PROJECT_ROOT / "schemas" / "slack-app-manifest.schema.1.0.0.json"  # MIT, Slack: schemas/README.md
PUBLIC_URL = "https://meet.acme.example"


class FakeVonageWithCallList(FakeVonage):
    """FakeVonage plus GET /v1/calls (list calls), the one cheap authenticated call that
    `check --online` makes. Shape: Vonage's HAL list (count, page_size, record_index, _links, _embedded)."""

    def _parse(self, incoming: Incoming) -> Parsed | Reply:
        if incoming.verb == "GET" and incoming.path == "/v1/calls":
            return "list_calls", dict(incoming.query)
        return super()._parse(incoming)

    def _handle(self, kind: str, entry: dict[str, Any], incoming: Incoming) -> Reply:
        if kind != "list_calls":
            return super()._handle(kind, entry, incoming)
        page_size = int(entry.get("page_size", 10))
        return Reply.json(200, {"count": 0, "page_size": page_size, "record_index": 0,
                                "_links": {"self": {"href": f"/v1/calls?page_size={page_size}&record_index=0"}},
                                "_embedded": {"calls": []}})


@pytest.fixture
def fake_vonage(voice_keypair, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeVonage]:
    with FakeVonageWithCallList(APP_ID, voice_keypair[1]) as fake:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", fake.ca_bundle_path)
        yield fake


@pytest.fixture
def cli_env(base_env, fake_vonage) -> Iterator[dict[str, str]]:
    """base_env plus what any process needs, the fake Vonage CA so TLS to it verifies, and a
    local OpenTok.js with its SRI hash (`check --online` downloads and compares it)."""
    with OpenTokDouble() as opentok_js:
        yield {**base_env, "REQUESTS_CA_BUNDLE": fake_vonage.ca_bundle_path,
               "OPENTOK_JS_URL": opentok_js.script_url, "OPENTOK_JS_INTEGRITY": opentok_js.integrity}


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run cli.py from the project root with exactly `env` (plus PATH); nothing else leaks in."""
    process_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_PROXY": "127.0.0.1,localhost",
                   "PYTHONIOENCODING": "utf-8", "HOME": tempfile.gettempdir(), **env}
    return subprocess.run([sys.executable, "cli.py", *args], cwd=PROJECT_ROOT, env=process_env,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)


@pytest.mark.sqlite_only
def test_check_with_good_single_workspace_settings_exits_0_and_names_the_mode(cli_env):
    result = run_cli("check", env=cli_env)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (f"Settings OK. Slack mode: single workspace (bot token). "
                             f"Database: {cli_env['DATABASE_PATH']}. Public URL: http://127.0.0.1:9\n")


def test_check_names_a_server_database_without_its_password(cli_env):
    env = dict(cli_env, DATABASE_URL="postgresql://meetbridge:hunter2@db.internal:5433/meetbridge")
    result = run_cli("check", env=env)
    assert result.returncode == 0, result.stderr
    assert "Database: postgresql://meetbridge@db.internal:5433/meetbridge. " in result.stdout
    assert "hunter2" not in result.stdout + result.stderr


def test_check_with_oauth_settings_names_the_oauth_mode(cli_env):
    env = {name: value for name, value in cli_env.items() if name != "SLACK_BOT_TOKEN"}
    env.update(SLACK_CLIENT_ID="1111.2222", SLACK_CLIENT_SECRET="oauth-client-secret")
    result = run_cli("check", env=env)
    assert result.returncode == 0, result.stderr
    assert "Slack mode: OAuth (multi-workspace)." in result.stdout


def test_check_with_both_a_bot_token_and_oauth_credentials_is_a_settings_problem(cli_env):
    env = {**cli_env, "SLACK_CLIENT_ID": "1111.2222", "SLACK_CLIENT_SECRET": "oauth-client-secret"}
    result = run_cli("check", env=env)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "meetbridge cannot start.\nSettings problems:\n"
        "  - set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID/SECRET (OAuth), not both\n"
        "See README.md (Settings) and .env.example.\n")


def test_check_with_nothing_set_exits_2_listing_every_missing_setting_without_a_traceback():
    result = run_cli("check", env={})
    assert (result.returncode, result.stdout) == (2, "")
    assert "Traceback" not in result.stderr
    listed = [line.removeprefix("  - ").split(" ")[0] for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert listed == ["SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "VONAGE_PRIVATE_KEY", "VIDEO_API_KEY",
                      "VIDEO_API_SECRET", "VOICE_API_KEY", "VOICE_API_SECRET", "VONAGE_APPLICATION_ID",
                      "CONFERENCE_NUMBER", "SERVER_URL"]


def test_check_online_reaches_slack_video_and_voice(cli_env, fake_slack, fake_opentok, fake_vonage):
    result = run_cli("check", "--online", env=cli_env)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    assert result.stdout.splitlines()[-1] == "Slack, Video and Voice all answered."
    assert fake_slack.tokens("auth.test") == [BOT_TOKEN]
    assert len(fake_opentok.requests("create_session")) == 1
    assert fake_vonage.requests("list_calls") == [{"page_size": "1"}]


def test_check_online_with_a_wrong_video_secret_exits_1_and_says_video_refused_the_key(cli_env):
    wrong_secret = "not-the-project-secret-0123456789abcdef0"
    result = run_cli("check", "--online", env={**cli_env, "VIDEO_API_SECRET": wrong_secret})
    assert result.returncode == 1
    assert result.stderr == "  ✗ Video: the video service refused our API key or secret\n"


def test_check_online_names_each_service_that_failed_and_why(cli_env, fake_slack, fake_vonage):
    fake_slack.fail("auth.test", "invalid_auth")
    fake_vonage.http_status("list_calls", 401)
    result = run_cli("check", "--online", env=cli_env)
    assert result.returncode == 1
    assert [line for line in result.stderr.splitlines() if "✗" in line] == [
        "  ✗ Slack: auth.test failed (invalid_auth)",
        "  ✗ Voice: the voice service refused our application credentials",
    ]


def test_manifest_fills_in_server_url_and_validates_against_slacks_schema():
    result = run_cli("manifest", env={"SERVER_URL": PUBLIC_URL + "/"})  # as admins often paste it
    assert (result.returncode, result.stderr) == (0, "")
    manifest = yaml.safe_load(result.stdout)
    schema = json.loads(MANIFEST_SCHEMA.read_text(encoding="utf-8"))
    assert list(jsonschema.Draft7Validator(schema).iter_errors(manifest)) == []
    assert [command["url"] for command in manifest["features"]["slash_commands"]] == [f"{PUBLIC_URL}/slack/events"]
    assert manifest["settings"]["interactivity"]["request_url"] == f"{PUBLIC_URL}/slack/events"
    assert manifest["settings"]["event_subscriptions"]["request_url"] == f"{PUBLIC_URL}/slack/events"
    assert manifest["oauth_config"]["redirect_urls"] == [f"{PUBLIC_URL}/slack/oauth_redirect"]
    assert "meetbridge.example.com" not in result.stdout


@pytest.fixture(name="clock")
def clock_thirteen_hours_ago() -> FakeClock:
    """Meetings started through the app fixture are 13 h old by the real clock the CLI uses."""
    return FakeClock(start=time.time() - 13 * 3600)


def test_sweep_ends_meetings_past_their_lifetime_and_exits_0(cli_env, start_meeting, settings, app):
    meeting = start_meeting("Forgotten")
    result = run_cli("sweep", env=cli_env)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    store = open_store(settings.database_url)
    try:
        ended = store.meetings.get(meeting.id)
        assert (ended.is_live, ended.ended_reason) == (False, "expired")
        assert store.pins.live_meeting_id(meeting.pin) is None
    finally:
        store.close()


def test_sweep_also_runs_the_clean_up_pass_pruning_rows_past_retention(cli_env, settings, app):
    store = open_store(settings.database_url)
    try:
        store.webhook_log.record(time.time() - 31 * 86400, "/voice-events", None, "old", "past RETENTION_DAYS")
        store.webhook_log.record(time.time(), "/voice-events", None, "new", "recent")
        store.webhook_log.flush()
    finally:
        store.close()

    result = run_cli("sweep", env=cli_env)

    assert (result.returncode, result.stderr) == (0, "")
    store = open_store(settings.database_url)
    try:
        assert [row["status"] for row in store.webhook_log.recent()] == ["new"]
    finally:
        store.close()
