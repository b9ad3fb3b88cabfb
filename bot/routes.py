"""Slack's one request URL (`/slack/events`): slash command, buttons and events, through Bolt."""

from __future__ import annotations

from flask import Blueprint, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler


def create_slack_blueprint(bolt_app: App) -> Blueprint:
    slack = Blueprint("slack", __name__)
    handler = SlackRequestHandler(bolt_app)

    @slack.post("/slack/events")
    def events():
        """Bolt verifies the signature (401 otherwise), acks and dispatches."""
        return handler.handle(request)

    return slack
