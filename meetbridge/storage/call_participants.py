"""Participants already shown on a Slack Calls card (see bot/slack_calls.py)."""

from __future__ import annotations

from .database import Database


class CallParticipantsTable:
    def __init__(self, database: Database) -> None:
        self.database = database

    def listed(self, meeting_id: str) -> set[str]:
        rows = self.database.query(
            "SELECT external_id FROM slack_call_participants WHERE meeting_id = ?", [meeting_id])
        return {row["external_id"] for row in rows}

    def add(self, meeting_id: str, external_ids: list[str]) -> None:
        """One transaction for the whole batch: one write lock, one commit."""
        with self.database.transaction() as db:
            db.conn.executemany(
                "INSERT OR IGNORE INTO slack_call_participants (meeting_id, external_id) VALUES (?, ?)",
                [(meeting_id, external_id) for external_id in external_ids])

    def remove(self, meeting_id: str, external_ids: list[str]) -> None:
        with self.database.transaction() as db:
            db.conn.executemany(
                "DELETE FROM slack_call_participants WHERE meeting_id = ? AND external_id = ?",
                [(meeting_id, external_id) for external_id in external_ids])

    def claim_call_end(self, meeting_id: str) -> bool:
        """True once per meeting: whoever gets it sends calls.end."""
        return self.database.execute(
            "UPDATE meetings SET calls_ended = 1 WHERE id = ? AND calls_ended = 0", [meeting_id]) == 1
