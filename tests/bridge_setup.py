"""Steps the lifecycle tests share: connect the phone bridge, admit callers, read the card.

Each step goes through the app's real edges (a signed Slack click, Vonage's webhooks) and
registers the resulting call leg at the fake Vonage, as the real platform would have it, so
hang-ups can be counted there.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from tests.waiting import wait_until

MEETING_HEADER = "X-Meetbridge-Meeting"
TOKEN_HEADER = "X-Meetbridge-Token"
CONFERENCE_NUMBER = "15550100000"


@dataclass(frozen=True)
class ConnectedBridge:
    """What hanging the bridge up must touch: the SIP connection and the Vonage leg."""

    session_id: str
    connection_id: str
    leg_uuid: str


def new_uuid() -> str:
    return str(uuid.uuid4())


def start_dial(slack_user: Any, fake_opentok: Any, services: Any, meeting_id: str) -> dict[str, Any]:
    """Click Connect and wait until the app has stored the SIP connection the dial returned."""
    before = len(fake_opentok.requests("dial"))
    slack_user.click("dial_out", meeting_id)
    dial = fake_opentok.wait_for("dial", before + 1)[before]
    wait_until(lambda: getattr(services.store.bridges.latest(meeting_id), "connection_id", None))
    return dial


def dial_connection_id(fake_opentok: Any, session_id: str) -> str:
    """The connectionId the fake OpenTok handed out for this session's (only) SIP dial."""
    ids = [connection for session, connection in fake_opentok.live_connections() if session == session_id]
    assert len(ids) == 1, ids
    return ids[0]


def answer_query(leg_uuid: str, from_: str, sip_headers: dict[str, str] | None = None) -> dict[str, str]:
    """/voice-answer fields as Vonage sends them (GET); X- SIP headers arrive as SipHeader_<name>."""
    query = {"from": from_, "to": CONFERENCE_NUMBER, "uuid": leg_uuid, "conversation_uuid": f"CON-{leg_uuid}",
             "region_url": "https://api-us-3.vonage.com"}
    for name, value in (sip_headers or {}).items():
        query[f"SipHeader_{name}"] = value
    return query


def bridge_answer_query(dial: dict[str, Any], leg_uuid: str) -> dict[str, str]:
    headers = dial["sip"]["headers"]
    return answer_query(leg_uuid, "opentok", {MEETING_HEADER: headers[MEETING_HEADER],
                                              TOKEN_HEADER: headers[TOKEN_HEADER]})


def dtmf_body(leg_uuid: str, digits: str, from_: str) -> bytes:
    return json.dumps({"from": from_, "to": CONFERENCE_NUMBER, "uuid": leg_uuid,
                       "conversation_uuid": f"CON-{leg_uuid}", "timestamp": "2030-03-17T17:46:40.000Z",
                       "dtmf": {"digits": digits, "timed_out": False}}).encode()


def event_body(leg_uuid: str, status: str, from_: str) -> bytes:
    return json.dumps({"from": from_, "to": CONFERENCE_NUMBER, "uuid": leg_uuid,
                       "conversation_uuid": f"CON-{leg_uuid}", "status": status, "direction": "inbound",
                       "timestamp": "2030-03-17T17:46:40.000Z"}).encode()


def connect_bridge(slack_user: Any, client: Any, fake_opentok: Any, fake_vonage: Any, services: Any,
                   meeting: Any) -> ConnectedBridge:
    """Connect, then the bridge leg's answer webhook with our headers: the bridge is connected."""
    dial = start_dial(slack_user, fake_opentok, services, meeting.id)
    leg_uuid = new_uuid()
    answered = client.get("/voice-answer", query_string=bridge_answer_query(dial, leg_uuid))
    assert [action["action"] for action in answered.get_json()] == ["conversation"]
    fake_vonage.add_call(leg_uuid, from_="sip:opentok@sip.nexmo.com")
    assert services.store.bridges.active(meeting.id).state == "connected"
    return ConnectedBridge(meeting.session_id, dial_connection_id(fake_opentok, meeting.session_id), leg_uuid)


def enter_pin(client: Any, leg_uuid: str, pin: str, number: str) -> list[dict[str, Any]]:
    """A caller's answer webhook and keypad input; returns the NCCO answering the PIN."""
    assert client.get("/voice-answer", query_string=answer_query(leg_uuid, number)).status_code == 200
    response = client.post("/voice-dtmf", data=dtmf_body(leg_uuid, pin, number),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    return response.get_json()


def admit_caller(client: Any, fake_vonage: Any, pin: str, number: str) -> str:
    """A phone caller who keyed the right PIN and is now in the conversation; returns the leg uuid."""
    leg_uuid = new_uuid()
    actions = enter_pin(client, leg_uuid, pin, number)
    assert [action["action"] for action in actions] == ["talk", "input", "conversation"]  # input: the keypad
    fake_vonage.add_call(leg_uuid, from_=number, to=CONFERENCE_NUMBER)
    return leg_uuid


def leg_completed(client: Any, leg_uuid: str, number: str) -> None:
    """Vonage's `completed` event for a leg (the caller hung up, or we hung them up)."""
    response = client.post("/voice-events", data=event_body(leg_uuid, "completed", number),
                           headers={"Content-Type": "application/json"})
    assert response.status_code in (200, 204)


def hung_up_legs(fake_vonage: Any) -> list[str]:
    """uuids of every hang-up request the fake Vonage received, in order (failed ones too)."""
    return [request["uuid"] for request in fake_vonage.requests("hangup")]


def disconnected(fake_opentok: Any) -> list[tuple[str, str]]:
    """(session, connection) of every force-disconnect request, in order."""
    return [(request["session_id"], request["connection_id"]) for request in fake_opentok.requests("force_disconnect")]


def is_re_prompt(actions: list[dict[str, Any]]) -> bool:
    """The PIN was refused: ask again (talk + input), never a conversation."""
    return [action["action"] for action in actions] == ["talk", "input"]


# -- the card ---------------------------------------------------------------------------------

def card_updates(fake_slack: Any) -> list[dict[str, Any]]:
    return fake_slack.requests("chat.update")


def status_line(card: dict[str, Any]) -> str | None:
    """The live status line (context block) of a live card; None on an ended card."""
    lines = [block["elements"][0]["text"] for block in card.get("blocks") or [] if block["type"] == "context"]
    return lines[0] if lines else None


def block_types(card: dict[str, Any]) -> list[str]:
    return [block["type"] for block in card.get("blocks") or []]


def wait_for_card(fake_slack: Any, predicate: Any, timeout: float = 5.0) -> dict[str, Any]:
    """The newest chat.update, once it satisfies `predicate` (updates are coalesced, ≤ 1/s)."""
    def newest_matches() -> bool:
        updates = card_updates(fake_slack)
        return bool(updates) and predicate(updates[-1])
    wait_until(newest_matches, timeout=timeout)
    return card_updates(fake_slack)[-1]


def wait_for_status(fake_slack: Any, line: str, timeout: float = 5.0) -> dict[str, Any]:
    return wait_for_card(fake_slack, lambda card: status_line(card) == line, timeout)


def ended_section(creator_id: str, minutes: int) -> dict[str, Any]:
    """The section an ended card shows instead of the dial-in line and the buttons."""
    return {"type": "section", "text": {
        "type": "mrkdwn", "text": f"Started by <@{creator_id}>\n*Meeting ended* · lasted {minutes} min"}}
