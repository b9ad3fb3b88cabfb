"""Status events of the calls the meeting placed, stored once and told once.

Vonage may send a call's first events before its answer to POST /v1/calls has been stored
(the call rings while the 201 is still on its way). The event URL of every dialled call
carries the call's reservation id (`?dial=`), so such an early event still finds its call and
binds the leg uuid to it; placing the call afterwards keeps whatever the event said.

A ringing call the meeting's End hung up reads "ended" (cancelled because the meeting ended),
not "failed"; a call Vonage never finished is closed by `expire_stale`.
"""

from __future__ import annotations

from .clock import Clock
from .dial_out_records import ProgressListeners
from .dial_out_status import progress_code
from .storage import Store
from .storage.dial_outs import STALE_SECONDS, DialOutRow

HUNG_UP_BY_US = frozenset({"cancelled", "completed"})  # what a leg reports when we hang it up
STALE_BATCH = 200


class DialEvents:
    """Turns a dialled call's Vonage status events into stored progress codes."""

    def __init__(self, store: Store, clock: Clock, progress: ProgressListeners) -> None:
        self.store = store
        self.clock = clock
        self.progress = progress

    def call_event(self, uuid: str, status: str, reservation_id: str | None = None) -> bool:
        """A status event of a call this meeting placed (the caller side has recorded it on the
        leg already): its progress code is stored and told once. False for other legs."""
        row = self._row(uuid, reservation_id)
        if row is None:
            return False
        joined = row.code in ("joined", "left")
        code = progress_code(status, joined=joined)
        if code is None:
            return True
        if not joined and status in HUNG_UP_BY_US and self._meeting_over(row.meeting_id):
            code = "ended"
        now = self.clock.now()
        changed = self.store.dial_outs.ringing(uuid, now) if code == "ringing" else \
            self.store.dial_outs.finish(uuid, code, now)
        if changed:
            self.progress.tell(row, code, call_uuid=uuid)
        return True

    def expire_stale(self) -> int:
        """Calls still placing or ringing long after Vonage's ringing timer (no final status
        ever came) are over: stored as failed (ended, when their meeting is) and told, so no
        card line or page rings forever; how many."""
        now = self.clock.now()
        expired = self.store.dial_outs.expire(now - STALE_SECONDS, now, STALE_BATCH)
        for row in expired:
            self.progress.tell(row, row.code)
        return len(expired)

    def _row(self, uuid: str, reservation_id: str | None) -> DialOutRow | None:
        """The call by its leg uuid; an early event finds it by the reservation id of its event URL."""
        row = self.store.dial_outs.by_call(uuid)
        if row is None and reservation_id:
            row = self.store.dial_outs.bind(reservation_id, uuid)
        return row

    def _meeting_over(self, meeting_id: str) -> bool:
        meeting = self.store.meetings.get(meeting_id)
        return meeting is None or not meeting.is_live or meeting.expires_at <= self.clock.now()
