"""The meeting dials people: "Call my phone" (the requester is the callee) and "Add by phone".

`DialOut` is the front door: `normalise` checks a typed number, `call` applies every
guardrail and places the call through the Voice API, and the voice webhooks hand it the
callee's key press (`press`) and the call's status events (`call_event`). Words are not in
the domain: refusals and progress are codes the Slack side and the page put into words.

Toll-fraud guardrails, in the order they are checked: DIAL_OUT (off / starter / members), the
meeting (exists, live), the number (meetbridge/dial_out_rules.py: valid, an allowed country,
an ordinary number type), then under one lock per meeting: callers present plus calls ringing
below MAX_PHONE_CALLERS, at most RINGING_PER_MEETING ringing at once, and the hourly limits
(DIAL_OUT_PER_MEMBER_HOUR per member, VISITOR_CALLS_PER_HOUR per page visitor,
DIAL_OUT_PER_TEAM_HOUR per workspace), all kept in the database so they hold across worker
processes and hosts. A call Vonage would not place stores nothing and gives its places back.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from . import ncco
from .clock import Clock
from .dial_out_rules import NumberRules, country_of, mask
from .dial_out_status import progress_code
from .errors import DialOutRefused, UpstreamError
from .outcomes import DtmfOutcome
from .records import Meeting
from .settings import Settings
from .status import ChangeListeners
from .storage import Store
from .storage.dial_outs import DialOutRow, Reservation
from .storage.rate_limits import Rule

log = logging.getLogger("meetbridge.dial_out")

HOUR = 3600.0
VISITOR_CALLS_PER_HOUR = 3
RINGING_PER_MEETING = 10
RINGING_TIMER_SECONDS = 45  # Vonage hangs up a call still ringing after this (ringing_timer)
KEY_TIMEOUT_SECONDS = 10  # how long the callee has to press 1 after the invitation
LENGTH_TIMER_SECONDS = 12 * 3600  # no dialled leg lasts longer than a meeting can


@dataclass(frozen=True)
class Requester:
    """Who asks the meeting to dial: a Slack member or a page visitor (domain words)."""

    kind: Literal["member", "visitor"]
    workspace_id: str
    member_id: str | None = None  # Slack user id for members
    visitor_id: str | None = None  # the visitor cookie's id for page visitors
    region: str | None = None  # ISO 3166 alpha-2 default region; None → DIAL_OUT_COUNTRIES[0]


@dataclass(frozen=True)
class DialRequest:
    """One call to place: the meeting, the number as typed, who asks and who is called."""

    meeting_id: str
    number: str  # as typed by a person ("+1 555 010 0199", "(555) 010-0199")
    requester: Requester
    invitee_name: str | None  # add_phone's name; None for call_me (then the member is the invitee)
    for_requester: bool  # True: call_me (the requester is the callee; the leg is named as that member)
    inviter_name: str | None = None  # who the callee hears invites them (a Slack display name); optional


@dataclass(frozen=True)
class DialStarted:
    """A call Vonage accepted: its leg uuid and the masked number (the only form that leaves)."""

    call_uuid: str
    masked: str  # "•••0199"


@dataclass(frozen=True)
class DialProgress:
    """A dialled call moved on: `code` is ringing, joined, no_answer, busy, declined,
    voicemail, failed or left."""

    call_uuid: str
    meeting_id: str
    requester: Requester
    masked: str
    invitee_name: str | None
    code: str


class OutboundVoice(Protocol):
    """What DialOut needs of the Voice API: place a call with an inline NCCO."""

    def create_call(self, to: str, from_number: str, ncco_actions: list[dict], event_url: str,
                    ringing_timer: int, length_timer: int) -> str:
        """Place the call; its leg uuid. Raises UpstreamError when it could not be placed."""
        ...


class DialOut:
    """Calls people into a meeting: guardrails, the outbound call, the press-1 flow, progress."""

    def __init__(self, settings: Settings, store: Store, voice: OutboundVoice, clock: Clock,
                 changes: ChangeListeners, start_in_background: Callable[[Callable[[], None]], None],
                 connect_bridge: Callable[[str], object] | None = None) -> None:
        self.settings = settings
        self.store = store
        self.voice = voice
        self.clock = clock
        self.changes = changes
        self.start_in_background = start_in_background
        self.connect_bridge = connect_bridge
        countries = settings.dial_out_countries or (country_of(settings.conference_number) or "US",)
        self.rules = NumberRules(tuple(countries))
        self._listeners: list[Callable[[DialProgress], None]] = []

    # -- the interface the Slack side and the page use ------------------------------------------

    def normalise(self, number: str, region: str | None) -> str:
        """E.164 with '+' for a typed number, or raise DialOutRefused(invalid_number /
        country_not_allowed / number_type_not_allowed). Modals validate with it."""
        return self.rules.normalise(number, region)

    def call(self, request: DialRequest) -> DialStarted:
        """Every guardrail, then Voice POST /v1/calls; raises DialOutRefused or UpstreamError
        (nothing stored when the call could not be placed)."""
        requester = request.requester
        meeting = self._allowed_meeting(request.meeting_id, requester)
        e164 = self.normalise(request.number, requester.region)
        now = self.clock.now()
        name = self._leg_name(request)
        reservation = Reservation(
            id=secrets.token_hex(16), meeting_id=meeting.id, team_id=requester.workspace_id,
            requester_kind=requester.kind, member_id=requester.member_id, visitor_id=requester.visitor_id,
            invitee_name=request.invitee_name, for_requester=request.for_requester, masked=mask(e164),
            leg_name=name, slack_member_id=requester.member_id if request.for_requester else None)
        refusal = self.store.dial_outs.reserve(reservation, now, self._rules(meeting, requester),
                                               max_callers=self.settings.max_phone_callers,
                                               max_ringing=RINGING_PER_MEETING)
        if refusal is not None:
            raise DialOutRefused(refusal.code, refusal.retry_after)
        try:
            uuid = self.voice.create_call(
                to=e164.removeprefix("+"), from_number=self.settings.conference_number,
                ncco_actions=ncco.dial_out_invitation(self._inviter(meeting, request), meeting.title,
                                                      self.dtmf_url, KEY_TIMEOUT_SECONDS),
                event_url=self.events_url, ringing_timer=RINGING_TIMER_SECONDS,
                length_timer=LENGTH_TIMER_SECONDS)
        except UpstreamError:
            self.store.dial_outs.cancel(reservation.id)  # nothing stored, places given back
            raise
        self.store.dial_outs.placed(reservation.id, uuid, e164, self.clock.now())
        log.info("dial_out placed", extra={"meeting_id": meeting.id, "call_uuid": uuid,
                                           "number": reservation.masked})
        started = DialStarted(call_uuid=uuid, masked=reservation.masked)
        row = self.store.dial_outs.by_call(uuid)
        if row is not None:
            self._tell(row, "ringing")
        return started

    def add_progress_listener(self, listener: Callable[[DialProgress], None]) -> None:
        """Call `listener(progress)` after every stored change of a dialled call's progress."""
        self._listeners.append(listener)

    # -- the voice webhooks' side -----------------------------------------------------------------

    @property
    def dtmf_url(self) -> str:
        """Where Vonage sends the callee's key press."""
        return f"{self.settings.server_url}/voice-dtmf"

    @property
    def events_url(self) -> str:
        """Where Vonage sends the dialled call's status events."""
        return f"{self.settings.server_url}/voice-events"

    def press(self, uuid: str, digits: str | None, timed_out: bool) -> DtmfOutcome | None:
        """The callee's answer to the invitation: 1 joins the meeting's conversation as a
        caller; anything else, or nothing, is a short goodbye. None when `uuid` is no call this
        meeting placed (then it is an ordinary caller's PIN entry). Only a leg we dialled, still
        on the line, of a live meeting with room, is ever let in."""
        row = self.store.dial_outs.by_call(uuid)
        if row is None:
            return None
        now = self.clock.now()
        if digits != "1" and row.code != "joined":  # a leg already in stays in whatever comes again
            if self.store.dial_outs.finish(uuid, "no_answer" if timed_out or not digits else "declined", now):
                self._tell(row, "no_answer" if timed_out or not digits else "declined")
            return DtmfOutcome(ncco.say_goodbye(ncco.INVITE_DECLINED), joined=False)
        admitted = self.store.dial_outs.admit(uuid, now, self.settings.max_phone_callers)
        if admitted.conversation_name is None:
            code = "meeting_ended" if admitted.meeting_gone else "failed"
            if self.store.dial_outs.finish(uuid, "failed", now):
                self._tell(row, "failed")
            text = ncco.MEETING_GONE if code == "meeting_ended" else (ncco.FULL if admitted.full else ncco.NOT_EXPECTED)
            return DtmfOutcome(ncco.say_goodbye(text), joined=False)
        if admitted.newly:
            if admitted.bridge_idle_since is not None:
                self.store.bridges.set_idle_since(row.meeting_id, None)  # someone is listening now
            self.changes.changed(row.meeting_id)
            self._tell(row, "joined")
            if self.settings.auto_bridge and not admitted.bridge_active and self.connect_bridge is not None:
                connect, meeting_id = self.connect_bridge, row.meeting_id

                def dial_bridge() -> None:
                    connect(meeting_id)
                self.start_in_background(dial_bridge)
        return DtmfOutcome(ncco.join_conversation(admitted.conversation_name), joined=True,
                           meeting_id=row.meeting_id)

    def call_event(self, uuid: str, status: str) -> bool:
        """A status event of a call this meeting placed (the caller side has recorded it on the
        leg already): its progress code is stored and told once. False for other legs."""
        row = self.store.dial_outs.by_call(uuid)
        if row is None:
            return False
        code = progress_code(status, joined=row.code in ("joined", "left"))
        if code is None:
            return True
        if code == "ringing":
            changed = self.store.dial_outs.ringing(uuid, self.clock.now())
        else:
            changed = self.store.dial_outs.finish(uuid, code, self.clock.now())
        if changed:
            self._tell(row, code)
        return True

    # -- helpers -----------------------------------------------------------------------------------

    def _allowed_meeting(self, meeting_id: str, requester: Requester) -> Meeting:
        """DIAL_OUT and the meeting itself: off, starter only, unknown, over."""
        if self.settings.dial_out == "off":
            raise DialOutRefused("dial_out_off")
        meeting = self.store.meetings.get(meeting_id)
        if meeting is None or meeting.team_id != requester.workspace_id:
            raise DialOutRefused("not_found")
        if not meeting.is_live or meeting.expires_at <= self.clock.now() or meeting.conversation_name is None:
            raise DialOutRefused("meeting_ended")
        if self.settings.dial_out == "starter" and not (
                requester.kind == "member" and requester.member_id == meeting.creator_id):
            raise DialOutRefused("starter_only")
        if requester.kind == "member" and not requester.member_id:
            raise DialOutRefused("not_found")
        if requester.kind == "visitor" and not requester.visitor_id:
            raise DialOutRefused("not_found")
        return meeting

    def _rules(self, meeting: Meeting, requester: Requester) -> list[tuple[str, Rule]]:
        """The hourly limits of this requester, each with the refusal code it gives."""
        team = requester.workspace_id
        if requester.kind == "member":
            own = ("member_hourly_limit", Rule(f"dial_out:member:{team}:{requester.member_id}",
                                               self.settings.dial_out_per_member_hour, HOUR))
        else:
            own = ("visitor_limit", Rule(f"dial_out:visitor:{meeting.id}:{requester.visitor_id}",
                                         VISITOR_CALLS_PER_HOUR, HOUR))
        return [own, ("team_hourly_limit", Rule(f"dial_out:team:{team}", self.settings.dial_out_per_team_hour,
                                                HOUR))]

    @staticmethod
    def _leg_name(request: DialRequest) -> str | None:
        """How the leg is shown once joined: the invitee's name; None for call_me (the member)."""
        if request.for_requester:
            return None
        name = (request.invitee_name or "").strip()
        return name[:80] or None

    @staticmethod
    def _inviter(meeting: Meeting, request: DialRequest) -> str:
        """Who the callee hears invites them: the name the front end gave, else plain words
        (never a number or an id)."""
        name = " ".join((request.inviter_name or "").split())
        if request.for_requester:
            return name or "meetbridge"
        return name or "A colleague"

    def _tell(self, row: DialOutRow, code: str) -> None:
        """Every progress listener hears of the stored change (a failing one does not stop the rest)."""
        progress = DialProgress(call_uuid=row.call_uuid or "", meeting_id=row.meeting_id,
                                requester=Requester(kind=row.requester_kind,  # type: ignore[arg-type]
                                                    workspace_id=row.team_id, member_id=row.member_id,
                                                    visitor_id=row.visitor_id),
                                masked=row.masked, invitee_name=row.invitee_name, code=code)
        for listener in self._listeners:
            try:
                listener(progress)
            except Exception:  # noqa: BLE001 - one listener's failure must not lose the webhook
                log.exception("dial_out progress listener failed", extra={"call_uuid": row.call_uuid})
