"""Acting on the bridge as the join page does: join first (the token route sets the visitor
cookie), then send the controls as JSON."""

from __future__ import annotations

from meetbridge.bridge import BridgeService


def joined(client, meeting_id: str, name: str = "Ada") -> None:
    """This test client becomes a visitor who joined the meeting's page."""
    assert client.post(f"/rooms/{meeting_id}/token", json={"name": name}).status_code == 200


def press(client, meeting_id: str, control: str):
    """Press a bridge control (`dial-out`, `hang-up`) the way the page does."""
    return client.post(f"/rooms/{meeting_id}/{control}", json={})


def dial_allowed_again(clock, bridge: BridgeService) -> None:
    """Move time past the minimum interval between two dials of one meeting."""
    clock.advance(bridge.settings.bridge_dial_interval_seconds + 1)
