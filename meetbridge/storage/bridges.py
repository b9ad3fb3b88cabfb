"""Bridge calls: one row per dial-out, with the state the card and the sweeper read."""

from __future__ import annotations

from typing import Any

from ..errors import BridgeAlreadyActive
from ..records import BridgeCall
from .caller_locks import meeting_callers_lock
from .models import from_row
from .seam import SqlDatabase, UniqueViolation

ACTIVE_STATES = ("connecting", "connected")
ALL_ROWS = 1_000_000  # a LIMIT both SQLite and PostgreSQL accept when the caller sets none


class BridgeCallsTable:
    """Rows of `bridge_calls`: one per dial-out of a meeting's voice conversation."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database

    def insert_connecting(self, bridge_id: str, meeting_id: str, token_hash: str, now: float) -> None:
        """Record a dial about to start; the unique index refuses a second active one. `seq`
        numbers the meeting's dials, so the latest is known even when two share a timestamp."""
        try:
            self.database.execute(
                "INSERT INTO bridge_calls (id, meeting_id, state, token_hash, created_at, seq) "
                "VALUES (?, ?, 'connecting', ?, ?, "
                "(SELECT coalesce(max(seq), 0) + 1 FROM bridge_calls WHERE meeting_id = ?))",
                [bridge_id, meeting_id, token_hash, now, meeting_id])
        except UniqueViolation as error:
            raise BridgeAlreadyActive(meeting_id) from error

    def hold_dials(self, meeting_id: str) -> None:
        """Inside a transaction: a dial of this meeting on any host waits here until it ends, so
        "no bridge is active" is read after the last dial committed."""
        self.database.hold(f"dials:{meeting_id}")

    def get(self, bridge_id: str) -> BridgeCall | None:
        """The bridge call with this id, or None."""
        row = self.database.query_one("SELECT * FROM bridge_calls WHERE id = ?", [bridge_id])
        return from_row(BridgeCall, row) if row else None

    def latest(self, meeting_id: str) -> BridgeCall | None:
        """The meeting's newest dial (by time, then by seq), or None."""
        row = self.database.query_one(
            "SELECT * FROM bridge_calls WHERE meeting_id = ? ORDER BY created_at DESC, seq DESC "
            "LIMIT 1", [meeting_id])
        return from_row(BridgeCall, row) if row else None

    def active(self, meeting_id: str) -> BridgeCall | None:
        """The meeting's connecting or connected bridge (with its dial's token hash), if any."""
        row = self.database.query_one(
            "SELECT * FROM bridge_calls WHERE meeting_id = ? AND state IN (?, ?)",
            [meeting_id, *ACTIVE_STATES])
        return from_row(BridgeCall, row) if row else None

    def has_token(self, meeting_id: str, hashed_token: str) -> bool:
        """True when any dial of this meeting, past or present, was given this token."""
        row = self.database.query_one(
            "SELECT 1 FROM bridge_calls WHERE meeting_id = ? AND token_hash = ? LIMIT 1",
            [meeting_id, hashed_token])
        return row is not None

    def by_leg(self, leg_uuid: str) -> BridgeCall | None:
        """The bridge call whose Vonage leg this is, or None."""
        row = self.database.query_one("SELECT * FROM bridge_calls WHERE leg_uuid = ?", [leg_uuid])
        return from_row(BridgeCall, row) if row else None

    def update(self, bridge_id: str, **values: Any) -> None:
        """Set columns named by our own code (never by request data)."""
        assignments = ", ".join(f"{column} = ?" for column in values)
        self.database.execute(f"UPDATE bridge_calls SET {assignments} WHERE id = ?", [*values.values(), bridge_id])

    def mark_connected(self, bridge_id: str, leg_uuid: str, now: float, idle_since: float | None) -> bool:
        """A connecting bridge is up; True only for the caller that moved it."""
        return self.database.execute(
            "UPDATE bridge_calls SET state = 'connected', leg_uuid = ?, connected_at = ?, idle_since = ? "
            "WHERE id = ? AND state = 'connecting'", [leg_uuid, now, idle_since, bridge_id]) == 1

    def finish(self, bridge_id: str, state: str, now: float, reason: str) -> bool:
        """Move an active bridge to off/failed; True only for the caller that did it."""
        return self.database.execute(
            "UPDATE bridge_calls SET state = ?, ended_at = ?, reason = ?, idle_since = NULL "
            "WHERE id = ? AND state IN (?, ?)",
            [state, now, reason, bridge_id, *ACTIVE_STATES]) == 1

    def set_idle_since(self, meeting_id: str, idle_since: float | None) -> None:
        """Start (or with None stop) the connected bridge's idle clock."""
        self.database.execute(
            "UPDATE bridge_calls SET idle_since = ? WHERE meeting_id = ? AND state = 'connected'",
            [idle_since, meeting_id])

    def set_idle_since_if_no_callers(self, meeting_id: str, idle_since: float) -> bool:
        """Start the connected bridge's idle clock at `idle_since`, unless a caller is in by now
        (one statement, serialised with admissions: a caller admitted meanwhile keeps the bridge)."""
        return self.database.execute_serialised(
            meeting_callers_lock(meeting_id),
            "UPDATE bridge_calls SET idle_since = ? WHERE meeting_id = ? AND state = 'connected' "
            "AND NOT EXISTS (SELECT 1 FROM phone_legs WHERE phone_legs.meeting_id = ? "
            "AND phone_legs.joined_at IS NOT NULL AND phone_legs.left_at IS NULL)",
            [idle_since, meeting_id, meeting_id]) == 1

    def idle_before(self, cutoff: float, limit: int = ALL_ROWS) -> list[BridgeCall]:
        """Connected bridges idle since `cutoff` or earlier, the longest idle first."""
        rows = self.database.query(
            "SELECT * FROM bridge_calls WHERE state = 'connected' AND idle_since <= ? "
            "ORDER BY idle_since LIMIT ?", [cutoff, limit])
        return [from_row(BridgeCall, row) for row in rows]

    def connecting_before(self, cutoff: float, limit: int = ALL_ROWS) -> list[BridgeCall]:
        """Dials still connecting since `cutoff` or earlier, the oldest first."""
        rows = self.database.query(
            "SELECT * FROM bridge_calls WHERE state = 'connecting' AND created_at <= ? "
            "ORDER BY created_at LIMIT ?", [cutoff, limit])
        return [from_row(BridgeCall, row) for row in rows]

    def connected_before(self, cutoff: float, limit: int = ALL_ROWS) -> list[BridgeCall]:
        """Bridges up since `cutoff` or longer (the BRIDGE_MAX_HOURS cap)."""
        rows = self.database.query(
            "SELECT * FROM bridge_calls WHERE state = 'connected' AND connected_at <= ? "
            "ORDER BY connected_at LIMIT ?", [cutoff, limit])
        return [from_row(BridgeCall, row) for row in rows]

    def claim_cleanup(self, bridge_id: str) -> bool:
        """Take a pending hang-up retry; True only for the one sweeper that gets it."""
        return self.database.execute(
            "UPDATE bridge_calls SET cleanup_pending = 0 WHERE id = ? AND cleanup_pending = 1", [bridge_id]) == 1

    def cleanup_pending(self, limit: int = ALL_ROWS) -> list[BridgeCall]:
        """Bridges whose hang-up must be retried."""
        rows = self.database.query("SELECT * FROM bridge_calls WHERE cleanup_pending = 1 LIMIT ?", [limit])
        return [from_row(BridgeCall, row) for row in rows]
