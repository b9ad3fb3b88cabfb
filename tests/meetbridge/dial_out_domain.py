"""DialOut wired over the phone domain (tests/meetbridge/phone_domain.py): a recording stand-in
for the Voice API's outbound call (the HTTP-level fake Vonage covers the SDK in tests/webhooks)."""

from __future__ import annotations

import dataclasses
import uuid as uuids
from dataclasses import dataclass, field

from meetbridge.dial_out import DialOut
from meetbridge.dial_out_records import DialProgress, DialRequest, Requester
from meetbridge.errors import UpstreamError
from tests.meetbridge.phone_domain import PhoneDomain

GOOD_US = "(202) 555-0143"
GOOD_US_E164 = "+12025550143"


@dataclass
class RecordingOutbound:
    """Stands in for VoiceGateway.create_call: remembers each call, answers a fresh uuid."""

    calls: list[dict] = field(default_factory=list)
    fail: UpstreamError | None = None

    def create_call(self, to: str, from_number: str, ncco_actions: list[dict], event_url: str,
                    ringing_timer: int, length_timer: int) -> str:
        if self.fail is not None:
            raise self.fail
        uuid = str(uuids.uuid4())
        self.calls.append({"uuid": uuid, "to": to, "from": from_number, "ncco": ncco_actions,
                           "event_url": event_url, "ringing_timer": ringing_timer})
        return uuid


@dataclass
class Dialling:
    """DialOut plus what a test looks at."""

    dial_out: DialOut
    outbound: RecordingOutbound
    progress: list[DialProgress]


def dialling(domain: PhoneDomain, **settings: object) -> Dialling:
    """DialOut over `domain`, with settings changed as given (e.g. dial_out="off")."""
    outbound, progress = RecordingOutbound(), []
    dial_out = DialOut(dataclasses.replace(domain.settings, **settings), domain.store, outbound, domain.clock,
                       domain.calls.changes, domain.dialled_in_background.append)
    dial_out.add_progress_listener(progress.append)
    return Dialling(dial_out, outbound, progress)


def member(member_id: str = "U2", team: str = "T1") -> Requester:
    """A Slack member of the meeting's workspace."""
    return Requester(kind="member", workspace_id=team, member_id=member_id)


def visitor(visitor_id: str = "v1", team: str = "T1") -> Requester:
    """A join-page visitor of the meeting."""
    return Requester(kind="visitor", workspace_id=team, visitor_id=visitor_id)


def add_phone(number: str = GOOD_US, requester: Requester | None = None, meeting_id: str = "m1",
              name: str | None = "Maria") -> DialRequest:
    """"Add by phone": somebody else is called."""
    return DialRequest(meeting_id=meeting_id, number=number, requester=requester or member(),
                       invitee_name=name, for_requester=False)


def call_me(number: str = GOOD_US, requester: Requester | None = None, meeting_id: str = "m1") -> DialRequest:
    """"Call my phone": the requester is called."""
    return DialRequest(meeting_id=meeting_id, number=number, requester=requester or member(),
                       invitee_name=None, for_requester=True)
