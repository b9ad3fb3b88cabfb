"""The join page's front door: the meeting behind a link, visitor tokens, the phone-bridge
controls and the live status, each answered as an outcome or a domain error."""

from __future__ import annotations

from . import reasons
from .bridge import BridgeService
from .clock import Clock
from .errors import BridgeAlreadyActive, MeetingNotFound
from .lifecycle import Lifecycle
from .meetings import MeetingService, TokenGrant
from .outcomes import BridgeControl, RoomPage, RoomStatus
from .records import Meeting
from .status import read_status
from .storage import Store

LONGEST_MEETING_ID = 64  # longer ids are never ours: not even looked up
HUNG_UP_FROM_PAGE = reasons.HUNG_UP_FROM_PAGE


class Rooms:
    """What the join page may ask of a meeting, whoever is visiting."""

    def __init__(self, store: Store, meetings: MeetingService, bridge: BridgeService, lifecycle: Lifecycle,
                 clock: Clock) -> None:
        self.store = store
        self.meetings = meetings
        self.bridge = bridge
        self.lifecycle = lifecycle
        self.clock = clock

    def find(self, meeting_id: str) -> Meeting:
        """The meeting behind a join link; raises MeetingNotFound."""
        meeting = self.store.meetings.get(meeting_id) if len(meeting_id) <= LONGEST_MEETING_ID else None
        if meeting is None:
            raise MeetingNotFound(meeting_id)
        return meeting

    def page(self, meeting_id: str) -> RoomPage:
        """The meeting and whether it can be joined (not ended, not past its lifetime)."""
        meeting = self.find(meeting_id)
        return RoomPage(meeting, live=meeting.is_live and meeting.expires_at > self.clock.now())

    def grant_token(self, meeting_id: str, display_name: str, client_address: str) -> TokenGrant:
        """A short-lived token for one visitor; raises MeetingNotFound, MeetingEnded,
        RateLimited or UpstreamError."""
        return self.meetings.grant_token(meeting_id, display_name, client_address)

    def status(self, meeting_id: str) -> RoomStatus:
        """The bridge state (with the reason of a failure) and the phone callers."""
        meeting = self.find(meeting_id)
        current = read_status(self.store, meeting)
        failed = current.bridge is not None and current.bridge_state == "failed"
        return RoomStatus(ended=not meeting.is_live, bridge=current.bridge_state,
                          bridge_reason=current.bridge.reason if failed and current.bridge else None,
                          phone_callers=current.phone_callers)

    def dial_out(self, meeting_id: str) -> BridgeControl:
        """Connect the phone bridge, or say it is already connecting/connected. Raises
        DialRateLimited, MeetingEnded or UpstreamError like the card's button."""
        try:
            self.bridge.connect(meeting_id)
        except BridgeAlreadyActive as already:
            return BridgeControl(bridge=already.state, acted=False)
        return BridgeControl(bridge="connecting", acted=True)

    def hang_up(self, meeting_id: str) -> BridgeControl:
        """Hang up the phone bridge; `acted` is False when nothing was connected."""
        acted = self.bridge.hang_up(meeting_id, reason=reasons.HUNG_UP, notice=HUNG_UP_FROM_PAGE)
        return BridgeControl(bridge="off", acted=acted)

    def end_as_host(self, meeting_id: str, host_key: str) -> bool:
        """End the meeting with the host link's key; False when it had already ended. Raises
        MeetingNotFound, or NotAllowed for a wrong key."""
        return self.lifecycle.end_as_host(meeting_id, host_key)
