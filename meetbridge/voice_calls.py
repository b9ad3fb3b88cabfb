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
from .records import WebhookToken
from .status import ChangeListeners
from .storage.replays import SeenTokens

if TYPE_CHECKING:
    from .dial_out import DialOut


class VoiceCalls:
    """Answer, keypad input and call events for both the phone bridge's leg and callers."""

    def __init__(self, phone_entry: PhoneEntry, bridge: BridgeService, changes: ChangeListeners,
                 dial_out: DialOut | None = None, seen_tokens: SeenTokens | None = None) -> None:
        self.phone_entry = phone_entry
        self.bridge = bridge
        self.changes = changes
        self.dial_out = dial_out  # calls the meeting placed: their key press and progress
        self.seen_tokens = seen_tokens  # records a webhook's token when no write of the call carries it

    def answer(self, leg: CallerLeg, meeting_id: str | None, token: str | None,
               webhook_token: WebhookToken | None = None) -> AnswerOutcome:
        """A call with our signed bridge headers joins its meeting's conversation (or is sent
        away when its dial token is used up); a forged one, and anyone else, is a caller. The
        signed webhook's `webhook_token` is recorded as used before anything is written
        (TokenReplayed, nothing written, when it was): by a caller's stored leg, in one
        transaction with it."""
        with self.changes.held():
            verdict = None
            if meeting_id and token:
                self._use(webhook_token)  # the bridge's writes do not carry it
                webhook_token = None
                verdict = self.bridge.answer_bridge_leg(meeting_id, token, leg.uuid)
                if verdict == "join":
                    return AnswerOutcome(self.phone_entry.answer_bridge(meeting_id), LegKind.BRIDGE, verdict)
                if verdict == "stale":  # a used dial token, or a bridge hung up meanwhile
                    return AnswerOutcome(ncco.say_goodbye(ncco.NOT_EXPECTED), LegKind.BRIDGE, verdict)
            return AnswerOutcome(self.phone_entry.answer_caller(leg, webhook_token), LegKind.CALLER, verdict)

    def enter_pin(self, leg: CallerLeg, digits: str | None, timed_out: bool,
                  webhook_token: WebhookToken | None = None) -> DtmfOutcome:
        """The caller's keypad input: joined on a live PIN, else re-prompted or sent away. A
        call the meeting placed answers its invitation instead (1 joins; it never enters a PIN).
        The PIN entry's transaction records `webhook_token` first (TokenReplayed, nothing
        written, when it was used), whatever the entry decides."""
        with self.changes.held():
            # The PIN entry first: it refuses, writing nothing but the token, any leg the meeting
            # placed (stored with its meeting), so only a refused entry looks for a placed call.
            entered = self.phone_entry.try_pin(leg, digits, timed_out, webhook_token)
            if entered is not None:
                return entered
            if self.dial_out is not None:
                pressed = self.dial_out.press(leg.uuid, digits, timed_out)
                if pressed is not None:
                    return pressed
            return self.phone_entry.refused(leg)

    def _use(self, webhook_token: WebhookToken | None) -> None:
        """Record the token on its own (TokenReplayed when it was used)."""
        if webhook_token is not None:
            assert self.seen_tokens is not None, "a webhook token needs seen_tokens"
            self.seen_tokens.use(webhook_token)

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
