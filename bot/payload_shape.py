"""Shapes Bolt assumes of a signed Slack body before any listener runs.

Bolt reads `body["actions"][0]`, `body["event"]["type"]`, `body["view"]["callback_id"]` and the
like in its built-in middleware; a signed body whose parts have the wrong JSON type (only someone
holding the signing secret can send one) made those reads raise and Bolt answer 500. Slack itself
always sends these parts as objects (and `actions` as a non-empty list of objects), so anything
else is refused with a 400 before Bolt sees it.
"""

from __future__ import annotations

from typing import Any

OBJECT_PARTS = ("event", "view", "team", "user", "channel", "container", "message", "enterprise",
                "workflow_step", "state", "authorizations_info")


def shape_problem(body: Any) -> str | None:
    """Why Bolt could not take this parsed body safely, or None when it can."""
    if not isinstance(body, dict):
        return "body is not an object"
    for part in OBJECT_PARTS:
        if body.get(part) is not None and not isinstance(body[part], dict):
            return f"{part} is not an object"
    if "actions" in body:
        actions = body["actions"]
        if not (isinstance(actions, list) and actions and all(isinstance(a, dict) for a in actions)):
            return "actions is not a list of objects"
    event = body.get("event")
    if isinstance(event, dict) and not isinstance(event.get("type", ""), str):
        return "event type is not text"
    return None
