"""GET /healthz: the process answers and its database can be read."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, jsonify


def create_health_blueprint(*, ping: Callable[[], bool]) -> Blueprint:
    """The health route over `ping`: True when the database answers a query."""
    health = Blueprint("health", __name__)

    @health.get("/healthz")
    def healthz():
        """For load balancers and Docker's HEALTHCHECK."""
        ok = ping()
        return jsonify(ok=ok, database="ok" if ok else "unavailable"), 200 if ok else 503

    return health
