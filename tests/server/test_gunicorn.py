"""gunicorn as README › Run starts it: it reads `.env` like `python app.py`, and its access log
never writes a path that holds a meeting id (meeting ids are join credentials)."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.fakes import unused_port
from tests.server import processes
from tests.waiting import wait_until

MEETING_ID = "Zq3xW8vB1nR5tY7uI9oP2a"  # the shape of a real id (22 url-safe characters)
CALLER = "447700900101"


def dotenv_text(env: dict[str, str]) -> str:
    return "".join(f"{name}={value}\n" for name, value in env.items())


def env_with_key_file(base_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    key_file = tmp_path / "private.key"
    key_file.write_text(base_env["VONAGE_PRIVATE_KEY"], encoding="ascii")
    return dict(base_env, VONAGE_PRIVATE_KEY=str(key_file))


def access_lines(log_path: Path) -> list[str]:
    """The request lines gunicorn's access log holds, but the health checks that waited for it to start."""
    lines = [line.split('"')[1] for line in log_path.read_text().splitlines() if line.startswith("127.0.0.1 ")]
    return [line for line in lines if line != "GET /healthz"]


def test_gunicorn_reads_port_and_every_setting_from_dotenv_in_its_working_directory(base_env, tmp_path):
    port = unused_port()
    settings = env_with_key_file(base_env, tmp_path)
    (tmp_path / ".env").write_text(dotenv_text(dict(settings, PORT=str(port), SLACK_CLIENT_ID="",
                                                    SLACK_CLIENT_SECRET="")))
    process = processes.gunicorn({"DATABASE_PATH": settings["DATABASE_PATH"]}, tmp_path / "gunicorn.log",
                                 port, bind=False, cwd=tmp_path)
    try:
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json() == {
            "ok": True, "database": "ok"}
        assert requests.get(f"http://127.0.0.1:{port}/slack/install", timeout=5).status_code == 404
    finally:
        processes.stop(process)


def test_gunicorn_access_log_writes_route_patterns_not_meeting_ids_or_numbers(base_env, tmp_path):
    port = unused_port()
    log_path = tmp_path / "gunicorn.log"
    process = processes.gunicorn(dict(base_env, SERVER_URL=f"http://127.0.0.1:{port}"), log_path, port)
    try:
        for path in (f"/rooms/{MEETING_ID}", f"/rooms/{MEETING_ID}/status", f"/no/{MEETING_ID}/route",
                     f"/voice-answer?from={CALLER}&to=15550100000&uuid=u-1&conversation_uuid=c-1"):
            requests.get(f"http://127.0.0.1:{port}{path}", timeout=5)
        wait_until(lambda: len(access_lines(log_path)) >= 4)
    finally:
        processes.stop(process)
    # Each worker writes its own lines, so two workers' lines may land in either order.
    assert sorted(access_lines(log_path)) == sorted([
        "GET /rooms/<meeting_id>", "GET /rooms/<meeting_id>/status", "GET /no/…", "GET /voice-answer"])
    assert MEETING_ID not in log_path.read_text()
    assert CALLER not in log_path.read_text()


def test_python_app_logs_no_meeting_id_either(base_env, tmp_path):
    port = unused_port()
    log_path = tmp_path / "app.log"
    env = dict(base_env, PORT=str(port), SERVER_URL=f"http://127.0.0.1:{port}")
    process = processes.python_app(env, log_path, cwd=tmp_path)
    try:
        assert requests.get(f"http://127.0.0.1:{port}/rooms/{MEETING_ID}/status", timeout=5).status_code == 404
    finally:
        processes.stop(process)
    log = log_path.read_text()
    assert '"route": "/rooms/<meeting_id>/status"' in log
    assert MEETING_ID not in log
