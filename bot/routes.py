"""Slack's one request URL (`/slack/events`: command, buttons, events) and, in OAuth mode,
the install pages — all through Bolt's Flask adapter."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.adapter.flask.handler import to_bolt_request, to_flask_response

from .payload_shape import shape_problem


def create_slack_blueprint(bolt_app: App) -> Blueprint:
    """The blueprint of Slack's routes, all handed to `bolt_app`."""
    slack = Blueprint("slack", __name__)
    handler = SlackRequestHandler(bolt_app)

    @slack.post("/slack/events")
    def events():
        """Bolt verifies the signature (401 otherwise), acks and dispatches."""
        try:  # Bolt parses the body before checking the signature: garbage must not be a 500
            bolt_request = to_bolt_request(request)
        except (ValueError, AttributeError, TypeError, RecursionError):  # RecursionError: deeply nested JSON
            return jsonify(error="malformed request body"), 400
        if shape_problem(bolt_request.body):  # Bolt's middleware would raise on it: a 500
            return jsonify(error="malformed request body"), 400
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        if not (stamp.isascii() and stamp.isdigit()):  # Bolt's verifier fails with a 500 on these
            return jsonify(error="invalid request signature"), 401
        return to_flask_response(bolt_app.dispatch(bolt_request))

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
