"""Phone legs that wait for someone to hear them, and callers saying their name.

Each transition is one conditional UPDATE, so whichever worker or host makes it is the one
that acts on it (starts or stops the music, speaks into the leg): the others change no row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .seam import SqlDatabase

NAMING = "naming"


@dataclass(frozen=True)
class PresentCaller:
    """A caller admitted to the meeting and still on the line, as the waiting rules see them."""

    uuid: str
    naming: bool  # still being asked for their name: not in the conversation yet
    waiting: bool  # music is (being) streamed into the leg
    language: str | None  # of the number dialled: what the caller is told in


@dataclass(frozen=True)
class Presence:
    """A live meeting as the waiting rules see it, read in one query: its callers on the line,
    its newest bridge's state and how many are on video."""

    callers: list[PresentCaller]  # admitted and still on the line, earliest first
    bridge_state: str | None  # of the meeting's newest dial; None: never dialled
    video_participants: int


    def asking_name(self, uuid: str) -> Presence:
        """The same, with the caller `uuid` being asked their name (not in the conversation yet)."""
        return replace(self, callers=[replace(caller, naming=True) if caller.uuid == uuid else caller
                                      for caller in self.callers])


def presence_read(meeting: str) -> str:
    """The read behind `Presence`, of the meeting the SQL expression `meeting` names: one row per
    caller on the line, earliest first (one row of NULL callers when none is; no row when the
    meeting ended or is unknown)."""
    return ("SELECT meetings.video_participants, (SELECT bridge_calls.state FROM bridge_calls "
            "WHERE bridge_calls.meeting_id = meetings.id ORDER BY bridge_calls.created_at DESC, bridge_calls.seq DESC "
            "LIMIT 1) AS bridge_state, "
            "leg.uuid, leg.stage, leg.waiting_since, leg.language FROM meetings "
            "LEFT JOIN phone_legs AS leg ON leg.meeting_id = meetings.id AND leg.joined_at IS NOT NULL "
            f"AND leg.left_at IS NULL WHERE meetings.id = {meeting} AND meetings.ended_at IS NULL "
            "ORDER BY leg.joined_at, leg.uuid")


PRESENCE = presence_read(":meeting_id")


def presence_of(rows: list[dict]) -> Presence | None:
    """`presence_read`'s rows as a Presence; None for none (the meeting ended or is unknown)."""
    if not rows:
        return None
    callers = [PresentCaller(row["uuid"], row["stage"] == NAMING, row["waiting_since"] is not None,
                             row["language"]) for row in rows if row["uuid"] is not None]
    return Presence(callers, rows[0]["bridge_state"], int(rows[0]["video_participants"] or 0))


@dataclass(frozen=True)
class TellDue:
    """A waiting leg due to hear again that the others have been told."""

    uuid: str
    language: str | None


class PhoneWaitingTable:
    """The `stage`, `waiting_since` and `told_at` columns of `phone_legs`."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database

    def presence(self, meeting_id: str) -> Presence | None:
        """The live meeting's callers, bridge and video count (one query); None when it ended or
        is unknown."""
        return presence_of(self.database.query(PRESENCE, {"meeting_id": meeting_id}))

    def start_waiting(self, uuid: str, now: float) -> bool:
        """Mark a live leg as waiting; True for the one caller that changed it (it starts the music)."""
        return self.database.execute(
            "UPDATE phone_legs SET waiting_since = ?, told_at = ? WHERE uuid = ? AND waiting_since IS NULL "
            "AND left_at IS NULL", [now, now, uuid]) == 1

    def stop_waiting(self, uuid: str) -> bool:
        """Someone hears the leg now; True for the one caller that changed it (it stops the music)."""
        return self.database.execute(
            "UPDATE phone_legs SET waiting_since = NULL WHERE uuid = ? AND waiting_since IS NOT NULL",
            [uuid]) == 1

    def is_waiting(self, uuid: str) -> bool:
        """Still waiting and on the line (checked again after a slow Voice API request)."""
        row = self.database.query_one(
            "SELECT 1 AS yes FROM phone_legs WHERE uuid = ? AND waiting_since IS NOT NULL AND left_at IS NULL",
            [uuid])
        return row is not None

    def claim_tells(self, now: float, every_seconds: float, limit: int) -> list[TellDue]:
        """Waiting legs not told for `every_seconds`, stamped now so each is told once per round
        by one process."""
        rows = self.database.write_returning_all(
            "WITH picked AS MATERIALIZED (SELECT uuid FROM phone_legs WHERE waiting_since IS NOT NULL "
            f"AND left_at IS NULL AND told_at <= ? LIMIT ?{self.database.skip_locked('phone_legs')}) "
            "UPDATE phone_legs SET told_at = ? WHERE uuid IN (SELECT uuid FROM picked) AND told_at <= ? "
            "RETURNING uuid, language", [now - every_seconds, limit, now, now - every_seconds])
        return [TellDue(row["uuid"], row["language"]) for row in rows]

    def forget_notices(self, prefix: str, before: float, limit: int) -> int:
        """Delete up to `limit` once-per-interval claims named `prefix`… (one per meeting, in
        `alerts_said`) last made before `before`; how many."""
        return self.database.execute(
            "DELETE FROM alerts_said WHERE name IN (SELECT name FROM alerts_said WHERE name LIKE ? "
            "AND said_at < ? LIMIT ?)", [prefix + "%", before, limit])

    # -- the name step ----------------------------------------------------------------------------

    def ask_name(self, uuid: str) -> None:
        """The caller is being asked to say their name."""
        self.database.execute("UPDATE phone_legs SET stage = ? WHERE uuid = ?", [NAMING, uuid])

    def is_naming(self, uuid: str) -> bool:
        """The caller is being asked their name right now."""
        row = self.database.query_one("SELECT stage FROM phone_legs WHERE uuid = ? AND left_at IS NULL", [uuid])
        return row is not None and row["stage"] == NAMING

    def take_naming(self, uuid: str) -> bool:
        """End the name step; True for the one webhook that ended it (Vonage may retry)."""
        return self.database.execute(
            "UPDATE phone_legs SET stage = NULL WHERE uuid = ? AND stage = ? AND left_at IS NULL",
            [uuid, NAMING]) == 1

    def set_name(self, uuid: str, name: str) -> None:
        """The name the caller said (already cleaned), shown instead of the masked number."""
        self.database.execute("UPDATE phone_legs SET caller_name = ? WHERE uuid = ?", [name, uuid])

    def set_member(self, uuid: str, member_id: str) -> None:
        """The caller rang from a number this workspace member saved: the leg is that member."""
        self.database.execute("UPDATE phone_legs SET slack_member_id = ? WHERE uuid = ?", [member_id, uuid])
