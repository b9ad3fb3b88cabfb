"""Admin commands: check the settings, print the Slack manifest, run one sweep.

    python cli.py check [--online]   # every setting; --online also reaches Slack, Video, Voice
                                     # and checks OPENTOK_JS_URL against OPENTOK_JS_INTEGRITY
    python cli.py manifest           # manifest.yml with SERVER_URL filled in
    python cli.py sweep              # one sweep: expiry, idle bridges, leg clean-up, pruning (cron)
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from slack_sdk.errors import SlackApiError

from app import build_services, settings_or_exit
from bot.slack_client import slack_web_client
from meetbridge.clock import SystemClock
from meetbridge.environment import load_environment
from meetbridge.errors import UpstreamError
from meetbridge.settings import Settings
from meetbridge.voice import check_voice_credentials
from web.opentok_js_pin import integrity_problem

MANIFEST = Path(__file__).with_name("manifest.yml")
PLACEHOLDER_URL = "https://meetbridge.example.com"


def render_manifest(server_url: str) -> str:
    """The repository's manifest with the placeholder host replaced by SERVER_URL."""
    return MANIFEST.read_text(encoding="utf-8").replace(PLACEHOLDER_URL, server_url)


def online_problems(settings: Settings) -> list[str]:
    """Reach each platform once; say which failed and why, in plain words."""
    problems = []
    services = build_services(settings, SystemClock(), secrets.SystemRandom())
    try:
        if settings.slack_bot_token:
            slack_web_client(settings.slack_bot_token, settings.slack_api_url).auth_test()
    except SlackApiError as error:
        problems.append(f"Slack: auth.test failed ({error.response.get('error')})")
    except OSError as error:
        problems.append(f"Slack: could not reach {settings.slack_api_url} ({type(error).__name__})")
    for name, probe in (("Video", services.video.create_routed_session),
                        ("Voice", lambda: check_voice_credentials(services.voice))):
        try:
            probe()
        except UpstreamError as error:
            problems.append(f"{name}: {error.reason}")
    services.store.close()
    pin = integrity_problem(settings.opentok_js_url, settings.opentok_js_integrity)
    if pin:
        problems.append(f"OpenTok.js: {pin}")
    return problems


def shown_database(settings: Settings) -> str:
    """The SQLite file, or the server database's URL without its password."""
    if settings.database_path:
        return settings.database_path
    parts = urlsplit(settings.database_url)
    netloc = f"{parts.username}@{parts.hostname}" if parts.username else parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def check(online: bool) -> int:
    """`cli.py check`: the settings, and with `online` one call to each platform; the exit status."""
    settings = settings_or_exit(os.environ)
    mode = "OAuth (multi-workspace)" if settings.oauth_mode else "single workspace (bot token)"
    print(f"Settings OK. Slack mode: {mode}. Database: {shown_database(settings)}. Public URL: {settings.server_url}")
    if not online:
        return 0
    problems = online_problems(settings)
    for problem in problems:
        print(f"  ✗ {problem}", file=sys.stderr)
    if not problems:
        print(f"OpenTok.js at {settings.opentok_js_url} matches OPENTOK_JS_INTEGRITY.")
        print("Slack, Video and Voice all answered.")
    return 1 if problems else 0


def sweep() -> int:
    """`cli.py sweep`: one full sweep, for cron."""
    settings = settings_or_exit(os.environ)
    services = build_services(settings, SystemClock(), secrets.SystemRandom())
    services.lifecycle.sweep()
    services.background.shutdown()
    services.lifecycle.close()
    services.store.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one admin command; the exit status."""
    load_environment()  # the working directory's .env; empty values count as unset
    parser = argparse.ArgumentParser(prog="cli.py", description="meetbridge admin commands")
    commands = parser.add_subparsers(dest="command", required=True)
    check_parser = commands.add_parser("check", help="check every setting")
    check_parser.add_argument("--online", action="store_true",
                              help="also reach Slack, Video and Voice, and check OpenTok.js against its SRI hash")
    commands.add_parser("manifest", help="print manifest.yml with SERVER_URL filled in")
    commands.add_parser("sweep", help="run one sweep (expiry, idle bridges, leg clean-up, pruning) and exit")
    args = parser.parse_args(argv)
    if args.command == "check":
        return check(args.online)
    if args.command == "manifest":
        url = os.environ.get("SERVER_URL", "").rstrip("/") or PLACEHOLDER_URL
        print(render_manifest(url), end="")
        return 0
    return sweep()


if __name__ == "__main__":
    sys.exit(main())
