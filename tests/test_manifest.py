"""manifest.yml is what an admin pastes into api.slack.com: it must be valid for Slack's own
schema, ask for the scopes the code uses, and send every Slack request to /slack/events."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.scopes import BOT_EVENTS, BOT_SCOPES

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MANIFEST_SCHEMA = PROJECT_ROOT / "schemas" / "slack-app-manifest.schema.1.0.0.json"  # MIT, Slack: schemas/README.md


def manifest_schema() -> dict:
    return json.loads(MANIFEST_SCHEMA.read_text(encoding="utf-8"))


def schema_errors(manifest: dict) -> list[str]:
    """Every violation of Slack's manifest schema, as readable paths and messages."""
    validator = jsonschema.Draft7Validator(manifest_schema())
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(manifest))


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "manifest.yml").read_text(encoding="utf-8"))


def test_manifest_validates_against_slacks_schema(manifest):
    assert schema_errors(manifest) == []


def test_schema_check_catches_a_broken_manifest(manifest):
    """The validation above can fail: a too-short long_description is refused."""
    broken = {**manifest, "display_information": {**manifest["display_information"], "long_description": "short"}}
    assert schema_errors(broken) == ["display_information/long_description: 'short' is too short"]


def test_bot_scopes_are_exactly_the_ones_the_code_asks_for_in_oauth(manifest):
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)


def test_bot_scopes_cover_the_command_posting_in_any_channel_and_calls(manifest):
    assert {"commands", "chat:write", "chat:write.public", "calls:read", "calls:write"} <= set(
        manifest["oauth_config"]["scopes"]["bot"])


def test_bot_events_are_the_ones_the_app_listens_to(manifest):
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == list(BOT_EVENTS)


def test_every_slack_request_url_ends_in_slack_events(manifest):
    urls = [command["url"] for command in manifest["features"]["slash_commands"]]
    urls += [manifest["settings"]["interactivity"]["request_url"],
             manifest["settings"]["event_subscriptions"]["request_url"]]
    assert urls == ["https://meetbridge.example.com/slack/events"] * 3


def test_the_meet_command_and_home_tab_are_declared(manifest):
    assert [command["command"] for command in manifest["features"]["slash_commands"]] == ["/meet"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_oauth_redirect_url_is_our_redirect_route(manifest):
    assert manifest["oauth_config"]["redirect_urls"] == ["https://meetbridge.example.com/slack/oauth_redirect"]
