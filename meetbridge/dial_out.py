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
from typing import Protocol

from . import ncco
from .clock import Clock
from .dial_in import voice_language
from .dial_out_events import DialEvents
from .dial_out_press import InvitationAnswers
from .dial_out_records import DialProgress, DialRequest, DialStarted, ProgressListeners, Requester
from .dial_out_rules import NumberRules, country_of, mask
from .errors import DialOutRefused, UpstreamError
from .outcomes import DtmfOutcome
from .records import Meeting
from .settings import Settings
from .status import ChangeListeners
from .storage import Store
from .storage.dial_outs import Reservation
from .storage.rate_limits import Rule

log = logging.getLogger("meetbridge.dial_out")

HOUR = 3600.0
VISITOR_CALLS_PER_HOUR = 3
RINGING_PER_MEETING = 10
RINGING_TIMER_SECONDS = 45  # Vonage hangs up a call still ringing after this (ringing_timer)
KEY_TIMEOUT_SECONDS = 10  # how long the callee has to press 1 after the invitation
LENGTH_TIMER_SECONDS = 12 * 3600  # no dialled leg lasts longer than a meeting can
DIAL_OUT_EXPIRY_SECONDS = 30.0  # how often calls Vonage never finished are looked for (expire_stale)


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
        countries = settings.dial_out_countries or (country_of(settings.conference_number) or "US",)
        self.rules = NumberRules(tuple(countries))
        self.progress = ProgressListeners()
        self.answers = InvitationAnswers(settings, store, clock, changes, self.progress, start_in_background,
                                         connect_bridge)
        self.events = DialEvents(store, clock, self.progress)

    # -- the interface the Slack side and the page use ------------------------------------------

    @property
    def allowed_countries(self) -> tuple[str, ...]:
        """The countries the meeting may call (DIAL_OUT_COUNTRIES, else the conference number's)."""
        return self.rules.countries

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
                                                      self.dtmf_url, KEY_TIMEOUT_SECONDS,
                                                      voice_language(self.settings.default_locale)),
                event_url=self.event_url_of(reservation.id), ringing_timer=RINGING_TIMER_SECONDS,
                length_timer=LENGTH_TIMER_SECONDS)
        except UpstreamError:
            self.store.dial_outs.cancel(reservation.id)  # nothing stored, places given back
            raise
        newly_ringing = self.store.dial_outs.placed(reservation.id, uuid, e164, self.clock.now())
        log.info("dial_out placed", extra={"meeting_id": meeting.id, "call_uuid": uuid,
                                           "number": reservation.masked})
        row = self.store.dial_outs.by_call(uuid)
        if newly_ringing and row is not None:  # an early event may have told more already
            self.progress.tell(row, "ringing")
        return DialStarted(call_uuid=uuid, masked=reservation.masked)

    def add_progress_listener(self, listener: Callable[[DialProgress], None]) -> None:
        """Call `listener(progress)` after every stored change of a dialled call's progress."""
        self.progress.add(listener)

    # -- the voice webhooks' side -----------------------------------------------------------------

    @property
    def dtmf_url(self) -> str:
        """Where Vonage sends the callee's key press."""
        return f"{self.settings.server_url}/voice-dtmf"

    @property
    def events_url(self) -> str:
        """Where Vonage sends the dialled calls' status events."""
        return f"{self.settings.server_url}/voice-events"

    def event_url_of(self, reservation_id: str) -> str:
        """One call's event URL: its reservation id lets an event that arrives before Vonage's
        answer to the call request was stored still find the call."""
        return f"{self.events_url}?dial={reservation_id}"

    def press(self, uuid: str, digits: str | None, timed_out: bool) -> DtmfOutcome | None:
        """The callee's answer to the invitation (meetbridge/dial_out_press.py); None when
        `uuid` is no call this meeting placed."""
        return self.answers.press(uuid, digits, timed_out)

    def call_event(self, uuid: str, status: str, reservation_id: str | None = None) -> bool:
        """A status event of a call this meeting placed (meetbridge/dial_out_events.py);
        `reservation_id` is the `dial` parameter of its event URL. False for other legs."""
        return self.events.call_event(uuid, status, reservation_id)

    def expire_stale(self) -> None:
        """Close calls Vonage never sent a final status for (run periodically)."""
        self.events.expire_stale()

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
        """How the leg is shown once joined: the invitee's name (a page visitor's own name);
        None for a member's call_me (the leg is that member)."""
        if request.for_requester and request.requester.kind == "member":
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
