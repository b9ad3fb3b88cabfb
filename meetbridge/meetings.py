"""Starting meetings and letting visitors in: the domain side of `/meet` and the join page."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .clock import Clock
from .errors import MeetingEnded, MeetingNotFound, RateLimited, TooManyLiveMeetings
from .ids import new_conversation_name, new_host_key, new_meeting_id, token_hash
from .pins import allocate_pin
from .records import Meeting
from .settings import Settings
from .status import MeetingStatus, read_status
from .storage import Rule, Store
from .video import VideoGateway, short_token_expiry, visitor_data

MAX_DISPLAY_NAME = 100
# Token minting limits per minute (429 with Retry-After beyond them): a whole meeting behind
# one office address joins and refreshes (every ~14 min) far below them; a script minting
# hundreds meets them.
TOKENS_PER_ADDRESS_MINUTE = 60
TOKENS_PER_MEETING_MINUTE = 300


@dataclass(frozen=True)
class MeetingRequest:
    """Someone asks for a meeting: in which workspace, from which place in it (a channel,
    where the meeting is announced), who starts it, and what about."""

    workspace_id: str
    place_id: str
    starter_id: str
    topic: str | None


@dataclass(frozen=True)
class StartedMeeting:
    """A new meeting and its starter's host key (only the key's hash is stored)."""

    meeting: Meeting
    host_key: str


@dataclass(frozen=True)
class TokenGrant:
    """Named as OpenTok.js samples name them."""

    apiKey: str
    sessionId: str
    token: str
    expiresIn: int  # seconds: the page fetches a fresh token before then


class MeetingService:
    """The domain's front door for meetings: start, find, look up, let visitors in."""

    def __init__(self, settings: Settings, store: Store, video: VideoGateway, clock: Clock,
                 rng: random.Random) -> None:
        self.settings = settings
        self.store = store
        self.video = video
        self.clock = clock
        self.rng = rng

    def start(self, request: MeetingRequest) -> Meeting:
        """A new meeting without a host link (see start_hosted)."""
        return self._create(request, host_key_hash=None)

    def start_hosted(self, request: MeetingRequest) -> StartedMeeting:
        """A new meeting with its starter's host key, stored in the same single insert."""
        key = new_host_key()
        return StartedMeeting(meeting=self._create(request, host_key_hash=token_hash(key)), host_key=key)

    def _create(self, request: MeetingRequest, host_key_hash: str | None) -> Meeting:
        """Create the routed session first, then store meeting and PIN together.

        A failed video call raises UpstreamError before anything is stored; a workspace at
        MAX_LIVE_MEETINGS_PER_TEAM raises TooManyLiveMeetings, checked before the session is
        made and again under the write lock, so two workers cannot both take the last place.
        """
        self._check_team_cap(request.workspace_id)
        session_id = self.video.create_routed_session()
        now = self.clock.now()
        meeting_id = new_meeting_id()
        with self.store.transaction():
            self.store.meetings.hold_team(request.workspace_id)  # other hosts' /meet of it wait here
            self._check_team_cap(request.workspace_id)
            pin = allocate_pin(self.store.pins, meeting_id, self.rng, self.settings.pin_length, now)
            meeting = Meeting(id=meeting_id, team_id=request.workspace_id, channel_id=request.place_id,
                              creator_id=request.starter_id, topic=request.topic, session_id=session_id,
                              pin=pin, created_at=now, expires_at=now + self.settings.meeting_ttl_seconds,
                              host_key_hash=host_key_hash, conversation_name=new_conversation_name())
            self.store.meetings.insert(meeting)
        return meeting

    def _check_team_cap(self, team_id: str) -> None:
        limit = self.settings.max_live_meetings_per_team
        if self.store.meetings.live_count_for_team(team_id) >= limit:
            raise TooManyLiveMeetings(limit)

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

    def find(self, meeting_id: str) -> Meeting | None:
        """The meeting with this id, live or ended, or None."""
        return self.store.meetings.get(meeting_id)

    def status(self, meeting: Meeting) -> MeetingStatus:
        """Everything a card shows about the meeting: bridge and phone callers included."""
        return read_status(self.store, meeting)

    def live_for_starter(self, workspace_id: str, starter_id: str) -> list[Meeting]:
        """The live meetings someone started in a workspace, newest first."""
        return self.store.meetings.live_for_creator(workspace_id, starter_id)

    def live_ids_in_workspace(self, workspace_id: str) -> list[str]:
        """Ids of a workspace's meetings not yet ended."""
        return self.store.meetings.live_ids_for_team(workspace_id)

    def active_bridge_state(self, meeting_id: str) -> str | None:
        """connecting / connected while the meeting's phone bridge is up or dialling, else None."""
        active = self.store.bridges.active(meeting_id)
        return active.state if active else None

    def phone_callers(self, meeting_id: str) -> dict[str, str | None]:
        """The meeting's phone callers now in: leg id → caller number (never logged). A call the
        meeting placed is in once the callee pressed 1, not while it rings."""
        return {leg.uuid: leg.caller_number for leg in self.store.legs.live_legs(meeting_id)
                if leg.joined_at is not None}

    def live_meeting(self, meeting_id: str) -> Meeting:
        """The meeting if it is still live; else MeetingNotFound or MeetingEnded."""
        meeting = self.store.meetings.get(meeting_id)
        if meeting is None:
            raise MeetingNotFound(meeting_id)
        if not meeting.is_live or meeting.expires_at <= self.clock.now():
            raise MeetingEnded(meeting_id)
        return meeting

    def grant_token(self, meeting_id: str, display_name: str, client_address: str) -> TokenGrant:
        """A short-lived per-visitor token carrying the visitor's name as structured data.

        Raises MeetingNotFound, MeetingEnded, or RateLimited when this meeting or this address
        asked for too many tokens in the last minute.
        """
        meeting = self.live_meeting(meeting_id)
        now = self.clock.now()
        wait = self.store.rate_limits.take(_token_rules(meeting_id, client_address), now)
        if wait is not None:
            raise RateLimited(wait)
        expires_at = short_token_expiry(now, meeting.expires_at)
        token = self.video.mint_token(meeting.session_id, expires_at, visitor_data(display_name))
        return TokenGrant(apiKey=self.video.api_key, sessionId=meeting.session_id, token=token,
                          expiresIn=max(0, int(expires_at - now)))


def _token_rules(meeting_id: str, client_address: str) -> list[Rule]:
    address = token_hash(client_address)[:24]  # the database keeps no client addresses
    return [Rule(f"token:{meeting_id}", TOKENS_PER_MEETING_MINUTE, 60),
            Rule(f"token:{meeting_id}:{address}", TOKENS_PER_ADDRESS_MINUTE, 60)]


def clean_display_name(raw: object) -> str | None:
    """A visitor's name as shown to others: trimmed, 1–100 printable characters."""
    if not isinstance(raw, str):
        return None
    name = " ".join(raw.split())
    if not name or len(name) > MAX_DISPLAY_NAME or not name.isprintable():
        return None
    return name
