"""The whole call from Slack: a member clicks "Call my phone", the fake Vonage is asked for the
call, the callee's phone rings and they press 1, the card shows them by name and the bridge
connects, and End hangs their leg up. Vonage's webhooks arrive as Vonage posts them."""

from __future__ import annotations

import logging

import pytest

from tests.bot.test_dial_out_buttons import GOOD_E164, ephemerals, eventually, replies
from tests.vonage_calls import CONFERENCE_NUMBER, TIMESTAMP, dialled, post_json, status_lines
from tests.waiting import wait_until

CALLEE = GOOD_E164.removeprefix("+")


def outbound(client, path: str, uuid: str, **fields) -> dict | list:
    """A webhook about the call the meeting placed: from our number to the callee."""
    payload = {"from": CONFERENCE_NUMBER, "to": CALLEE, "uuid": uuid, "conversation_uuid": f"CON-{uuid}",
               "timestamp": TIMESTAMP, **fields}
    response = post_json(path, payload).send(client)
    assert response.status_code == 200
    return response.get_json()


@pytest.fixture
def quick_cards(app, monkeypatch):
    monkeypatch.setattr(app.extensions["meetbridge.cards"], "min_interval", 0.02)


def test_call_my_phone_rings_joins_on_1_shows_the_member_connects_the_bridge_and_end_hangs_up(
        quick_cards, client, start_meeting, slack_user, services, fake_slack, fake_vonage, fake_opentok, caplog):
    caplog.set_level(logging.DEBUG)
    meeting = start_meeting("All hands")
    services.store.saved_numbers.save("T0001", "U0ADA", GOOD_E164, 0.0)
    slack_user.click("call_me", meeting.id, response_key="call")
    assert eventually(lambda: replies(fake_slack, "call")) == ["Calling •••0123…"]
    [sent] = fake_vonage.requests("create_call")
    assert sent["to"] == [{"type": "phone", "number": CALLEE}]
    assert sent["ncco"][0]["text"].endswith("invites you to All hands. Press 1 to join.")
    [leg] = services.store.legs.live_legs(meeting.id)
    wait_until(lambda: any(line.endswith("\n📞 <@U0ADA>: ringing") for line in status_lines(fake_slack)))

    outbound(client, "/voice-events", leg.uuid, status="ringing", direction="outbound")
    outbound(client, "/voice-events", leg.uuid, status="answered", direction="outbound")
    joined = outbound(client, "/voice-dtmf", leg.uuid, dtmf={"digits": "1", "timed_out": False})
    assert joined[-1]["action"] == "conversation"

    wait_until(lambda: any(line.startswith("Phone bridge") and "1 phone caller" in line
                           and line.endswith("\n📞 <@U0ADA>: joined by phone") for line in status_lines(fake_slack)))
    wait_until(lambda: "You joined the meeting by phone." in ephemerals(fake_slack))
    assert ephemerals(fake_slack).count("Ringing your phone (•••0123)…") == 1  # told once, however often it rang
    dialled(fake_opentok, services, meeting.id)  # the auto-bridge connects video and phone

    slack_user.click("end_meeting", meeting.id, response_key="end")
    wait_until(lambda: any(hung["uuid"] == leg.uuid for hung in fake_vonage.requests("hangup")))
    wait_until(lambda: "Meeting ended" in str(fake_slack.requests("chat.update")[-1]["blocks"]))
    assert "📞" not in str(fake_slack.requests("chat.update")[-1]["blocks"])
    shown = str(fake_slack.requests("chat.update")) + str(fake_slack.requests("chat.postEphemeral"))
    assert "dial_out placed" in caplog.text  # the logs were read
    assert CALLEE not in shown and CALLEE not in caplog.text and "555-0123" not in caplog.text  # personal data
