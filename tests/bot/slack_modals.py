"""Modal traffic as Slack sends it: `view_submission` payloads (the shape of Bolt's own
scenario tests, slackapi/bolt-python tests/scenario_tests/test_view_submission.py) built from
the view the app really opened, and button presses in the Home tab (a `view` container)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from tests.conftest import SIGNING_SECRET
from tests.signing import new_trigger_id, slack_headers


def typed(value: str) -> dict[str, Any]:
    """A plain_text_input's state."""
    return {"type": "plain_text_input", "value": value}


def ticked(value: str, label: str) -> dict[str, Any]:
    """A checkboxes element's state with its one option selected."""
    return {"type": "checkboxes", "selected_options": [
        {"text": {"type": "plain_text", "text": label, "emoji": True}, "value": value}]}


def submission_body(opened: dict[str, Any], values: dict[str, dict[str, Any]], user_id: str = "U0ADA",
                    team_id: str = "T0001") -> str:
    """The `view_submission` of `opened` (as views.open answered it) with `values` filled in:
    block id → {action id → element state}."""
    view = {**opened, "state": {"values": values}, "previous_view_id": None, "root_view_id": opened["id"],
            "external_id": "", "app_installed_team_id": team_id, "clear_on_close": False,
            "notify_on_close": False}
    payload = {
        "type": "view_submission", "team": {"id": team_id, "domain": "acme"},
        "user": {"id": user_id, "username": "ada", "name": "ada", "team_id": team_id},
        "api_app_id": "A0MEET", "token": "legacy-verification-token", "trigger_id": new_trigger_id(),
        "view": view, "response_urls": [], "is_enterprise_install": False, "enterprise": None,
    }
    return urlencode({"payload": json.dumps(payload)})


def submit(client: Any, opened: dict[str, Any], values: dict[str, dict[str, Any]], user_id: str = "U0ADA",
           team_id: str = "T0001"):
    """POST the signed submission to /slack/events; Slack reads the modal's fate from the answer."""
    body = submission_body(opened, values, user_id, team_id)
    return client.post("/slack/events", data=body, headers=slack_headers(SIGNING_SECRET, body))


def click_in_home(client: Any, action_id: str, user_id: str = "U0ADA", team_id: str = "T0001", value: str = ""):
    """A button press in the Home tab: a `view` container, no channel, no response_url."""
    payload = {
        "type": "block_actions", "team": {"id": team_id, "domain": "acme"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
        "api_app_id": "A0001", "token": "legacy-verification-token",
        "container": {"type": "view", "view_id": "V00000001"}, "trigger_id": new_trigger_id(),
        "view": {"id": "V00000001", "team_id": team_id, "type": "home", "blocks": [], "private_metadata": "",
                 "callback_id": "", "hash": "1700000000.00000001", "app_id": "A0001", "bot_id": "B0001"},
        "actions": [{"action_id": action_id, "block_id": "my_phone", "value": value, "type": "button",
                     "action_ts": "1700000001.000200", "text": {"type": "plain_text", "text": action_id}}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    return client.post("/slack/events", data=body, headers=slack_headers(SIGNING_SECRET, body))


def opened_view(fake_slack: Any, count: int = 1) -> dict[str, Any]:
    """The `count`-th modal views.open was asked for, as the fake opened it (with its id)."""
    request = fake_slack.wait_for("views.open", count)[count - 1]
    return {**request["view"], "id": f"V{count:08d}", "team_id": "T0001", "type": "modal"}


def input_blocks(view: dict[str, Any]) -> dict[str, str]:
    """block id → element type of the modal's inputs."""
    return {block["block_id"]: block["element"]["type"] for block in view["blocks"] if block["type"] == "input"}
