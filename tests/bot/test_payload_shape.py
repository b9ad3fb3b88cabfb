"""Signed Slack bodies whose parts have the wrong JSON type are a 400, never Bolt's 500."""

from __future__ import annotations

import json

import pytest

from bot.payload_shape import shape_problem
from tests.conftest import SIGNING_SECRET
from tests.signing import slack_headers


@pytest.mark.parametrize("body", [
    {"type": "block_actions", "actions": None},
    {"type": "block_actions", "actions": []},
    {"type": "block_actions", "actions": ["call_me"]},
    {"type": "event_callback", "event": "app_home_opened"},
    {"type": "event_callback", "event": {"type": 7}},
    {"type": "view_submission", "view": True},
    {"type": "block_actions", "user": "U1", "actions": [{"action_id": "end"}]},
])
def test_a_signed_body_of_the_wrong_shape_is_400_and_nothing_runs(client, body):
    raw = json.dumps(body)
    headers = slack_headers(SIGNING_SECRET, raw, content_type="application/json")
    response = client.post("/slack/events", data=raw, headers=headers)
    assert (response.status_code, response.get_json()) == (400, {"error": "malformed request body"})


def test_slacks_own_shapes_pass():
    assert shape_problem({"type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"},
                          "actions": [{"action_id": "call_me"}], "channel": {"id": "C1"},
                          "message": {"ts": "1.2"}, "container": {"type": "message"}}) is None
    assert shape_problem({"type": "event_callback", "event": {"type": "app_home_opened"}}) is None
    assert shape_problem({"command": "/meet", "user_id": "U1", "channel_id": "C1"}) is None
    assert shape_problem({"type": "url_verification", "challenge": "x", "enterprise": None}) is None
