"""The phone bridge: the video session dials our Vonage number over SIP.

State lives in bridge_calls: `connecting` from the dial until the bridge leg's
answer webhook, `connected` then, `off` or `failed` after. Every transition is a conditional
UPDATE, so concurrent clicks, webhooks and sweepers in several processes each act once.
"""

from __future__ import annotations

import hmac
import time
import uuid
from collections.abc import Callable

from . import reasons
from .clock import Clock
from .errors import BridgeAlreadyActive, DialRateLimited, MeetingEnded, UpstreamError
from .ids import new_bridge_token, token_hash
from .meetings import MeetingService
from .records import BridgeCall
from .settings import Settings
from .status import ChangeListeners
from .storage import Rule, Store
from .video import SIP_CONNECTION_DATA, SipConnection, SipDial, VideoGateway
from .voice import VoiceGateway

MEETING_HEADER = "X-Meetbridge-Meeting"
TOKEN_HEADER = "X-Meetbridge-Token"
RETRY_DELAY_SECONDS = 1.0
DIAL_LIMIT_NOTICE = reasons.DIAL_LIMIT


class BridgeService:
    """Dial, classify, hang up and clean up the phone bridge of a meeting."""

    def __init__(self, settings: Settings, store: Store, meetings: MeetingService, video: VideoGateway,
                 voice: VoiceGateway, clock: Clock, changes: ChangeListeners,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.store = store
        self.meetings = meetings
        self.video = video
        self.voice = voice
        self.clock = clock
        self.changes = changes
        self.sleep = sleep

    def connect(self, meeting_id: str) -> None:
        """Dial the bridge once. Raises BridgeAlreadyActive, DialRateLimited, MeetingEnded or
        UpstreamError."""
        meeting = self.meetings.live_meeting(meeting_id)
        token, bridge_id = new_bridge_token(), uuid.uuid4().hex
        try:
            self._claim_dial(meeting_id, bridge_id, token_hash(token))
        except DialRateLimited:
            self._tell_card(meeting_id, DIAL_LIMIT_NOTICE)
            raise
        self.store.meetings.update(meeting_id, bridge_notice=None)
        self.changes.changed(meeting_id)
        try:
            connection = self._dial(meeting.session_id, meeting.expires_at, meeting_id, token)
        except UpstreamError as error:
            self.store.bridges.finish(bridge_id, "failed", self.clock.now(), error.code)
            self.changes.changed(meeting_id)
            raise
        self._record_connection(bridge_id, meeting.session_id, connection)

    def _claim_dial(self, meeting_id: str, bridge_id: str, hashed_token: str) -> None:
        """Spending cap, whoever asks: one transaction checks that no bridge is active,
        counts this meeting's recent dials in the database (so every worker and host sees the
        same count) and records the new dial."""
        now = self.clock.now()
        with self.store.transaction():
            self.store.bridges.hold_dials(meeting_id)  # another host's click waits, then sees this dial
            active = self.store.bridges.active(meeting_id)
            if active is not None:
                raise BridgeAlreadyActive(meeting_id, active.state)
            wait = self.store.rate_limits.take(self._dial_rules(meeting_id), now)
            if wait is not None:
                raise DialRateLimited(wait)
            self.store.bridges.insert_connecting(bridge_id, meeting_id, hashed_token, now)

    def _dial_rules(self, meeting_id: str) -> list[Rule]:
        bucket = f"dial:{meeting_id}"
        return [Rule(bucket, 1, self.settings.bridge_dial_interval_seconds),
                Rule(bucket, self.settings.bridge_dials_per_hour, 3600)]

    def _tell_card(self, meeting_id: str, notice: str) -> None:
        """Show a notice (a reason code) on the card, once: repeated refusals must not each cost a chat.update."""
        meeting = self.store.meetings.get(meeting_id)
        if meeting and meeting.bridge_notice != notice:
            self.store.meetings.update(meeting_id, bridge_notice=notice)
            self.changes.changed(meeting_id)

    def _dial(self, session_id: str, expires_at: float, meeting_id: str, token: str) -> SipConnection:
        sip = SipDial(uri=self.settings.sip_uri, username=self.settings.voice_api_key,
                      password=self.settings.voice_api_secret,
                      headers={MEETING_HEADER: meeting_id, TOKEN_HEADER: token})
        # The bridge's token goes only from us to OpenTok, never to a browser; it lives as long as
        # the meeting so a long bridge call never depends on a token expiring under it.
        video_token = self.video.mint_token(session_id, expires_at, SIP_CONNECTION_DATA)
        try:
            return self.video.dial(session_id, video_token, sip)
        except UpstreamError as error:
            if not error.transient:
                raise
        self.sleep(RETRY_DELAY_SECONDS)
        return self.video.dial(session_id, video_token, sip)

    def _record_connection(self, bridge_id: str, session_id: str, connection: SipConnection) -> None:
        self.store.bridges.update(bridge_id, connection_id=connection.connection_id)
        bridge = self.store.bridges.get(bridge_id)
        if bridge and bridge.state not in ("connecting", "connected"):
            # Hung up while the dial was in flight: the connection id arrived too late
            # for that hang-up, so drop the SIP connection now.
            self._drop_video_side(bridge, session_id)

    def answer_bridge_leg(self, meeting_id: str, token: str, leg_uuid: str) -> str:
        """Classify an answer webhook carrying our headers: 'join', 'stale' or 'forged'."""
        bridge = self.store.bridges.active(meeting_id)
        if bridge is None:
            return "stale" if self.store.bridges.has_token(meeting_id, token_hash(token)) else "forged"
        if not hmac.compare_digest(bridge.token_hash or "", token_hash(token)):
            return "forged"
        if bridge.leg_uuid and bridge.leg_uuid != leg_uuid:
            return "stale"  # each dial token admits one leg (Vonage may retry the same leg)
        now = self.clock.now()
        idle_since = now if self.store.legs.callers_in(meeting_id) == 0 else None
        self.store.bridges.mark_connected(bridge.id, leg_uuid, now, idle_since)
        self.changes.changed(meeting_id)
        return "join"

    def by_leg(self, leg_uuid: str) -> BridgeCall | None:
        """The bridge whose Vonage leg has this uuid; None for every other call."""
        return self.store.bridges.by_leg(leg_uuid)

    def hang_up(self, meeting_id: str, reason: str, notice: str | None = None) -> bool:
        """Hang up the active bridge, stored with `reason` and the card's `notice` (reason codes,
        meetbridge/reasons.py); False when nothing was connected (a no-op)."""
        bridge = self.store.bridges.active(meeting_id)
        if bridge is None or not self.store.bridges.finish(bridge.id, "off", self.clock.now(), reason):
            return False
        meeting = self.store.meetings.get(meeting_id)
        if meeting:
            self._drop_video_side(bridge, meeting.session_id)
        self._drop_phone_side(bridge)
        if notice:
            self.store.meetings.update(meeting_id, bridge_notice=notice)
        self.changes.changed(meeting_id)
        return True

    def leg_ended(self, bridge: BridgeCall, status: str) -> None:
        """The bridge's Vonage leg completed: the bridge is off; make sure OpenTok agrees."""
        if not self.store.bridges.finish(bridge.id, "off", self.clock.now(), reasons.leg_ended(status)):
            return
        meeting = self.store.meetings.get(bridge.meeting_id)
        if meeting:
            self._drop_video_side(bridge, meeting.session_id)
        self.changes.changed(bridge.meeting_id)

    def fail_unanswered(self, bridge: BridgeCall, reason: str) -> None:
        """A dial whose leg never reached our answer webhook (e.g. wrong SIP credentials)."""
        if not self.store.bridges.finish(bridge.id, "failed", self.clock.now(), reason):
            return
        meeting = self.store.meetings.get(bridge.meeting_id)
        if meeting:
            self._drop_video_side(bridge, meeting.session_id)
        self.changes.changed(bridge.meeting_id)

    def retry_cleanup(self, bridge: BridgeCall) -> None:
        """Hang up again what a failed hang-up left running; one sweeper per row."""
        if not self.store.bridges.claim_cleanup(bridge.id):
            return
        meeting = self.store.meetings.get(bridge.meeting_id)
        if meeting:
            self._drop_video_side(bridge, meeting.session_id)
        self._drop_phone_side(bridge)

    def _drop_video_side(self, bridge: BridgeCall, session_id: str) -> None:
        if not bridge.connection_id:
            return
        try:
            self.video.force_disconnect(session_id, bridge.connection_id)
        except UpstreamError:
            self.store.bridges.update(bridge.id, cleanup_pending=1)

    def _drop_phone_side(self, bridge: BridgeCall) -> None:
        """OpenTok alone does not always end a half-open SIP leg; Vonage can."""
        if not bridge.leg_uuid:
            return
        try:
            self.voice.hang_up(bridge.leg_uuid)
        except UpstreamError:
            self.store.bridges.update(bridge.id, cleanup_pending=1)


__all__ = ["BridgeService", "BridgeAlreadyActive", "DialRateLimited", "MeetingEnded", "MEETING_HEADER", "TOKEN_HEADER"]
