"""GET /healthz: the process answers and its database can be read."""

from __future__ import annotations

import sqlite3

from flask import Blueprint, jsonify

from meetbridge.storage import Store


def create_health_blueprint(store: Store) -> Blueprint:
    health = Blueprint("health", __name__)

    @health.get("/healthz")
    def healthz():
        """For load balancers and Docker's HEALTHCHECK."""
        try:
            ok = store.ping()
        except sqlite3.Error:
            ok = False
        return jsonify(ok=ok, database="ok" if ok else "unavailable"), 200 if ok else 503

    return health
