"""Participants already shown on a Slack Calls card (see bot/slack_calls.py)."""

from __future__ import annotations

import json

from .database import Database


class CallParticipantsTable:
    def __init__(self, database: Database) -> None:
        self.database = database

    def listed(self, meeting_id: str) -> set[str]:
        rows = self.database.query(
            "SELECT external_id FROM slack_call_participants WHERE meeting_id = ?", [meeting_id])
        return {row["external_id"] for row in rows}

    def add(self, meeting_id: str, external_ids: list[str]) -> None:
        """The whole batch in one statement, so the write lock is never held across a GIL
        hand-over (a transaction around executemany stalled every webhook, bench/README.md)."""
        self.database.execute(
            "INSERT OR IGNORE INTO slack_call_participants (meeting_id, external_id) "
            "SELECT ?, value FROM json_each(?)", [meeting_id, json.dumps(external_ids)])

    def remove(self, meeting_id: str, external_ids: list[str]) -> None:
        self.database.execute(
            "DELETE FROM slack_call_participants WHERE meeting_id = ? "
            "AND external_id IN (SELECT value FROM json_each(?))", [meeting_id, json.dumps(external_ids)])

    def claim_call_end(self, meeting_id: str) -> bool:
        """True once per meeting: whoever gets it sends calls.end."""
        return self.database.execute(
            "UPDATE meetings SET calls_ended = 1 WHERE id = ? AND calls_ended = 0", [meeting_id]) == 1
