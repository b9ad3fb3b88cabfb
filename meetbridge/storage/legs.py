"""Phone legs (callers): stored by /voice-answer, admitted by storage/keypad.py, ended by events."""

from __future__ import annotations

from ..records import PhoneLeg
from .models import from_row
from .seam import SqlDatabase


class PhoneLegsTable:
    """Rows of `phone_legs`: one per inbound call."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database
        self._skip = database.skip_locked("phone_legs")

    def get(self, uuid: str) -> PhoneLeg | None:
        """The leg with this Vonage uuid, or None."""
        row = self.database.query_one("SELECT * FROM phone_legs WHERE uuid = ?", [uuid])
        return from_row(PhoneLeg, row) if row else None

    def ensure(self, uuid: str, caller_number: str | None, now: float, language: str | None = None) -> None:
        """Remember a call leg and the language of the number it dialled; webhook retries and
        duplicates change nothing. Not durable: a database crash may forget the legs of its last
        fraction of a second (such a caller hears goodbye at the PIN and calls again)."""
        self.database.execute(
            "INSERT INTO phone_legs (uuid, caller_number, created_at, updated_at, language) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(uuid) DO UPDATE SET "
            "caller_number = coalesce(phone_legs.caller_number, excluded.caller_number), "
            "language = coalesce(phone_legs.language, excluded.language)",
            [uuid, caller_number, now, now, language], durable=False)

    def record_status(self, uuid: str, status: str, now: float, terminal: bool) -> bool:
        """Store a live leg's status; True when it changed a row (for a terminal status: this
        event ended the leg). Only legs /voice-answer stored are touched: an event for a call
        never answered creates nothing."""
        if not terminal:
            return self.database.execute(
                "UPDATE phone_legs SET status = ?, updated_at = ? WHERE uuid = ? AND left_at IS NULL",
                [status, now, uuid]) == 1
        return self.database.execute(
            "UPDATE phone_legs SET status = ?, left_at = ?, updated_at = ? WHERE uuid = ? AND left_at IS NULL",
            [status, now, now, uuid]) == 1

    def callers_in(self, meeting_id: str) -> int:
        """Callers admitted to the meeting and still on the line."""
        row = self.database.query_one(
            "SELECT count(*) AS n FROM phone_legs WHERE meeting_id = ? AND joined_at IS NOT NULL "
            "AND left_at IS NULL", [meeting_id])
        return int(row["n"]) if row else 0

    def live_legs(self, meeting_id: str) -> list[PhoneLeg]:
        """The meeting's legs not yet ended."""
        rows = self.database.query(
            "SELECT * FROM phone_legs WHERE meeting_id = ? AND left_at IS NULL", [meeting_id])
        return [from_row(PhoneLeg, row) for row in rows]

    def set_cleanup_pending(self, uuid: str, pending: bool) -> None:
        """Mark (or clear) a leg whose hang-up must be retried."""
        self.database.execute("UPDATE phone_legs SET cleanup_pending = ? WHERE uuid = ?",
                              [int(pending), uuid])

    def cleanup_pending(self) -> list[PhoneLeg]:
        """Legs whose hang-up must be retried."""
        rows = self.database.query("SELECT * FROM phone_legs WHERE cleanup_pending = 1")
        return [from_row(PhoneLeg, row) for row in rows]

    # -- the sweeper's claims -----------------------------------------------------------------
    # Each claim is one UPDATE … RETURNING over a bounded, materialised pick (a plain IN (sub-select
    # … LIMIT) may be re-run by PostgreSQL's planner, claiming more than the limit): a row comes
    # back to the one statement that changed it, so sweepers in several processes never take the
    # same leg.
    # On PostgreSQL the sub-select takes FOR UPDATE SKIP LOCKED (database.skip_locked): a sweeper
    # on another host skips the rows this one is claiming instead of queueing behind them.

    def claim_live(self, meeting_id: str, now: float, status: str, limit: int) -> list[str]:
        """Mark up to `limit` of a meeting's live legs as left; the uuids this caller must hang up."""
        rows = self.database.write_returning_all(
            f"WITH picked AS MATERIALIZED (SELECT uuid FROM phone_legs WHERE meeting_id = ? AND left_at IS NULL "
            f"LIMIT ?{self._skip}) "
            "UPDATE phone_legs SET left_at = ?, status = ?, updated_at = ? WHERE uuid IN (SELECT uuid FROM picked) "
            "AND left_at IS NULL RETURNING uuid", [meeting_id, limit, now, status, now])
        return [row["uuid"] for row in rows]

    def claim_live_in_ended_meetings(self, now: float, status: str, limit: int) -> list[str]:
        """Legs still live in meetings that ended (admitted as it ended, or an End cut short)."""
        rows = self.database.write_returning_all(
            "WITH picked AS MATERIALIZED (SELECT phone_legs.uuid FROM phone_legs "
            "JOIN meetings ON meetings.id = phone_legs.meeting_id "
            f"WHERE phone_legs.left_at IS NULL AND meetings.ended_at IS NOT NULL LIMIT ?{self._skip}) "
            "UPDATE phone_legs SET left_at = ?, status = ?, updated_at = ? WHERE uuid IN (SELECT uuid FROM picked) "
            "AND left_at IS NULL RETURNING uuid", [limit, now, status, now])
        return [row["uuid"] for row in rows]

    def claim_cleanup_batch(self, limit: int) -> list[str]:
        """Take up to `limit` pending hang-up retries."""
        rows = self.database.write_returning_all(
            f"WITH picked AS MATERIALIZED (SELECT uuid FROM phone_legs WHERE cleanup_pending = 1 LIMIT ?{self._skip}) "
            "UPDATE phone_legs SET cleanup_pending = 0 WHERE uuid IN (SELECT uuid FROM picked) "
            "AND cleanup_pending = 1 RETURNING uuid", [limit])
        return [row["uuid"] for row in rows]

    def count_cleanup_pending(self) -> int:
        """How many hang-ups wait to be retried."""
        row = self.database.query_one("SELECT count(*) AS n FROM phone_legs WHERE cleanup_pending = 1")
        return int(row["n"]) if row else 0

    def claim_checks(self, now: float, joined_before: float, checked_before: float, limit: int) -> list[str]:
        """Admitted live callers of live meetings, in since `joined_before` and not confirmed with
        Vonage since `checked_before`; callers of meetings whose bridge is up come first.
        Stamps checked_at, so each leg is asked about once per interval across all sweepers."""
        rows = self.database.write_returning_all(
            "WITH picked AS MATERIALIZED (SELECT l.uuid FROM phone_legs l JOIN meetings m ON m.id = l.meeting_id "
            "WHERE l.left_at IS NULL AND l.joined_at IS NOT NULL AND l.joined_at <= ? "
            "AND coalesce(l.checked_at, 0) <= ? AND m.ended_at IS NULL "
            "ORDER BY EXISTS (SELECT 1 FROM bridge_calls b WHERE b.meeting_id = l.meeting_id "
            f"AND b.state = 'connected') DESC, coalesce(l.checked_at, 0) LIMIT ?{self.database.skip_locked('l')}) "
            "UPDATE phone_legs SET checked_at = ? WHERE uuid IN (SELECT uuid FROM picked) "
            "AND left_at IS NULL AND coalesce(checked_at, 0) <= ? RETURNING uuid",
            [joined_before, checked_before, limit, now, checked_before])
        return [row["uuid"] for row in rows]

    def last_left(self, meeting_id: str, except_status: str) -> float | None:
        """When the meeting's last caller (other than legs closed with `except_status`) left."""
        row = self.database.query_one(
            "SELECT max(left_at) AS at FROM phone_legs WHERE meeting_id = ? AND joined_at IS NOT NULL "
            "AND coalesce(status, '') != ?", [meeting_id, except_status])
        return row["at"] if row else None

    def prune_finished(self, before: float, limit: int) -> int:
        """Delete up to `limit` legs that ended before `before` (no hang-up owed)."""
        return self.database.execute(
            "DELETE FROM phone_legs WHERE uuid IN (SELECT uuid FROM phone_legs "
            "WHERE left_at IS NOT NULL AND left_at < ? AND cleanup_pending = 0 LIMIT ?)", [before, limit])

    def prune_never_admitted(self, before: float, limit: int) -> int:
        """Delete up to `limit` legs created before `before` that never joined a meeting: a caller
        who did not get in within that time has long been told goodbye."""
        return self.database.execute(
            "DELETE FROM phone_legs WHERE uuid IN (SELECT uuid FROM phone_legs "
            "WHERE joined_at IS NULL AND created_at < ? AND cleanup_pending = 0 LIMIT ?)", [before, limit])

    def prune_pin_failures(self, before: float) -> None:
        """Forget lock-out keys quiet since `before` (storage/pin_guard.py; the pin_failures
        table of older versions is no longer written)."""
        self.database.execute("DELETE FROM pin_failures WHERE at < ?", [before])
        self.database.execute(
            "DELETE FROM pin_lockouts WHERE last_failure_at < ? AND coalesce(locked_until, 0) < ?",
            [before, before])
