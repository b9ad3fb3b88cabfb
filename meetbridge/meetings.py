"""Starting meetings and letting visitors in: the domain side of `/meet` and the join page."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .clock import Clock
from .errors import MeetingEnded, MeetingNotFound
from .ids import new_host_key, new_meeting_id, token_hash
from .pins import allocate_pin
from .settings import Settings
from .storage import Meeting, Store
from .video import VideoGateway

MAX_DISPLAY_NAME = 100


@dataclass(frozen=True)
class MeetingRequest:
    team_id: str
    channel_id: str
    creator_id: str
    topic: str | None


@dataclass(frozen=True)
class TokenGrant:
    """Named as OpenTok.js samples name them."""

    apiKey: str
    sessionId: str
    token: str


class MeetingService:
    def __init__(self, settings: Settings, store: Store, video: VideoGateway, clock: Clock,
                 rng: random.Random) -> None:
        self.settings = settings
        self.store = store
        self.video = video
        self.clock = clock
        self.rng = rng

    def start(self, request: MeetingRequest) -> Meeting:
        """Create the routed session first, then store meeting and PIN together.

        A failed video call raises UpstreamError before anything is stored.
        """
        session_id = self.video.create_routed_session()
        now = self.clock.now()
        meeting_id = new_meeting_id()
        with self.store.transaction():
            pin = allocate_pin(self.store.pins, meeting_id, self.rng, self.settings.pin_length, now)
            meeting = Meeting(id=meeting_id, team_id=request.team_id, channel_id=request.channel_id,
                              creator_id=request.creator_id, topic=request.topic, session_id=session_id,
                              pin=pin, created_at=now, expires_at=now + self.settings.meeting_ttl_seconds)
            self.store.meetings.insert(meeting)
        return meeting

    def issue_host_key(self, meeting_id: str) -> str:
        """A fresh host key for the starter's link; only its hash is kept."""
        key = new_host_key()
        self.store.meetings.update(meeting_id, host_key_hash=token_hash(key))
        return key

    def discard(self, meeting_id: str) -> None:
        """Undo a meeting nobody was told about (its card could not be posted)."""
        with self.store.transaction():
            self.store.pins.forget(meeting_id)
            self.store.meetings.delete(meeting_id)

    def live_meeting(self, meeting_id: str) -> Meeting:
        meeting = self.store.meetings.get(meeting_id)
        if meeting is None:
            raise MeetingNotFound(meeting_id)
        if not meeting.is_live or meeting.expires_at <= self.clock.now():
            raise MeetingEnded(meeting_id)
        return meeting

    def grant_token(self, meeting_id: str, display_name: str) -> TokenGrant:
        """A per-visitor token that dies with the meeting, carrying the visitor's name."""
        meeting = self.live_meeting(meeting_id)
        token = self.video.mint_token(meeting.session_id, meeting.expires_at, display_name)
        return TokenGrant(apiKey=self.video.api_key, sessionId=meeting.session_id, token=token)


def clean_display_name(raw: object) -> str | None:
    """A visitor's name as shown to others: trimmed, 1–100 printable characters."""
    if not isinstance(raw, str):
        return None
    name = " ".join(raw.split())
    if not name or len(name) > MAX_DISPLAY_NAME or not name.isprintable():
        return None
    return name
