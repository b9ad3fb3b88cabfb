"""Session monitoring: count video participants; when the last one leaves,
nobody on video can hear the phone callers, so the bridge is hung up. A connection made to an
ended meeting's session (a guest back with a token minted before End) is put out again."""

from __future__ import annotations

import logging

from . import reasons
from .bridge import BridgeService
from .clock import Clock
from .errors import UpstreamError
from .status import ChangeListeners
from .storage import Store
from .video import TOKEN_LIFETIME_SECONDS, is_phone_bridge

log = logging.getLogger(__name__)
LAST_PARTICIPANT_LEFT = reasons.VIDEO_LEFT


class VideoMonitor:
    """Applies session-monitoring callbacks to the meeting's video participant count."""

    def __init__(self, store: Store, bridge: BridgeService, clock: Clock, changes: ChangeListeners) -> None:
        self.store = store
        self.bridge = bridge
        self.clock = clock
        self.changes = changes

    def connection_event(self, session_id: str, event: str, connection_id: str, data: str | None) -> bool:
        """Apply one callback; False when it concerns no live meeting (ignored)."""
        meeting = self.store.meetings.live_by_session(session_id)
        if meeting is None:
            if event == "connectionCreated" and not is_phone_bridge(data):
                self._put_out_of_ended_meeting(session_id, connection_id)
            return False
        if is_phone_bridge(data):  # only the bridge's own marker, never a visitor's name
            return True
        now = self.clock.now()
        if event == "connectionCreated":
            self.store.video_connections.joined(connection_id, meeting.id, now)
        elif event == "connectionDestroyed":
            self.store.video_connections.left(connection_id, meeting.id, now)
        else:
            return True
        present = self.store.video_connections.present(meeting.id)
        self.store.meetings.update(meeting.id, video_participants=present)
        if present == 0 and event == "connectionDestroyed":
            self.bridge.hang_up(meeting.id, reason=reasons.NO_VIDEO, notice=LAST_PARTICIPANT_LEFT)
        self.changes.changed(meeting.id)
        return True

    def _put_out_of_ended_meeting(self, session_id: str, connection_id: str) -> None:
        """A guest came back to an ended meeting with a token minted before End (OpenTok tokens
        cannot be revoked; ours live TOKEN_LIFETIME_SECONDS at most): disconnect them again."""
        since = self.clock.now() - TOKEN_LIFETIME_SECONDS - 60
        if self.store.meetings.ended_by_session(session_id, since) is None:
            return
        try:
            self.bridge.video.force_disconnect(session_id, connection_id)
        except UpstreamError as error:
            log.warning("a connection to an ended meeting was not disconnected: %s", error.reason)
