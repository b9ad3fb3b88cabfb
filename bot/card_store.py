"""The Slack side's own state: each meeting's card and Calls card, the Calls participants
listed, the slash-command deliveries already acted on, and each workspace's rate budget.

The domain's records carry none of it. The storage package implements these interfaces
(meetbridge/storage/slack_cards.py and its neighbours); app.py passes them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SlackCard:
    """Where a meeting's card went and what Slack last received.

    `ts` and `channel` are set when chat.postMessage posted it; a card that had to go out
    through a slash command's response_url has neither and is edited through the
    `response_url` of a later button click (valid for 30 minutes from `response_url_at`).
    """

    meeting_id: str
    channel: str | None = None
    ts: str | None = None
    digest: str | None = None
    response_url: str | None = None
    response_url_at: float | None = None
    calls_id: str | None = None

    @property
    def via_response_url(self) -> bool:
        """The card went out as a reply to the command, not as a message we can edit."""
        return self.ts is None


class CardStore(Protocol):
    """Card state per meeting, shared by every worker and host."""

    def get(self, meeting_id: str) -> SlackCard | None:
        """The card of a meeting, or None before it was posted."""

    def posted(self, card: SlackCard) -> None:
        """Record a card just posted (one write: channel, ts, digest, Calls id)."""

    def sent(self, meeting_id: str, digest: str) -> None:
        """Slack now shows the card with this digest."""

    def remember_response_url(self, meeting_id: str, response_url: str, at: float) -> None:
        """A button click's response_url: the only way to edit a fallback card later."""

    def claim_send(self, meeting_id: str, now: float, seconds: float) -> bool:
        """True when this process may send the recorded card for `seconds` (no one else holds
        it); False too when no card was recorded."""

    def release_send(self, meeting_id: str) -> None:
        """Give the send lease back."""

    def claim_call_end(self, meeting_id: str) -> bool:
        """True once per meeting: whoever gets it sends calls.end."""

    def release_call_end(self, meeting_id: str) -> None:
        """calls.end did not get through (Slack's 429): the next send claims it again."""


class CallParticipants(Protocol):
    """Phone callers already listed on a meeting's Calls card."""

    def listed_users(self, meeting_id: str) -> dict[str, dict[str, str]]:
        """external id → the Calls user object it was added with (removing needs the same)."""

    def add_listed(self, meeting_id: str, users: dict[str, dict[str, str]]) -> None:
        """Calls user objects now listed, by the key they are listed under (a leg's uuid)."""

    def remove(self, meeting_id: str, external_ids: list[str]) -> None:
        """Users no longer listed."""


class SeenTriggers(Protocol):
    """Slash-command deliveries already acted on, by Slack's trigger_id."""

    def first_sight(self, trigger_id: str, now: float) -> bool:
        """Record `trigger_id`; True only for its first delivery, whichever worker got it."""


class SlackBudgets(Protocol):
    """Each workspace's token bucket for Slack's rate-limited methods, shared by every worker."""

    def reserve(self, team_id: str, now: float, rate: float, burst: int) -> float:
        """Spend a token: 0 when one is here now, else the seconds until the one booked is due."""

    def pause(self, team_id: str, until: float) -> None:
        """Slack answered 429: hand out no token before `until`."""

    def paused_for(self, team_id: str, now: float) -> float:
        """Seconds left of a 429's pause (0 when none)."""
