"""Ending meetings and the time-based work (SPEC §2.7): expiry, idle bridges, stuck dials,
and retrying hang-ups that failed. Each step claims its row with a conditional UPDATE, so
sweepers in several processes never hang up the same leg twice."""

from __future__ import annotations

import hmac
import logging

from .bridge import BridgeService
from .clock import Clock
from .errors import MeetingNotFound, NotAllowed, UpstreamError
from .ids import token_hash
from .phone_entry import TERMINAL_STATUSES, PhoneEntry
from .settings import Settings
from .status import ChangeListeners
from .storage import PhoneLeg, Store
from .voice import VoiceGateway

DIAL_ANSWER_TIMEOUT_SECONDS = 45
SILENT_LEG_CHECK_SECONDS = 10 * 60
PIN_FAILURE_MEMORY_SECONDS = 3600


class Lifecycle:
    def __init__(self, settings: Settings, store: Store, bridge: BridgeService, phone_entry: PhoneEntry,
                 voice: VoiceGateway, clock: Clock, changes: ChangeListeners) -> None:
        self.phone_entry = phone_entry
        self.settings = settings
        self.store = store
        self.bridge = bridge
        self.voice = voice
        self.clock = clock
        self.changes = changes

    def end(self, meeting_id: str, reason: str, by_user: str | None = None) -> bool:
        """End a meeting: bridge and caller legs hung up, PIN released. False if already over."""
        meeting = self.store.meetings.get(meeting_id)
        if meeting is None:
            raise MeetingNotFound(meeting_id)
        if by_user is not None and by_user != meeting.creator_id:
            raise NotAllowed(meeting_id)
        now = self.clock.now()
        with self.store.transaction():
            if not self.store.meetings.mark_ended(meeting_id, now, reason):
                return False
            self.store.pins.release(meeting_id, now)
        self.bridge.hang_up(meeting_id, reason="meeting ended")
        self._hang_up_callers(self.store.legs.live_legs(meeting_id), now)
        self.changes.changed(meeting_id)
        return True

    def end_as_host(self, meeting_id: str, host_key: str) -> bool:
        """End from the join page: the host link's key stands in for the Slack user."""
        meeting = self.store.meetings.get(meeting_id)
        if meeting is None:
            raise MeetingNotFound(meeting_id)
        expected = meeting.host_key_hash or ""
        if not expected or not hmac.compare_digest(expected, token_hash(host_key)):
            raise NotAllowed(meeting_id)
        return self.end(meeting_id, reason="ended")

    def _hang_up_callers(self, legs: list[PhoneLeg], now: float) -> None:
        """Each leg is claimed (marked left) before its hang-up, so it is hung up once."""
        for leg in legs:
            if self.store.legs.mark_left(leg.uuid, now, "hung up"):
                self._hang_up_caller(leg.uuid)

    def _hang_up_caller(self, uuid: str) -> None:
        try:
            self.voice.hang_up(uuid)
        except UpstreamError:
            self.store.legs.set_cleanup_pending(uuid, True)
            return
        self.store.legs.set_cleanup_pending(uuid, False)

    def sweep(self) -> None:
        """One pass of everything time-based; safe to run from cron and threads at once."""
        now = self.clock.now()
        for meeting_id in self.store.meetings.expired_ids(now):
            self.end(meeting_id, reason="expired")
        minutes = self.settings.bridge_idle_minutes
        for bridge in self.store.bridges.idle_before(now - self.settings.bridge_idle_seconds):
            self.bridge.hang_up(bridge.meeting_id, reason="idle",
                                notice=f"Phone bridge hung up: no callers for {minutes:g} min")
        for bridge in self.store.bridges.connecting_before(now - DIAL_ANSWER_TIMEOUT_SECONDS):
            self.bridge.fail_unanswered(bridge, "the phone network never answered the bridge call")
        for bridge in self.store.bridges.cleanup_pending():
            self.bridge.retry_cleanup(bridge)
        for leg in self.store.legs.cleanup_pending():
            if self.store.legs.claim_cleanup(leg.uuid):
                self._hang_up_caller(leg.uuid)
        # A caller admitted in the instant a meeting ended would otherwise stay connected.
        self._hang_up_callers(self.store.legs.live_in_ended_meetings(), now)
        self._reconcile_silent_legs(now)
        self.store.legs.prune_pin_failures(now - PIN_FAILURE_MEMORY_SECONDS)

    def _reconcile_silent_legs(self, now: float) -> None:
        """Ask Vonage about callers we have heard nothing of for a while: a lost `completed`
        event must not keep a bridge (and its bill) running as if someone were listening."""
        for leg in self.store.legs.silent_since(now - SILENT_LEG_CHECK_SECONDS):
            self.store.legs.touch(leg.uuid, now)
            try:
                status = self.voice.call_status(leg.uuid)
            except UpstreamError:
                continue
            if status is None or status in TERMINAL_STATUSES:
                self.phone_entry.call_status(leg.uuid, status or "completed")
