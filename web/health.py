"""GET /healthz: the process answers and its database can be read."""

from __future__ import annotations

from flask import Blueprint, jsonify

from meetbridge.storage import Store


def create_health_blueprint(store: Store) -> Blueprint:
    health = Blueprint("health", __name__)

    @health.get("/healthz")
    def healthz():
        """For load balancers and Docker's HEALTHCHECK."""
        ok = store.ping()
        return jsonify(ok=ok, database="ok" if ok else "unavailable"), 200 if ok else 503

    return health
