"""Slack card and Calls card state per meeting (the Slack side's CardStore, bot/card_store.py).

One row per meeting whose card was posted (a click's response_url may arrive first). The
domain's `meetings` table carries none of it. Every write is one statement, so two workers
or two hosts never read-then-write over each other; the send lease and the calls.end claim
are conditional updates that only one of them can win.
"""

from __future__ import annotations

from typing import Any

from bot.card_store import SlackCard

from .seam import SqlDatabase

CARD_FIELDS = ("meeting_id", "channel", "ts", "digest", "response_url", "response_url_at", "calls_id")


class SlackCardsTable:
    """Rows of `slack_cards`, keyed by meeting id."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database

    def get(self, meeting_id: str) -> SlackCard | None:
        """The card of a meeting, or None when nothing was recorded for it."""
        row = self.database.query_one(
            f"SELECT {', '.join(CARD_FIELDS)} FROM slack_cards WHERE meeting_id = ?", [meeting_id])
        return SlackCard(**row) if row else None

    def posted(self, card: SlackCard) -> None:
        """Record a card just posted, in one statement (a response_url stored first is kept)."""
        self._upsert(card.meeting_id, channel=card.channel, ts=card.ts, digest=card.digest,
                     calls_id=card.calls_id)

    def sent(self, meeting_id: str, digest: str) -> None:
        """Slack now shows the card with this digest."""
        self.database.execute("UPDATE slack_cards SET digest = ? WHERE meeting_id = ?", [digest, meeting_id])

    def remember_response_url(self, meeting_id: str, response_url: str, at: float) -> None:
        """A button click's response_url and when it was given (it works for 30 minutes)."""
        self._upsert(meeting_id, response_url=response_url, response_url_at=at)

    def claim_send(self, meeting_id: str, now: float, seconds: float) -> bool:
        """Take the send lease of a recorded card unless another worker holds an unexpired one."""
        return self.database.execute(
            "UPDATE slack_cards SET lease_until = ? WHERE meeting_id = ? "
            "AND (lease_until IS NULL OR lease_until < ?)", [now + seconds, meeting_id, now]) == 1

    def release_send(self, meeting_id: str) -> None:
        """Give the send lease back."""
        self.database.execute("UPDATE slack_cards SET lease_until = NULL WHERE meeting_id = ?", [meeting_id])

    def claim_call_end(self, meeting_id: str) -> bool:
        """True once per meeting: whoever gets it sends calls.end."""
        return self.database.execute(
            "UPDATE slack_cards SET calls_ended = 1 WHERE meeting_id = ? AND calls_ended = 0",
            [meeting_id]) == 1

    def release_call_end(self, meeting_id: str) -> None:
        """calls.end did not get through (Slack's 429): the next send claims it again."""
        self.database.execute("UPDATE slack_cards SET calls_ended = 0 WHERE meeting_id = ?", [meeting_id])

    def _upsert(self, meeting_id: str, **values: Any) -> None:
        """Insert the row or set these columns (names from our code, never from requests)."""
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        updates = ", ".join(f"{column} = excluded.{column}" for column in values)
        self.database.execute(
            f"INSERT INTO slack_cards (meeting_id, {columns}) VALUES (?, {marks}) "
            f"ON CONFLICT (meeting_id) DO UPDATE SET {updates}", [meeting_id, *values.values()])
