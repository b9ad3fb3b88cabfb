"""What a phone caller hears: the PIN prompt, re-prompts, lock-outs, busy, full, joining.

Pure decisions over the store; the webhook layer only parses requests and serialises the
NCCO this returns. Nothing slow happens here: auto-bridge dialling is handed to
`start_in_background` so Vonage gets its answer in milliseconds.

PIN guessing is bounded for the whole service (meetbridge/pin_guard.py): an
attempt is claimed before the PIN is looked up, only for a call /voice-answer saw, never
beyond PIN_ATTEMPTS, never for a locked-out key, never while the failure budget is spent.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from . import ncco
from .bridge import BridgeService
from .caller_names import CallerNames, Heard
from .clock import Clock
from .dial_in import DialIn
from .outcomes import DtmfOutcome
from .pin_guard import ALERT_EVERY_SECONDS, BUDGET_ALERT, BUDGET_WINDOW_SECONDS, lockout_policy
from .records import WebhookToken
from .settings import Settings
from .status import ChangeListeners
from .storage import Store
from .storage.keypad import EntryLimits, KeypadFacts, Refusal
from .storage.pin_guard import lockout_key as stored_key
from .words import load_catalogs

PIN_PATTERN = re.compile(r"\d{4,20}")
log = logging.getLogger("meetbridge.alerts")


@dataclass(frozen=True)
class CallerLeg:
    """One phone call as the voice webhooks name it: its Vonage uuid and the caller's number."""

    uuid: str
    number: str | None  # None when withheld: all withheld callers share one lock-out key
    dialled: str | None = None  # the number the caller dialled (Vonage's `to`): picks the call's language


def lockout_key(raw_number: object) -> str | None:
    """The caller's number when it identifies a caller; None for withheld/unknown ones."""
    if not isinstance(raw_number, str):
        return None
    digits = raw_number.removeprefix("+")
    return digits if digits.isdigit() and len(digits) >= 5 else None


