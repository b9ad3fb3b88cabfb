"""One JSON log line per request, with a request id; never query strings or bodies
(Vonage GET webhooks carry caller numbers there, Slack bodies carry user text)."""

from __future__ import annotations

import logging
import os
import re
import time

from flask import Flask, Response, g, request

log = logging.getLogger("meetbridge.requests")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# gunicorn's access log (gunicorn.conf.py) prints this instead of the path, which can hold a
# meeting id (a join credential).
ROUTE_KEY = "meetbridge.route"


def install_request_log(app: Flask) -> None:
    """One log line per request (route, status, time, request id), never a query string."""
    @app.before_request
    def start_timer() -> None:
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if given and REQUEST_ID.fullmatch(given) else os.urandom(12).hex()
        g.started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        route = request.url_rule.rule if request.url_rule else "(unmatched)"
        request.environ[ROUTE_KEY] = route
        if log.isEnabledFor(logging.INFO):  # webhooks are hot: build the record only when kept
            elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
            log.info("request", extra={
                "request_id": g.get("request_id"), "method": request.method,
                "route": route,
                "status": response.status_code, "ms": round(elapsed_ms, 2)})
        return response
