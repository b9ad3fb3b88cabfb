"""The voice webhooks' front door: a call answered, a PIN typed, a call's status changed.

Each entry point applies the whole decision (bridge leg or caller, joined or not) and returns
an outcome; the webhook layer only parses requests and serialises what comes back. Inside each
call the card hears of changes once, after every write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import ncco
from .bridge import BridgeService
from .caller_names import Heard
from .outcomes import AnswerOutcome, DtmfOutcome, EventOutcome, LegKind
from .phone_entry import TERMINAL_STATUSES, CallerLeg, PhoneEntry
from .status import ChangeListeners

if TYPE_CHECKING:
    from .dial_out import DialOut


class VoiceCalls:
    """Answer, keypad input and call events for both the phone bridge's leg and callers."""

    def __init__(self, phone_entry: PhoneEntry, bridge: BridgeService, changes: ChangeListeners,
                 dial_out: DialOut | None = None) -> None:
        self.phone_entry = phone_entry
        self.bridge = bridge
        self.changes = changes
        self.dial_out = dial_out  # calls the meeting placed: their key press and progress

    def answer(self, leg: CallerLeg, meeting_id: str | None, token: str | None) -> AnswerOutcome:
        """A call with our signed bridge headers joins its meeting's conversation (or is sent
        away when its dial token is used up); a forged one, and anyone else, is a caller."""
        with self.changes.held():
            verdict = None
            if meeting_id and token:
                verdict = self.bridge.answer_bridge_leg(meeting_id, token, leg.uuid)
                if verdict == "join":
                    return AnswerOutcome(self.phone_entry.answer_bridge(meeting_id), LegKind.BRIDGE, verdict)
                if verdict == "stale":  # a used dial token, or a bridge hung up meanwhile
                    return AnswerOutcome(ncco.say_goodbye(ncco.NOT_EXPECTED), LegKind.BRIDGE, verdict)
            return AnswerOutcome(self.phone_entry.answer_caller(leg), LegKind.CALLER, verdict)

    def enter_pin(self, leg: CallerLeg, digits: str | None, timed_out: bool) -> DtmfOutcome:
        """The caller's keypad input: joined on a live PIN, else re-prompted or sent away. A
        call the meeting placed answers its invitation instead (1 joins; it never enters a PIN)."""
        with self.changes.held():
            # The PIN entry first: it refuses, writing nothing, any leg the meeting placed (stored
            # with its meeting), so only a refused entry looks for a placed call.
            entered = self.phone_entry.try_pin(leg, digits, timed_out)
            if entered is not None:
                return entered
            if self.dial_out is not None:
                pressed = self.dial_out.press(leg.uuid, digits, timed_out)
                if pressed is not None:
                    return pressed
            return self.phone_entry.refused(leg)

    def name_said(self, uuid: str, heard: list[Heard]) -> DtmfOutcome:
        """What a caller admitted by PIN said when asked for their name: then the meeting."""
        with self.changes.held():
            return self.phone_entry.name_said(uuid, heard)

    def call_event(self, uuid: str, status: str, dial_reservation: str | None = None) -> EventOutcome:
        """A status event by leg uuid; duplicates and out-of-order events are harmless. The
        bridge's own leg ending turns the bridge off; a caller's ending lowers the count. A
        call the meeting placed names its reservation (`dial_reservation`) in its event URL."""
        with self.changes.held():
            bridge = self.bridge.by_leg(uuid)
            if bridge is None:
                known = self.phone_entry.call_status(uuid, status)
                if self.dial_out is not None and self.dial_out.call_event(uuid, status, dial_reservation):
                    known = True
                return EventOutcome(LegKind.CALLER if known else LegKind.UNKNOWN)
        if status not in TERMINAL_STATUSES:
            return EventOutcome(LegKind.BRIDGE)
        self.bridge.leg_ended(bridge, status)  # calls OpenTok: outside the held block
        return EventOutcome(LegKind.BRIDGE, bridge_ended=True)
