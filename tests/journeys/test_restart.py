"""Restart safety: everything needed to hang up, end or update a meeting is in SQLite,
so killing the server mid-meeting and starting it again on the same database loses nothing.

The server runs in a real subprocess on a real port, pointed at the test's fakes, and is
killed with SIGKILL (no clean shutdown). It runs on the real clock, so this test only uses
behaviour that needs no time to pass.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from meetbridge.storage import open_store
from tests.bridge_setup import answer_query, bridge_answer_query, dtmf_body, event_body, new_uuid
from tests.conftest import SIGNING_SECRET
from tests.fakes import unused_port
from tests.signing import block_action_body, slack_headers, slash_command_body
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
SERVE = """
import os
from werkzeug.serving import make_server
from app import create_app, settings_or_exit

app = create_app(settings_or_exit(os.environ))
make_server("127.0.0.1", int(os.environ["PORT"]), app, threaded=True).serve_forever()
"""
START_TIMEOUT_SECONDS = 60
ADA, BOB, CY = "447700900101", "447700900102", "447700900103"


class ServerProcess:
    """`create_app()` served by werkzeug in a subprocess; killable and restartable."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.url = env["SERVER_URL"]
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-c", SERVE], cwd=ROOT, env=self.env,
                                            stdout=log, stderr=subprocess.STDOUT)
        wait_until(self._healthy, timeout=START_TIMEOUT_SECONDS, interval=0.1)

    def _healthy(self) -> bool:
        assert self.process and self.process.poll() is None, f"server exited:\n{self.log_tail()}"
        try:
            return requests.get(self.url + "/healthz", timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as in a crash or an OOM kill."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    # -- driving it as Slack and Vonage would ---------------------------------------------

    def slack(self, body: str) -> None:
        response = requests.post(self.url + "/slack/events", data=body, timeout=10,
                                 headers=slack_headers(SIGNING_SECRET, body))
        assert response.status_code == 200

    def click(self, fake_slack, action_id: str, meeting_id: str) -> None:
        self.slack(block_action_body(action_id, meeting_id, response_url=fake_slack.response_url(action_id)))

    def answer(self, query: dict[str, str]) -> list[dict[str, Any]]:
        return requests.get(self.url + "/voice-answer", params=query, timeout=10).json()

    def enter_pin(self, leg_uuid: str, pin: str, number: str) -> list[str]:
        self.answer(answer_query(leg_uuid, number))
        response = requests.post(self.url + "/voice-dtmf", data=dtmf_body(leg_uuid, pin, number), timeout=10,
                                 headers={"Content-Type": "application/json"})
        return [action["action"] for action in response.json()]

    def leg_completed(self, leg_uuid: str, number: str) -> None:
        response = requests.post(self.url + "/voice-events", data=event_body(leg_uuid, "completed", number),
                                 headers={"Content-Type": "application/json"}, timeout=10)
        assert response.status_code in (200, 204)

    def status(self, meeting_id: str) -> dict[str, Any]:
        return requests.get(f"{self.url}/rooms/{meeting_id}/status", timeout=10).json()


@pytest.fixture
def server(base_env, tmp_path, fake_vonage) -> Iterator[ServerProcess]:
    port = unused_port()
    env = {"PATH": os.environ.get("PATH", ""), "NO_PROXY": "127.0.0.1,localhost", "PYTHONPATH": str(ROOT),
           "REQUESTS_CA_BUNDLE": fake_vonage.ca_bundle_path, "LOG_LEVEL": "WARNING",
           **base_env, "SERVER_URL": f"http://127.0.0.1:{port}", "PORT": str(port)}
    process = ServerProcess(env, tmp_path / "server.log")
    yield process
    process.kill()


def bridge_connection_stored(env: dict[str, str], meeting_id: str) -> bool:
    """The dial's connection id is in the database (what a later hang-up needs)."""
    store = open_store(env.get("DATABASE_URL") or f"sqlite:///{env['DATABASE_PATH']}")
    try:
        bridge = store.bridges.latest(meeting_id)
    finally:
        store.close()
    return bool(bridge and bridge.connection_id)


def admit(server: ServerProcess, fake_vonage, pin: str, number: str) -> str:
    leg_uuid = new_uuid()
    assert server.enter_pin(leg_uuid, pin, number) == ["talk", "input", "conversation"]  # input: the keypad
    fake_vonage.add_call(leg_uuid, from_=number, to="15550100000")
    return leg_uuid


def hung_up(fake_vonage) -> list[str]:
    return sorted(request["uuid"] for request in fake_vonage.requests("hangup"))


def test_a_killed_server_restarted_on_the_same_database_still_hangs_up_ends_and_admits(
        server, base_env, fake_slack, fake_opentok, fake_vonage):
    server.start()
    server.slack(slash_command_body("Standup", response_url=fake_slack.response_url("meet")))
    card = fake_slack.wait_for("chat.postMessage", timeout=20)[0]
    meeting_id = card["blocks"][1]["accessory"]["url"].rsplit("/", 1)[-1]
    pin = re.search(r"PIN ([\d ]*\d)", card["text"]).group(1).replace(" ", "")  # shown grouped
    server.click(fake_slack, "dial_out", meeting_id)
    dial = fake_opentok.wait_for("dial", timeout=20)[0]
    wait_until(lambda: bridge_connection_stored(base_env, meeting_id), timeout=10)
    (session_id, connection_id), = fake_opentok.live_connections()
    bridge_leg = new_uuid()
    assert [a["action"] for a in server.answer(bridge_answer_query(dial, bridge_leg))] == ["conversation"]
    fake_vonage.add_call(bridge_leg)
    ada, bob = admit(server, fake_vonage, pin, ADA), admit(server, fake_vonage, pin, BOB)
    before = server.status(meeting_id)

    server.kill()
    server.start()

    assert server.status(meeting_id) == before == {
        "ended": False, "bridge": "connected", "bridgeReason": None, "phoneCallers": 2}
    cy = admit(server, fake_vonage, pin, CY)  # the PIN still admits
    server.leg_completed(ada, ADA)
    assert server.status(meeting_id)["phoneCallers"] == 2

    server.click(fake_slack, "hang_up", meeting_id)
    fake_vonage.wait_for("hangup", 1, timeout=10)
    assert fake_opentok.requests("force_disconnect") == [{"session_id": session_id, "connection_id": connection_id}]
    assert hung_up(fake_vonage) == [bridge_leg]
    assert server.status(meeting_id)["bridge"] == "off"

    server.click(fake_slack, "end_meeting", meeting_id)
    fake_vonage.wait_for("hangup", 3, timeout=10)
    assert hung_up(fake_vonage) == sorted([bridge_leg, bob, cy])  # each live leg once; Ada had left
    ended = server.status(meeting_id)
    assert (ended["ended"], ended["bridge"]) == (True, "off")
    assert requests.get(f"{server.url}/rooms/{meeting_id}", timeout=10).status_code == 410
    assert server.enter_pin(new_uuid(), pin, "447700900199") == ["talk", "input"]
    wait_until(lambda: "meeting ended" in (fake_slack.requests("chat.update") or [{}])[-1].get("text", ""),
               timeout=10)
    assert len(fake_opentok.requests("force_disconnect")) == 1
    assert fake_slack.responses("hang_up") == fake_slack.responses("end_meeting") == []
