"""What a phone caller can change while in a meeting: muted, hand raised, and the keypad's
state between two keys (a pressed `*` waiting for the command's digit)."""

from __future__ import annotations

from ..records import PhoneLeg
from .models import from_row
from .seam import SqlDatabase


class PhoneControlsTable:
    """The roster of a meeting's callers and each caller's controls, over `phone_legs`."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database

    def roster(self, meeting_id: str) -> list[PhoneLeg]:
        """The meeting's admitted callers still on the line, earliest first."""
        rows = self.database.query(
            "SELECT * FROM phone_legs WHERE meeting_id = ? AND joined_at IS NOT NULL AND left_at IS NULL "
            "ORDER BY joined_at, uuid", [meeting_id])
        return [from_row(PhoneLeg, row) for row in rows]

    def set_muted(self, uuid: str, muted: bool) -> bool:
        """Record a live leg as muted or not; False when the leg is gone."""
        return self.database.execute(
            "UPDATE phone_legs SET muted = ? WHERE uuid = ? AND left_at IS NULL", [int(muted), uuid]) == 1

    def toggle_hand(self, uuid: str, now: float) -> bool | None:
        """Raise a lowered hand or lower a raised one, in one statement; True when the hand is
        now raised, None when the leg is gone."""
        row = self.database.write_returning(
            "UPDATE phone_legs SET hand_raised_at = CASE WHEN hand_raised_at IS NULL THEN ? ELSE NULL END "
            "WHERE uuid = ? AND left_at IS NULL RETURNING hand_raised_at", [now, uuid])
        return None if row is None else row["hand_raised_at"] is not None

    def press_star(self, uuid: str, now: float) -> None:
        """Remember that the leg pressed `*`: the next digit completes a command."""
        self.database.execute(
            "UPDATE phone_legs SET keypad_star_at = ? WHERE uuid = ? AND left_at IS NULL", [now, uuid])

    def forget_star(self, uuid: str) -> None:
        """A key that completes no command: the pending `*` is dropped."""
        self.database.execute(
            "UPDATE phone_legs SET keypad_star_at = NULL WHERE uuid = ? AND keypad_star_at IS NOT NULL", [uuid])

    def claim_command(self, uuid: str, now: float, star_since: float, acted_before: float) -> str | None:
        """Take the leg's pending `*` (pressed since `star_since`) for a command, in one
        statement: None when no `*` was pending; "acted" when no command of this leg reached
        Vonage since `acted_before` (this one is stamped as acting now); "too_fast" otherwise."""
        row = self.database.write_returning(
            "UPDATE phone_legs SET keypad_star_at = NULL, keypad_acted_at = CASE "
            "WHEN coalesce(keypad_acted_at, 0) <= ? THEN ? ELSE keypad_acted_at END "
            "WHERE uuid = ? AND left_at IS NULL AND keypad_star_at >= ? RETURNING keypad_acted_at",
            [acted_before, now, uuid, star_since])
        if row is None:
            return None
        return "acted" if row["keypad_acted_at"] == now else "too_fast"
