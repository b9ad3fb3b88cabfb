"""create_app(): the one composition root registers every public route and answers errors in JSON."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from app import MAX_REQUEST_BYTES, create_app
from meetbridge.settings import load_settings

PUBLIC_ROUTES = {
    ("/slack/events", "POST"),
    ("/voice-answer", "GET"), ("/voice-answer", "POST"),
    ("/voice-dtmf", "GET"), ("/voice-dtmf", "POST"),
    ("/voice-events", "GET"), ("/voice-events", "POST"),
    ("/voice-keypad", "POST"),
    ("/rooms/<meeting_id>/phone-callers", "GET"),
    ("/rooms/<meeting_id>/phone-callers/<action>", "POST"),
    ("/rooms/<meeting_id>", "GET"),
    ("/rooms/<meeting_id>/numbers", "GET"),
    ("/rooms/<meeting_id>/token", "POST"),
    ("/rooms/<meeting_id>/dial-out", "POST"),
    ("/rooms/<meeting_id>/hang-up", "POST"),
    ("/healthz", "GET"),
}


def routes_of(app) -> set[tuple[str, str]]:
    return {(rule.rule, method) for rule in app.url_map.iter_rules() for method in rule.methods}


def test_factory_registers_every_route_of_the_spec(app):
    assert PUBLIC_ROUTES - routes_of(app) == set()


@pytest.mark.sqlite_only
def test_factory_wires_the_services_it_was_given(app, settings, clock):
    services = app.extensions["meetbridge"]
    assert (services.settings, services.clock, services.meetings.clock) == (settings, clock, clock)
    assert services.store.database.path == settings.database_path


def test_two_apps_share_no_state(base_env, tmp_path, clock):
    """Services are passed in, never global: a second app with its own database sees nothing of the first."""
    first = create_app(load_settings(base_env), clock=clock, run_sweeper=False)
    own_file = {name: value for name, value in base_env.items() if name != "DATABASE_URL"}
    second = create_app(load_settings(dict(own_file, DATABASE_PATH=str(tmp_path / "other.db"))), clock=clock,
                        run_sweeper=False)
    try:
        first.extensions["meetbridge"].store.pins.claim("123456", "m1", released_before=0)
        assert (first.extensions["meetbridge"].store.pins.live_count(),
                second.extensions["meetbridge"].store.pins.live_count()) == (1, 0)
    finally:
        first.extensions["meetbridge.shutdown"]()
        second.extensions["meetbridge.shutdown"]()


def test_factory_without_settings_reads_the_environment(base_env, monkeypatch):
    """The gunicorn entry point `app:create_app()`."""
    for name, value in base_env.items():
        monkeypatch.setenv(name, value)
    app = create_app(run_sweeper=False)
    try:
        assert app.extensions["meetbridge"].settings == load_settings(base_env)
    finally:
        app.extensions["meetbridge.shutdown"]()


def test_factory_without_settings_exits_2_on_an_empty_environment(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        create_app(run_sweeper=False)
    assert exited.value.code == 2
    assert "SLACK_SIGNING_SECRET is missing" in capsys.readouterr().err


def test_healthz_answers_json_ok_after_reading_the_database(client):
    response = client.get("/healthz")
    assert (response.status_code, response.content_type, response.get_json()) == (
        200, "application/json", {"ok": True, "database": "ok"})


def test_unknown_route_answers_json_404(client):
    response = client.get("/no-such-page")
    assert (response.status_code, response.content_type) == (404, "application/json")
    assert set(response.get_json()) == {"error"}


def test_wrong_method_answers_json_405(client):
    response = client.get("/slack/events")
    assert (response.status_code, response.content_type) == (405, "application/json")


@pytest.mark.parametrize("path", ["/slack/events", "/voice-answer", "/voice-events", "/rooms/abc/token"])
def test_oversized_body_is_refused_with_json_413(client, path):
    response = client.post(path, data=b"x" * (MAX_REQUEST_BYTES + 1), content_type="application/json")
    assert (response.status_code, response.content_type) == (413, "application/json")
    assert set(response.get_json()) == {"error"}


def test_body_at_the_limit_is_not_refused_for_size(client):
    """Slack's route keeps the app-wide limit (webhooks take 16 KiB: tests/web/test_body_limits.py)."""
    response = client.post("/slack/events", data=b"x" * MAX_REQUEST_BYTES, content_type="application/json")
    assert response.status_code not in (413, 500)


def chunks_over_the_limit() -> Iterator[bytes]:
    """A chunked body (no Content-Length), so only the streamed size can give it away."""
    for _ in range(MAX_REQUEST_BYTES // 65536 + 2):
        yield b"x" * 65536


@pytest.mark.parametrize("path", ["/slack/events", "/voice-events", "/rooms/abc/token"])
def test_oversized_chunked_body_over_real_http_gets_a_json_4xx_not_a_crash(live_server, path):
    """Werkzeug cuts a chunked body at MAX_CONTENT_LENGTH; what is left must be refused cleanly."""
    try:
        response = requests.post(f"{live_server.url}{path}", data=chunks_over_the_limit(), timeout=10,
                                 headers={"Content-Type": "application/json"})
    except requests.ConnectionError:
        pytest.fail("the server dropped the connection instead of answering")
    assert 400 <= response.status_code < 500
    assert response.headers["Content-Type"] == "application/json"
    assert requests.get(f"{live_server.url}/healthz", timeout=5).json() == {"ok": True, "database": "ok"}
