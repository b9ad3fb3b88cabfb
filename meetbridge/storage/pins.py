"""PIN rows. The primary key keeps live PINs unique across threads and processes."""

from __future__ import annotations

from .seam import SqlDatabase


class PinsTable:
    """Rows of `pins` and the live counts `pin_counts` keeps."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database

    def live_count(self) -> int:
        """Kept by triggers (schema.count_live_pins_by_length), so O(1)."""
        row = self.database.query_one("SELECT coalesce(sum(live), 0) AS n FROM pin_counts")
        return int(row["n"]) if row else 0

    def longest_live_length(self) -> int | None:
        """Digits of the longest live PIN (None when none is live)."""
        row = self.database.query_one("SELECT max(length) AS n FROM pin_counts WHERE live > 0")
        return row["n"] if row else None

    def claim(self, pin: str, meeting_id: str, released_before: float) -> bool:
        """Take a PIN that is new, or was released before `released_before`."""
        taken = self.database.execute(
            "INSERT INTO pins (pin, meeting_id, released_at) VALUES (?, ?, NULL) ON CONFLICT (pin) DO NOTHING",
            [pin, meeting_id])
        if taken:
            return True
        return self.database.execute(
            "UPDATE pins SET meeting_id = ?, released_at = NULL "
            "WHERE pin = ? AND released_at IS NOT NULL AND released_at < ?",
            [meeting_id, pin, released_before]) == 1

    def release(self, meeting_id: str, at: float) -> None:
        """Take the meeting's PIN out of use (it rests before it is handed out again)."""
        self.database.execute(
            "UPDATE pins SET released_at = ? WHERE meeting_id = ? AND released_at IS NULL",
            [at, meeting_id])

    def forget(self, meeting_id: str) -> None:
        """Drop a PIN nobody ever saw (its meeting was never announced)."""
        self.database.execute("DELETE FROM pins WHERE meeting_id = ?", [meeting_id])

    def live_meeting_id(self, pin: str) -> str | None:
        """The meeting a live PIN belongs to, or None."""
        row = self.database.query_one(
            "SELECT meeting_id FROM pins WHERE pin = ? AND released_at IS NULL", [pin])
        return row["meeting_id"] if row else None
