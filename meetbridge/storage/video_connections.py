"""Video participants seen through session monitoring (the SIP connection excluded)."""

from __future__ import annotations

from .seam import SqlDatabase


class VideoConnectionsTable:
    """Rows of `video_connections`: one per OpenTok connection seen."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database

    def joined(self, connection_id: str, meeting_id: str, now: float) -> None:
        """Record an arrival (a repeated one changes nothing)."""
        self.database.execute(
            "INSERT INTO video_connections (connection_id, meeting_id, joined_at) VALUES (?, ?, ?) "
            "ON CONFLICT (connection_id) DO NOTHING",
            [connection_id, meeting_id, now])

    def left(self, connection_id: str, meeting_id: str, now: float) -> None:
        """Record a departure, even one that arrives before its arrival."""
        self.database.execute(
            "INSERT INTO video_connections (connection_id, meeting_id, joined_at, left_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(connection_id) DO UPDATE SET left_at = coalesce(video_connections.left_at, excluded.left_at)",
            [connection_id, meeting_id, now, now])

    def present(self, meeting_id: str) -> int:
        """How many connections are in the meeting now."""
        row = self.database.query_one(
            "SELECT count(*) AS n FROM video_connections WHERE meeting_id = ? AND left_at IS NULL",
            [meeting_id])
        return int(row["n"]) if row else 0

    def present_ids(self, meeting_id: str) -> list[str]:
        """Connections seen joining and not leaving: what End force-disconnects."""
        rows = self.database.query(
            "SELECT connection_id FROM video_connections WHERE meeting_id = ? AND left_at IS NULL",
            [meeting_id])
        return [row["connection_id"] for row in rows]
