"""What a domain call did, as small frozen values: the edges (webhooks, join page) only
translate them into HTTP, they never re-derive a decision from an NCCO or a table."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .records import Meeting


class LegKind(StrEnum):
    """Whose call leg a voice webhook concerns."""

    BRIDGE = "bridge"  # the video session's SIP call into the conversation
    CALLER = "caller"  # a person who rang the conference number
    UNKNOWN = "unknown"  # a leg /voice-answer never saw: nothing is stored about it


@dataclass(frozen=True)
class AnswerOutcome:
    """The answer webhook's NCCO; `bridge_verdict` ('join', 'stale', 'forged') when the call
    carried our bridge headers, `leg` whose call it was treated as."""

    ncco: list[dict]
    leg: LegKind
    bridge_verdict: str | None = None


@dataclass(frozen=True)
class DtmfOutcome:
    """The keypad webhook's NCCO and whether the caller is now in the meeting's conversation."""

    ncco: list[dict]
    joined: bool
    meeting_id: str | None = None


@dataclass(frozen=True)
class EventOutcome:
    """A call event applied: which leg it was for, and whether it changed anything stored."""

    leg: LegKind
    bridge_ended: bool = False

    @property
    def known(self) -> bool:
        """False for events of legs never answered: they change and store nothing."""
        return self.leg is not LegKind.UNKNOWN


@dataclass(frozen=True)
class BridgeControl:
    """A dial-out or hang-up asked from the join page: the bridge's state afterwards and
    whether this request changed it (False: already active, or nothing to hang up)."""

    bridge: str
    acted: bool


@dataclass(frozen=True)
class RoomStatus:
    """The join page's live line: bridge state (with the failure reason) and phone callers."""

    ended: bool
    bridge: str
    bridge_reason: str | None  # a reason code, worded by whoever shows it
    phone_callers: int


@dataclass(frozen=True)
class RoomPage:
    """The meeting behind a join link, and whether visitors may still join it."""

    meeting: Meeting
    live: bool
