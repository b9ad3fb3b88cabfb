"""A phone caller as every roster shows them: name or masked number, muted, hand, minutes in.
Pure: built from a stored leg; the caller's number never leaves here unmasked."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .phone_format import masked_caller
from .records import PhoneLeg


@dataclass(frozen=True)
class PhoneCaller:
    """One caller in the meeting, as every roster shows them."""

    uuid: str  # the leg: only for the host's controls, never shown to plain visitors
    name: str | None  # spoken or given name, already cleaned
    member_id: str | None  # a dialled Slack member ("Call my phone")
    masked: str  # "•••1234"
    muted: bool
    hand_raised_at: float | None
    joined_at: float

    @property
    def hand_raised(self) -> bool:
        """Whether the caller's hand is up (keypad *2)."""
        return self.hand_raised_at is not None

    @property
    def label(self) -> str:
        """How the host sees the caller: "Maria (phone)", else the masked number."""
        return f"{self.name} (phone)" if self.name else self.masked

    @property
    def public_label(self) -> str:
        """How every visitor of the join page sees the caller: never a number."""
        return f"{self.name} (phone)" if self.name else "Phone caller"

    @property
    def key(self) -> str:
        """An opaque, stable name for the caller on the join page (never the leg id itself)."""
        return hashlib.sha256(b"phone-caller:" + self.uuid.encode()).hexdigest()[:16]

    def minutes(self, now: float) -> int:
        """Whole minutes since the caller joined."""
        return max(0, int((now - self.joined_at) // 60))


def caller_of(leg: PhoneLeg) -> PhoneCaller:
    """A stored leg as the roster shows it."""
    return PhoneCaller(uuid=leg.uuid, name=leg.caller_name or None, member_id=leg.slack_member_id,
                       masked=masked_caller(leg.caller_number), muted=bool(leg.muted),
                       hand_raised_at=leg.hand_raised_at, joined_at=leg.joined_at or leg.created_at)
