"""The health blueprint over its one collaborator, a database ping."""

from __future__ import annotations

from flask import Flask

from web.health import create_health_blueprint


def health_client(ping):
    app = Flask(__name__)
    app.register_blueprint(create_health_blueprint(ping=ping))
    return app.test_client()


def test_healthz_answers_503_when_the_database_does_not_answer():
    response = health_client(lambda: False).get("/healthz")
    assert (response.status_code, response.get_json()) == (503, {"ok": False, "database": "unavailable"})


def test_healthz_asks_the_database_on_every_request():
    pings: list[bool] = []
    client = health_client(lambda: pings.append(True) or True)
    assert [client.get("/healthz").status_code for _ in range(3)] == [200] * 3
    assert len(pings) == 3
