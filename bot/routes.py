"""Slack's one request URL (`/slack/events`: command, buttons, events) and, in OAuth mode,
the install pages — all through Bolt's Flask adapter."""

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

    if bolt_app.oauth_flow is not None:
        @slack.get("/slack/install")
        def install():
            """'Add to Slack' page; sets the OAuth state cookie."""
            return handler.handle(request)

        @slack.get("/slack/oauth_redirect")
        def oauth_redirect():
            """Slack sends the installer back here; state checked against store and cookie."""
            return handler.handle(request)

    return slack
