"""Smaller request-body limits for the webhook routes.

Vonage's voice webhooks and OpenTok's session-monitoring callbacks are a few hundred bytes;
16 KiB leaves room for growth while a client cannot make a request thread hold (or parse) a
large body. Slack's requests and the join page keep the app-wide MAX_CONTENT_LENGTH.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, abort, request

WEBHOOK_BODY_BYTES = 16 * 1024


def limit_bodies(app: Flask, blueprints: Iterable[str], limit: int = WEBHOOK_BODY_BYTES) -> None:
    """Requests routed to `blueprints` answer 413 above `limit` bytes, declared or streamed."""
    limited = frozenset(blueprints)

    @app.before_request
    def smaller_body_limit() -> None:
        if request.blueprint not in limited:
            return
        too_large = f"request body larger than {limit} bytes"
        if request.content_length is not None:
            if request.content_length > limit:
                abort(413, description=too_large)
            return
        # Chunked: Werkzeug stops reading at max_content_length without saying whether more
        # was sent, so read one byte past the limit; the handlers then get the cached body.
        request.max_content_length = limit + 1
        if len(request.get_data(cache=True)) > limit:
            abort(413, description=too_large)
