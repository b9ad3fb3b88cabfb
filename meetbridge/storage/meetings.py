"""Meeting rows: created with their PIN in one transaction, ended once."""

from __future__ import annotations

from typing import Any

from ..records import Meeting
from .caller_locks import meeting_callers_lock
from .models import from_row
from .seam import SqlDatabase


class MeetingsTable:
    """Rows of `meetings`."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database

    def insert(self, meeting: Meeting) -> None:
        """Store a new meeting row."""
        self.database.insert("meetings", dict(meeting.__dict__))

    def get(self, meeting_id: str) -> Meeting | None:
        """The meeting with this id, or None."""
        row = self.database.query_one("SELECT * FROM meetings WHERE id = ?", [meeting_id])
        return from_row(Meeting, row) if row else None

    def live_by_session(self, session_id: str) -> Meeting | None:
        """The live meeting of a video session, or None."""
        row = self.database.query_one(
            "SELECT * FROM meetings WHERE session_id = ? AND ended_at IS NULL", [session_id])
        return from_row(Meeting, row) if row else None

    def ended_by_session(self, session_id: str, since: float) -> Meeting | None:
        """A meeting of this session that ended at `since` or later (tokens may still be valid)."""
        row = self.database.query_one(
            "SELECT * FROM meetings WHERE session_id = ? AND ended_at >= ? ORDER BY ended_at DESC LIMIT 1",
            [session_id, since])
        return from_row(Meeting, row) if row else None

    def delete(self, meeting_id: str) -> None:
        """Remove a meeting nobody was told about."""
        self.database.execute("DELETE FROM meetings WHERE id = ?", [meeting_id])

    def update(self, meeting_id: str, **values: Any) -> None:
        """Set columns named by our own code (never by request data)."""
        assignments = ", ".join(f"{column} = ?" for column in values)
        self.database.execute(f"UPDATE meetings SET {assignments} WHERE id = ?", [*values.values(), meeting_id])

    def hold_team(self, team_id: str) -> None:
        """Inside a transaction: /meet of this workspace on any host waits here until it ends,
        so counting its live meetings and adding one cannot interleave (the team cap)."""
        self.database.hold(f"team:{team_id}")

    def mark_ended(self, meeting_id: str, at: float, reason: str) -> bool:
        """End a live meeting; False when it had already ended (ending twice is harmless). Under
        the meeting's callers' lock: a PIN entry that found the meeting admitting when it chose its
        locks admits, not counts a failure it took no budget lock for (storage/keypad.py)."""
        with self.database.transaction():
            self.database.hold(meeting_callers_lock(meeting_id))
            return self.database.execute(
                "UPDATE meetings SET ended_at = ?, ended_reason = ? WHERE id = ? AND ended_at IS NULL",
                [at, reason, meeting_id]) == 1

    def expired_ids(self, now: float) -> list[str]:
        """Live meetings whose lifetime ran out by `now`."""
        rows = self.database.query(
            "SELECT id FROM meetings WHERE ended_at IS NULL AND expires_at <= ?", [now])
        return [row["id"] for row in rows]

    def live_for_creator(self, team_id: str, creator_id: str) -> list[Meeting]:
        """A starter's live meetings in a workspace, the newest first."""
        rows = self.database.query(
            "SELECT * FROM meetings WHERE team_id = ? AND creator_id = ? AND ended_at IS NULL "
            "ORDER BY created_at DESC", [team_id, creator_id])
        return [from_row(Meeting, row) for row in rows]

    def live_count_for_team(self, team_id: str) -> int:
        """Meetings of a workspace not yet ended (index meetings_team_live)."""
        row = self.database.query_one(
            "SELECT count(*) AS n FROM meetings WHERE team_id = ? AND ended_at IS NULL", [team_id])
        return int(row["n"]) if row else 0

    def live_ids_for_team(self, team_id: str) -> list[str]:
        """Ids of a workspace's live meetings."""
        rows = self.database.query(
            "SELECT id FROM meetings WHERE team_id = ? AND ended_at IS NULL", [team_id])
        return [row["id"] for row in rows]
