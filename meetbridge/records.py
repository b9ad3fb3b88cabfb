"""The domain's plain records: a meeting, its bridge calls and phone legs, shared by every surface."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class WebhookToken:
    """A signed webhook's verified token, not yet recorded as used: the request's first write
    records it in the same transaction, so a replay writes nothing (TokenReplayed)."""

    jti: str
    seen_at: float


@dataclass(frozen=True)
class Meeting:
    """One video meeting with its PIN and lifetime, wherever it was started."""

    id: str
    team_id: str
    channel_id: str
    creator_id: str
    topic: str | None
    session_id: str
    pin: str
    created_at: float
    expires_at: float
    ended_at: float | None = None
    ended_reason: str | None = None  # a reason code (meetbridge/reasons.py), worded when shown
    video_participants: int = 0
    bridge_notice: str | None = None  # a reason code for the card's line about the bridge
    host_key_hash: str | None = None
    conversation_name: str | None = None  # random; callers and the bridge join it

    @property
    def is_live(self) -> bool:
        """Not ended yet (expiry is checked against the clock elsewhere)."""
        return self.ended_at is None

    @property
    def title(self) -> str:
        """The topic, or a plain name when the starter gave none."""
        return self.topic or "Video meeting"


@dataclass(frozen=True)
class BridgeCall:
    """One dial-out from the voice conversation into the video session."""

    id: str
    meeting_id: str
    state: str
    created_at: float
    reason: str | None = None  # why it failed or ended: a reason code (meetbridge/reasons.py)
    connection_id: str | None = None
    leg_uuid: str | None = None
    connected_at: float | None = None
    ended_at: float | None = None
    idle_since: float | None = None
    token_hash: str | None = field(default=None, repr=False)  # of the dial's SIP header token


@dataclass(frozen=True)
class PhoneLeg:
    """One inbound phone call: who rang, which meeting it entered, and when."""

    uuid: str
    created_at: float
    meeting_id: str | None = None
    caller_number: str | None = None
    status: str | None = None
    attempts: int = 0
    joined_at: float | None = None
    left_at: float | None = None
    caller_name: str | None = None  # a dialled invitee's name, shown instead of the masked number
    slack_member_id: str | None = None  # a dialled member ("Call my phone"): the leg is that member
    muted: int = 0  # 1 while the caller is muted (by the keypad or the host)
    hand_raised_at: float | None = None  # when the caller raised a hand; None: not raised
    language: str | None = None  # BCP 47 language of the number dialled (prompts, speech); None: the default
