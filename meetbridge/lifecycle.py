"""Ending meetings and the time-based work: the bridge's caps, expiry, clean-up.

The sweeper is two passes that never wait for each other (measured: 1,500 legs of one ended
meeting held another meeting's idle bridge up for 92 s instead of 3):

- `urgent_pass` (every SWEEP_SECONDS): expiry, the bridge lifetime cap, idle bridges, dials
  nobody answered, bridge hang-ups to retry, and confirming with Vonage the callers who alone
  keep a bridge up. Each step takes a bounded batch; the hang-ups of a step run side by side.
- `cleanup_pass` (its own thread): hanging up caller legs owed a hang-up, through a small pool
  and in batches under a time budget, then retention pruning in small batches.

Every step claims its rows with a conditional UPDATE, so sweepers in several processes (or a
cron `cli.py sweep` beside the server) act on each row once. `sweep()` runs both passes to the
end, for cron and tests.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Callable
from functools import partial

from . import reasons
from .bridge import BridgeService
from .clock import Clock
from .errors import MeetingNotFound, NotAllowed, UpstreamError
from .ids import token_hash
from .phone_entry import TERMINAL_STATUSES, PhoneEntry
from .retention import Retention
from .settings import Settings
from .status import ChangeListeners
from .storage import Store
from .video_ejection import eject_everyone
from .voice import VoiceGateway
from .workers import WorkerPool

log = logging.getLogger(__name__)

DIAL_ANSWER_TIMEOUT_SECONDS = 45
URGENT_BATCH = 50            # rows of each urgent kind (expired meetings, idle bridges, …) per pass
URGENT_THREADS = 4           # bridge hang-ups of one urgent step run side by side
HANG_UP_THREADS = 8          # caller hang-ups in flight at once (per process)
CLAIM_BATCH = 32             # caller legs claimed per round trip to the database
CHECKS_PER_PASS = 16         # Vonage look-ups of lone callers per urgent pass
CHECK_THREADS = 4
CHECK_WAIT_SECONDS = 2.0     # how long an urgent pass waits for its look-ups
CLEANUP_BUDGET_SECONDS = 10.0  # a clean-up pass stops starting new batches after this
UNKNOWN_TO_VONAGE = "unknown"  # status of a leg closed because Vonage had no such call


class Lifecycle:
    """Ends meetings (by a person, the host link or the sweeper) and runs the time-based rules."""

    def __init__(self, settings: Settings, store: Store, bridge: BridgeService, phone_entry: PhoneEntry,
                 voice: VoiceGateway, clock: Clock, changes: ChangeListeners) -> None:
        self.phone_entry = phone_entry
        self.settings = settings
        self.store = store
        self.bridge = bridge
        self.voice = voice
        self.clock = clock
        self.changes = changes
        self.retention = Retention(settings, store, clock)
        self._urgent = WorkerPool("sweep", URGENT_THREADS)
        self._hang_ups = WorkerPool("hang-up", HANG_UP_THREADS)
        self._checks = WorkerPool("call-check", CHECK_THREADS)
        self._closing = threading.Event()
        # Called when callers are left for the clean-up pass to hang up (the server wakes its
        # clean-up thread, so they are not kept waiting for its next turn).
        self.callers_owed: Callable[[], None] = lambda: None

    # -- ending -----------------------------------------------------------------------------

    def end(self, meeting_id: str, reason: str, by_user: str | None = None, *,
            hang_up_callers: bool = True) -> bool:
        """End a meeting: bridge and caller legs hung up, PIN released. False if already over.

        With `hang_up_callers=False` (expiry in the urgent pass) the callers' legs are left to
        the clean-up pass, so a meeting with many legs never holds up the time-critical work.
        """
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
        self.bridge.hang_up(meeting_id, reason=reasons.MEETING_ENDED)
        eject_everyone(self.store, self.bridge.video, self.clock, meeting)
        self.changes.changed(meeting_id)  # the card says "ended" without waiting for every leg
        if hang_up_callers:
            self._hang_up_callers_of(meeting_id, now)
        else:
            self.callers_owed()
        return True

    def end_as_host(self, meeting_id: str, host_key: str) -> bool:
        """End from the join page: the host link's key stands in for the Slack user."""
        meeting = self.store.meetings.get(meeting_id)
        if meeting is None:
            raise MeetingNotFound(meeting_id)
        expected = meeting.host_key_hash or ""
        if not expected or not hmac.compare_digest(expected, token_hash(host_key)):
            raise NotAllowed(meeting_id)
        return self.end(meeting_id, reason=reasons.ENDED)

    def _hang_up_callers_of(self, meeting_id: str, now: float) -> None:
        """Claim the meeting's live legs a batch at a time and hang them up through the pool.
        At shutdown it stops between batches: unclaimed legs are the clean-up pass's work."""
        while not self._closing.is_set() and (
                uuids := self.store.legs.claim_live(meeting_id, now, "hung up", CLAIM_BATCH)):
            self._hang_ups.run_all(partial(self._hang_up_caller, uuid) for uuid in uuids)

    def _hang_up_caller(self, uuid: str) -> None:
        """Hang up a leg this process claimed; a failure is left for the next clean-up pass."""
        try:
            self.voice.hang_up(uuid)
        except UpstreamError:
            self.store.legs.set_cleanup_pending(uuid, True)

    # -- the sweeper ------------------------------------------------------------------------

    def sweep(self) -> None:
        """Both passes to the end (cron, `cli.py sweep`, tests)."""
        self.urgent_pass(check_wait=None)
        self.cleanup_pass(budget=None)

    def urgent_pass(self, check_wait: float | None = CHECK_WAIT_SECONDS) -> None:
        """The time-critical steps, each over a bounded batch; bridge hang-ups of one step run
        side by side. No caller leg is hung up here: that is the clean-up pass's work."""
        now = self.clock.now()
        expired = self.store.meetings.expired_ids(now)[:URGENT_BATCH]
        self._urgent.run_all(partial(self.end, meeting_id, reasons.EXPIRED, hang_up_callers=False)
                             for meeting_id in expired)
        max_seconds = self.settings.bridge_max_seconds
        capped = self.store.bridges.connected_before(now - max_seconds, URGENT_BATCH)
        self._urgent.run_all(partial(self.bridge.hang_up, bridge.meeting_id, reason=reasons.MAX_DURATION,
                                     notice=reasons.max_duration_notice(max_seconds))
                             for bridge in capped)
        minutes = self.settings.bridge_idle_minutes
        idle = self.store.bridges.idle_before(now - self.settings.bridge_idle_seconds, URGENT_BATCH)
        self._urgent.run_all(partial(self.bridge.hang_up, bridge.meeting_id, reason=reasons.IDLE,
                                     notice=reasons.idle_notice(minutes))
                             for bridge in idle)
        stuck = self.store.bridges.connecting_before(now - DIAL_ANSWER_TIMEOUT_SECONDS, URGENT_BATCH)
        self._urgent.run_all(partial(self.bridge.fail_unanswered, bridge,
                                     reasons.UNANSWERED) for bridge in stuck)
        retries = self.store.bridges.cleanup_pending(URGENT_BATCH)
        self._urgent.run_all(partial(self.bridge.retry_cleanup, bridge) for bridge in retries)
        self._confirm_lone_callers(now, check_wait)

    def _confirm_lone_callers(self, now: float, wait: float | None) -> None:
        """Ask Vonage about callers in for longer than BRIDGE_IDLE_MINUTES (those keeping a
        bridge up first), each at most once per BRIDGE_IDLE_MINUTES. Our own `updated_at`
        proves nothing: any webhook, a forged one too, refreshes it. A leg Vonage does not
        know as live is closed, and the idle rule then hangs up a bridge nobody listens to."""
        if self._checks.busy():
            return  # the last pass's look-ups are still out: never pile up more
        interval = self.settings.bridge_idle_seconds
        uuids = self.store.legs.claim_checks(now, now - interval, now - interval, CHECKS_PER_PASS)
        self._checks.run_all((partial(self._confirm_leg, uuid) for uuid in uuids), timeout=wait)

    def _confirm_leg(self, uuid: str) -> None:
        try:
            status = self.voice.call_status(uuid)
        except UpstreamError:
            return  # unknown for now: asked again after the interval
        if status is None:
            self._close_unknown_leg(uuid)
        elif status in TERMINAL_STATUSES:  # a real caller whose `completed` event was lost
            log.info("caller leg %s closed: Vonage reports it %s", uuid, status)
            self.phone_entry.call_status(uuid, status)

    def _close_unknown_leg(self, uuid: str) -> None:
        """Vonage has no such call (404): it was never a caller, so it cannot have kept the
        bridge from idling. The idle clock runs from when the bridge connected or the last real
        caller left, and the idle rule hangs the bridge up on its next pass."""
        now = self.clock.now()
        if not self.store.legs.record_status(uuid, UNKNOWN_TO_VONAGE, now, True):
            return
        log.info("caller leg %s closed: Vonage does not know it", uuid)
        leg = self.store.legs.get(uuid)
        if leg is None or leg.meeting_id is None:
            return
        bridge = self.store.bridges.active(leg.meeting_id)
        if bridge is not None and bridge.connected_at is not None:
            last_left = self.store.legs.last_left(leg.meeting_id, except_status=UNKNOWN_TO_VONAGE)
            self.store.bridges.set_idle_since_if_no_callers(
                leg.meeting_id, min(now, max(bridge.connected_at, last_left or 0)))
        self.changes.changed(leg.meeting_id)

    def cleanup_pass(self, budget: float | None = CLEANUP_BUDGET_SECONDS) -> None:
        """Hang up caller legs that are owed it, then prune; new batches stop after `budget`
        seconds (None: run to the end), so a shutdown or the next pass is never far away."""
        deadline = None if budget is None else time.monotonic() + budget

        def more_time() -> bool:
            return not self._closing.is_set() and (deadline is None or time.monotonic() < deadline)

        now = self.clock.now()
        while more_time() and (uuids := self.store.legs.claim_live_in_ended_meetings(now, "hung up", CLAIM_BATCH)):
            self._hang_ups.run_all(partial(self._hang_up_caller, uuid) for uuid in uuids)
        # Retries: each leg pending at the start at most once per pass (a failure re-marks it).
        owed = self.store.legs.count_cleanup_pending()
        while owed > 0 and more_time() and (uuids := self.store.legs.claim_cleanup_batch(min(owed, CLAIM_BATCH))):
            owed -= len(uuids)
            self._hang_ups.run_all(partial(self._hang_up_caller, uuid) for uuid in uuids)
        self.retention.prune(more_time)

    def stop_passes(self) -> None:
        """A running clean-up pass stops after its current batch (shutdown)."""
        self._closing.set()

    def close(self) -> None:
        """Finish what is in flight and stop the pools; later work runs in the caller's thread."""
        self._closing.set()
        for pool in (self._urgent, self._checks, self._hang_ups):
            pool.close()