class PhoneEntry:
    """What a phone caller hears, from the first answer to the PIN that lets them in."""

    def __init__(self, settings: Settings, store: Store, bridge: BridgeService, clock: Clock,
                 changes: ChangeListeners, start_in_background: Callable[[Callable[[], None]], None]) -> None:
        self.settings = settings
        self.store = store
        self.bridge = bridge
        self.clock = clock
        self.changes = changes
        self.start_in_background = start_in_background
        self.dial_in = DialIn.from_settings(settings)  # the number dialled → the call's language
        load_catalogs()  # the prompts' words, read once at start
        self.names = CallerNames(settings, store)  # a saved number's member, or the name said
        self.limits = EntryLimits(attempts=settings.pin_attempts, budget=settings.pin_failure_budget,
                                  budget_window_seconds=BUDGET_WINDOW_SECONDS,
                                  callers=settings.max_phone_callers)

    @property
    def dtmf_url(self) -> str:
        """Where Vonage sends the caller's keypad input."""
        return f"{self.settings.server_url}/voice-dtmf"

    @property
    def keypad_url(self) -> str:
        """Where Vonage sends an admitted caller's keys during the meeting (*6, *1, *3, *2)."""
        return ncco.keypad_url(self.settings.server_url)

    def answer_caller(self, leg: CallerLeg, token: WebhookToken | None = None) -> list[dict]:
        """A new call from a phone: ask for the PIN, unless the service is busy or the
        number is locked out (then nothing is stored about the call but the webhook's `token`,
        recorded first: TokenReplayed, nothing written, when it was used)."""
        now = self.clock.now()
        language = self.dial_in.language_for(leg.dialled)  # every later prompt of the call uses it
        stored, gate = self.store.pin_guard.store_caller(  # only while the budget lasts and the key is not locked
            leg.uuid, leg.number, now, language, self.settings.pin_failure_budget, now - BUDGET_WINDOW_SECONDS,
            token)
        if not stored and gate.budget_used >= self.settings.pin_failure_budget:
            self._alert_budget_spent(now)
            return ncco.say_goodbye(ncco.BUSY, language)
        if not stored:
            return ncco.say_goodbye(ncco.LOCKED_OUT, language)
        return ncco.pin_prompt(self.dtmf_url, max(self.settings.pin_length, gate.longest_pin or 0),
                               language=language)

    def answer_bridge(self, meeting_id: str) -> list[dict]:
        """The bridge leg's NCCO: the meeting's conversation, by its stored name."""
        meeting = self.store.meetings.get(meeting_id)
        if meeting is None or meeting.conversation_name is None:
            return ncco.say_goodbye(ncco.NOT_EXPECTED)
        return ncco.join_conversation(meeting.conversation_name, greeting=None)

    def enter_pin(self, leg: CallerLeg, digits: str | None, timed_out: bool) -> DtmfOutcome:
        """Count the attempt, then check the PIN (one statement, read back in the same round
        trip): join, re-prompt or goodbye."""
        entered = self.try_pin(leg, digits, timed_out)
        return entered if entered is not None else self.refused(leg)

    def try_pin(self, leg: CallerLeg, digits: str | None, timed_out: bool,
                token: WebhookToken | None = None) -> DtmfOutcome | None:
        """`enter_pin` for a leg granted an attempt; None, with nothing written (but the
        webhook's `token`, recorded first: TokenReplayed when it was used), for a leg that got
        none (unknown, out of attempts, locked out, over budget, admitted, or a call the meeting
        placed: its leg is stored with its meeting), which `refused` then answers."""
        now = self.clock.now()
        pin = digits if digits and PIN_PATTERN.fullmatch(digits) else None
        facts = self.store.keypad.enter_and_look_up(leg.uuid, pin, now, self.limits, token)
        if facts is None:
            return None
        language = facts.language or self.dial_in.language_for(leg.dialled)
        if facts.admitted:
            return self._admitted(facts, leg.uuid)
        if facts.meeting_id is not None and facts.expires_at is not None and facts.expires_at > now:
            if facts.conversation_name is None:
                return _goodbye(ncco.MEETING_GONE, language)
            self.store.keypad.turn_away(leg.uuid, facts.meeting_id, now)  # a right PIN: no failure
            return _goodbye(ncco.FULL, language)
        key = stored_key(facts.caller_number)
        self.store.pin_guard.record_failure(key, now, lockout_policy(self.settings, key))
        if facts.attempts >= self.settings.pin_attempts:
            return _goodbye(ncco.GOODBYE, language)
        text = ncco.NO_INPUT if not digits else ncco.RETRY
        prompt = ncco.pin_prompt(self.dtmf_url, max(self.settings.pin_length, facts.longest_pin or 0), text,
                                 language)
        return DtmfOutcome(prompt, joined=False)

    def refused(self, leg: CallerLeg) -> DtmfOutcome:
        """The answer to keypad input that got no attempt (`try_pin` returned None)."""
        now = self.clock.now()
        return self._refused(self.store.keypad.refusal(leg.uuid, now - BUDGET_WINDOW_SECONDS), now,
                             self.dial_in.language_for(leg.dialled), leg.uuid)

    def _refused(self, refusal: Refusal, now: float, dialled_language: str, uuid: str) -> DtmfOutcome:
        """Why the call got no attempt decides what it hears (in the leg's language, else that of
        the number the webhook names); every answer ends the call, except a repeated input
        webhook of a caller already admitted to a live meeting."""
        language = refusal.language or dialled_language
        if not refusal.known:
            return _goodbye(ncco.NOT_EXPECTED, language)
        if refusal.joined and not refusal.left:
            if refusal.conversation_name and refusal.expires_at and refusal.expires_at > now:
                asked = self.names.asked_again(uuid)  # the PIN's webhook again while the name is asked
                if asked is not None:
                    return DtmfOutcome(asked, joined=True)
                return DtmfOutcome(ncco.join_conversation(refusal.conversation_name, language=language,
                                                          keypad_url=self.keypad_url), joined=True)
            return _goodbye(ncco.MEETING_GONE, language)
        if refusal.locked_until is not None and refusal.locked_until > now:
            return _goodbye(ncco.LOCKED_OUT, language)
        if refusal.attempts < self.settings.pin_attempts and not refusal.left \
                and refusal.budget_used >= self.settings.pin_failure_budget:
            self._alert_budget_spent(now)
            return _goodbye(ncco.BUSY, language)
        return _goodbye(ncco.GOODBYE, language)

    def _admitted(self, facts: KeypadFacts, uuid: str) -> DtmfOutcome:
        """The caller is in: the card hears, an idle bridge is busy again, auto-bridge dials;
        the caller says their name first (unless a member's saved number names them)."""
        meeting_id = facts.meeting_id
        language = facts.language or self.dial_in.default_language
        if meeting_id is None or facts.conversation_name is None:  # it ended in between
            return _goodbye(ncco.MEETING_GONE, language)
        # The name step is marked before anyone hears of the new caller (the bridge dials on
        # another thread): a caller being asked their name is not yet waiting in the meeting.
        asked = self.names.first_step(uuid, facts.named, facts.saved_member, facts.language)
        if facts.bridge_idle_since is not None:
            self.store.bridges.set_idle_since(meeting_id, None)  # someone is listening now
        presence = facts.presence  # read with the entry: the name step's mark is the one write since
        if presence is not None and asked is not None:
            presence = presence.asking_name(uuid)
        self.changes.changed(meeting_id, presence)
        if self.settings.auto_bridge and not facts.bridge_active:
            self.start_in_background(lambda: self.bridge.connect(meeting_id))
        if asked is not None:
            return DtmfOutcome(asked, joined=True, meeting_id=meeting_id)
        return DtmfOutcome(ncco.join_conversation(facts.conversation_name, language=language,
                                                  keypad_url=self.keypad_url), joined=True, meeting_id=meeting_id)

    def name_said(self, uuid: str, heard: list[Heard]) -> DtmfOutcome:
        """What speech recognition heard after "say your name": kept when it is a name, then
        the meeting's conversation. A repeated webhook of a leg in a live meeting joins it
        again; an unknown or ended leg, or an ended meeting, gets a goodbye."""
        named = self.names.said(uuid, heard)
        leg = self.store.legs.get(uuid)
        language = (leg.language if leg else None) or self.dial_in.default_language
        if leg is None or leg.meeting_id is None or leg.joined_at is None or leg.left_at is not None:
            return _goodbye(ncco.NOT_EXPECTED, language)
        meeting = self.store.meetings.get(leg.meeting_id)
        if meeting is None or not meeting.is_live or meeting.conversation_name is None \
                or meeting.expires_at <= self.clock.now():
            return _goodbye(ncco.MEETING_GONE, language)
        if named:
            self.changes.changed(meeting.id)  # the card shows the name; someone may hear them now
        return DtmfOutcome(ncco.join_conversation(meeting.conversation_name, language=language,
                                                  keypad_url=self.keypad_url), joined=True, meeting_id=meeting.id)

    def _alert_budget_spent(self, now: float) -> None:
        """One `alert` log line a minute, whichever worker or host refuses calls."""
        if self.store.pin_guard.claim_alert(BUDGET_ALERT, now, ALERT_EVERY_SECONDS):
            log.warning("alert", extra={"alert": BUDGET_ALERT, "budget": self.settings.pin_failure_budget,
                                        "window_seconds": BUDGET_WINDOW_SECONDS})

    def call_status(self, uuid: str, status: str) -> bool:
        """A voice event for a caller leg: when it ends, the caller has left the meeting.
        Only legs /voice-answer stored are updated (an event never creates a row); False when
        the event changed nothing."""
        terminal = status in TERMINAL_STATUSES
        if not self.store.legs.record_status(uuid, status, self.clock.now(), terminal):
            return False
        if not terminal:
            return True
        leg = self.store.legs.get(uuid)
        if leg and leg.meeting_id and leg.joined_at is not None:
            if self.store.legs.callers_in(leg.meeting_id) == 0:
                self.store.bridges.set_idle_since(leg.meeting_id, self.clock.now())
            self.changes.changed(leg.meeting_id)
        return True


def _goodbye(text: str, language: str | None = None) -> DtmfOutcome:
    """A last sentence for a caller who is not let in (in the call's language); the call ends after it."""
    return DtmfOutcome(ncco.say_goodbye(text, language), joined=False)


TERMINAL_STATUSES = frozenset({"completed", "busy", "cancelled", "failed", "rejected", "timeout",
                               "unanswered"})
