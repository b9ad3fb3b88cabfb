"""What honest people do before the attacker arrives, over the app's real HTTP edges: start a
meeting with `/meet`, connect the phone bridge, join the page as a visitor, call in by phone."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlencode

import requests

from meetbridge.records import Meeting
from tests.conftest import SIGNING_SECRET
from tests.security.servers import VIDEO_EVENTS_SECRET, AppUnderAttack
from tests.signing import block_action_body, new_trigger_id, slack_headers, slash_command_body
from tests.vonage_calls import answer, bridge_leg_answer, dtmf, new_uuid
from tests.waiting import wait_until

HTTP_TIMEOUT = 10
STARTER = "U0ADA"


def click_body(action_id: str, meeting_id: str, user_id: str, response_url: str) -> str:
    """A card button click; Slack gives every click its own trigger_id, as it does commands."""
    fields = dict(parse_qsl(block_action_body(action_id, meeting_id, user_id=user_id, response_url=response_url)))
    payload = json.loads(fields["payload"])
    payload["trigger_id"] = new_trigger_id()
    return urlencode({"payload": json.dumps(payload)})


def post_slack(app: AppUnderAttack, body: str, session: requests.Session | None = None) -> requests.Response:
    sender = session or requests
    return sender.post(f"{app.url}/slack/events", data=body, headers=slack_headers(SIGNING_SECRET, body),
                       timeout=HTTP_TIMEOUT)


def start_meeting(app: AppUnderAttack, topic: str, user_id: str = STARTER) -> Meeting:
    """`/meet <topic>` as Slack sends it; the meeting once its card is posted."""
    body = slash_command_body(topic, user_id=user_id, response_url=app.slack.response_url(f"meet-{uuid.uuid4().hex}"))
    assert post_slack(app, body).status_code == 200
    found: list[Meeting] = []

    def card_posted() -> bool:
        row = app.store.database.query_one("SELECT id FROM meetings JOIN slack_cards ON meeting_id = id "
                                           "WHERE topic = ? AND ts IS NOT NULL",
                                           [topic])
        if row:
            found.append(app.store.meetings.get(row["id"]))
        return bool(row)
    wait_until(card_posted, timeout=HTTP_TIMEOUT)
    return found[0]


def click(app: AppUnderAttack, action_id: str, meeting_id: str, user_id: str = STARTER,
          session: requests.Session | None = None) -> requests.Response:
    """A signed button click on the meeting card."""
    body = click_body(action_id, meeting_id, user_id, app.slack.response_url(f"click-{action_id}"))
    return post_slack(app, body, session)


def connect_bridge(app: AppUnderAttack, meeting: Meeting) -> str:
    """Connect by the card's button and answer the bridge leg as Vonage would; the leg's uuid.

    The leg is also registered at the fake Vonage: it is a call Vonage really placed."""
    before = len(app.opentok.requests("dial"))
    assert click(app, "dial_out", meeting.id).status_code == 200
    dial = app.opentok.wait_for("dial", before + 1)[before]
    wait_until(lambda: getattr(app.store.bridges.latest(meeting.id), "connection_id", None))
    leg = new_uuid()
    answered = app.vonage_side.send(bridge_leg_answer(dial, leg))
    assert [action["action"] for action in answered.json()] == ["conversation"], answered.text
    app.vonage.add_call(leg, from_="sip:opentok@sip.nexmo.com")
    wait_until(lambda: app.store.bridges.active(meeting.id).state == "connected")
    return leg


def call_in(app: AppUnderAttack, pin: str, number: str | None = "447700900123",
            session: requests.Session | None = None) -> tuple[str, list[dict[str, Any]]]:
    """A phone call: answer webhook, then the PIN keyed. (uuid, the NCCO answering the PIN)."""
    leg = new_uuid()
    prompt = app.vonage_side.send(answer(leg, from_=number), session=session)
    assert prompt.status_code == 200, prompt.text
    keyed = app.vonage_side.send(dtmf(leg, pin, from_=number), session=session)
    assert keyed.status_code == 200, keyed.text
    return leg, keyed.json()


def actions(ncco: list[dict[str, Any]]) -> list[str]:
    return [action["action"] for action in ncco]


def joined(ncco: list[dict[str, Any]]) -> bool:
    return any(action["action"] == "conversation" for action in ncco)


class Visitor:
    """Someone with the join link, in a browser-like session that keeps the page's cookie."""

    def __init__(self, app: AppUnderAttack, meeting_id: str, name: str = "Mallory") -> None:
        self.app, self.meeting_id, self.name = app, meeting_id, name
        self.session = requests.Session()
        self.grant: dict[str, Any] = {}

    def room_url(self, tail: str = "") -> str:
        return f"{self.app.url}/rooms/{self.meeting_id}{tail}"

    def join(self) -> requests.Response:
        """Mint a token as the page does (this sets the joined-visitor cookie)."""
        response = self.session.post(self.room_url("/token"), json={"name": self.name}, timeout=HTTP_TIMEOUT)
        if response.status_code == 200:
            self.grant = response.json()
        return response

    def control(self, what: str) -> requests.Response:
        """The page's bridge buttons: `dial-out` or `hang-up`, JSON as the page sends it."""
        return self.session.post(self.room_url(f"/{what}"), json={}, timeout=HTTP_TIMEOUT)


def video_event(app: AppUnderAttack, session_id: str, event: str, connection_id: str,
                data: str | None) -> requests.Response:
    """A session-monitoring callback from OpenTok (authenticated by the secret in its URL)."""
    payload = {"sessionId": session_id, "projectId": app.opentok.api_key, "event": event,
               "timestamp": 1700000000000,
               "connection": {"id": connection_id, "createdAt": 1700000000000, "data": data}}
    return requests.post(f"{app.url}/video-events", params={"secret": VIDEO_EVENTS_SECRET}, json=payload,
                         timeout=HTTP_TIMEOUT)
