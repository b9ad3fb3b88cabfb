"""An empty value counts as unset, also for the variables the Slack SDK reads by itself:
`SLACK_CLIENT_ID=` copied from .env.example must not switch Bolt to its file-based OAuth."""

from __future__ import annotations

import logging
import os

from app import create_app
from meetbridge.environment import forget_empty_sdk_variables, load_environment, sdk_variables_hidden


def test_empty_slack_variables_are_forgotten_and_others_kept():
    environ = {"SLACK_CLIENT_ID": "", "SLACK_CLIENT_SECRET": "  ", "SLACK_BOT_TOKEN": "xoxb-1", "PORT": ""}
    assert forget_empty_sdk_variables(environ) == ["SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"]
    assert environ == {"SLACK_BOT_TOKEN": "xoxb-1", "PORT": ""}


def test_dotenv_with_empty_oauth_variables_leaves_them_unset(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("SLACK_CLIENT_ID=\nSLACK_CLIENT_SECRET=\nSLACK_BOT_TOKEN=xoxb-from-dotenv\n")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-shell")  # the real environment wins
    load_environment(tmp_path)

    assert ("SLACK_CLIENT_ID" in os.environ, "SLACK_CLIENT_SECRET" in os.environ) == (False, False)
    assert os.environ["SLACK_BOT_TOKEN"] == "xoxb-from-shell"


def test_slack_variables_are_hidden_only_inside_the_block(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    with sdk_variables_hidden(os.environ):
        assert "SLACK_BOT_TOKEN" not in os.environ
    assert os.environ["SLACK_BOT_TOKEN"] == "xoxb-1"


def test_single_workspace_app_with_empty_oauth_variables_has_no_install_page_and_logs_no_warning(
        settings, clock, monkeypatch, caplog):
    """As after copying .env.example: the bot token set, the OAuth pair present but empty."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", settings.slack_bot_token)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", settings.slack_signing_secret)
    monkeypatch.setenv("SLACK_CLIENT_ID", "")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "")
    with caplog.at_level(logging.INFO):
        app = create_app(settings, clock=clock, run_sweeper=False)
    try:
        assert app.extensions["meetbridge.bolt"].oauth_flow is None
        assert app.test_client().get("/slack/install").status_code == 404
        assert [r.getMessage() for r in caplog.records if r.name.startswith("slack_bolt")] == []
        assert os.environ["SLACK_BOT_TOKEN"] == settings.slack_bot_token  # only hidden from Bolt
    finally:
        app.extensions["meetbridge.shutdown"]()
