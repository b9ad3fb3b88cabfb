"""What a phone caller hears: the PIN prompt, re-prompts, the lockout, joining.

Pure decisions over the store; the webhook layer only parses requests and serialises
the NCCO this returns. Nothing slow happens here: auto-bridge dialling is handed to
`start_in_background` so Vonage gets its answer in milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from . import ncco
from .bridge import BridgeService
from .clock import Clock
from .settings import Settings
from .status import ChangeListeners
from .storage import Store
from .storage.keypad import KeypadFacts

LOCKOUT_WINDOW_SECONDS = 15 * 60
PIN_PATTERN = re.compile(r"\d{4,20}")


@dataclass(frozen=True)
class CallerLeg:
    uuid: str
    number: str | None  # None when withheld: limited per call only


def lockout_key(raw_number: object) -> str | None:
    """The caller's number when it identifies a caller; None for withheld/unknown ones."""
    if not isinstance(raw_number, str):
        return None
    digits = raw_number.removeprefix("+")
    return digits if digits.isdigit() and len(digits) >= 5 else None


class PhoneEntry:
    def __init__(self, settings: Settings, store: Store, bridge: BridgeService, clock: Clock,
                 changes: ChangeListeners, start_in_background: Callable[[Callable[[], None]], None]) -> None:
        self.settings = settings
        self.store = store
        self.bridge = bridge
        self.clock = clock
        self.changes = changes
        self.start_in_background = start_in_background

    @property
    def dtmf_url(self) -> str:
        return f"{self.settings.server_url}/voice-dtmf"

    def _max_digits(self) -> int:
        return max(self.settings.pin_length, self.store.pins.longest_live_length() or 0)

    def answer_caller(self, leg: CallerLeg) -> list[dict]:
        """A new call from a phone: ask for the PIN, unless the number is locked out."""
        if self._locked_out(leg.number):
            return ncco.say_goodbye(ncco.LOCKED_OUT)
        self.store.legs.ensure(leg.uuid, leg.number, self.clock.now())
        return ncco.pin_prompt(self.dtmf_url, self._max_digits())

    def enter_pin(self, leg: CallerLeg, digits: str | None, timed_out: bool) -> list[dict]:
        """Admit on a live meeting's PIN; otherwise re-prompt up to PIN_ATTEMPTS times."""
        now = self.clock.now()
        pin = digits if digits and PIN_PATTERN.fullmatch(digits) else None
        facts = self.store.keypad.look_up(leg.number, pin, now - LOCKOUT_WINDOW_SECONDS)
        if leg.number is not None and facts.recent_failures >= self.settings.pin_lockout_failures:
            return ncco.say_goodbye(ncco.LOCKED_OUT)
        if facts.meeting_id is not None and facts.expires_at is not None and facts.expires_at > now:
            return self._admit(leg, facts, now)
        self.store.legs.ensure(leg.uuid, leg.number, now)
        if leg.number:
            self.store.legs.record_pin_failure(leg.number, now)
        attempts = self.store.legs.count_attempt(leg.uuid)
        if attempts >= self.settings.pin_attempts:
            return ncco.say_goodbye(ncco.GOODBYE)
        text = ncco.NO_INPUT if not digits else ncco.RETRY
        return ncco.pin_prompt(self.dtmf_url, self._max_digits(), text)

    def _admit(self, leg: CallerLeg, facts: KeypadFacts, now: float) -> list[dict]:
        meeting_id = facts.meeting_id
        assert meeting_id is not None
        self.store.legs.admit(leg.uuid, leg.number, meeting_id, now)
        if facts.bridge_idle_since is not None:
            self.store.bridges.set_idle_since(meeting_id, None)  # someone is listening now
        self.changes.changed(meeting_id)
        if self.settings.auto_bridge and not facts.bridge_active:
            self.start_in_background(lambda: self.bridge.connect(meeting_id))
        return ncco.join_conversation(meeting_id)

    def _locked_out(self, number: str | None) -> bool:
        if number is None:
            return False
        since = self.clock.now() - LOCKOUT_WINDOW_SECONDS
        return self.store.legs.pin_failures_since(number, since) >= self.settings.pin_lockout_failures

    def call_status(self, uuid: str, status: str) -> None:
        """A voice event for a caller leg: when it ends, the caller has left the meeting."""
        ended = self.store.legs.record_status(uuid, status, self.clock.now(), status in TERMINAL_STATUSES)
        if not ended:
            return
        leg = self.store.legs.get(uuid)
        if leg and leg.meeting_id and leg.joined_at is not None:
            if self.store.legs.callers_in(leg.meeting_id) == 0:
                self.store.bridges.set_idle_since(leg.meeting_id, self.clock.now())
            self.changes.changed(leg.meeting_id)


TERMINAL_STATUSES = frozenset({"completed", "busy", "cancelled", "failed", "rejected", "timeout",
                               "unanswered"})
