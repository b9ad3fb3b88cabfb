"""Everything a keyed-in PIN is decided on, read in one query.

`/voice-dtmf` is the hottest write path: every statement releases and re-takes the GIL, and
under load each hand-over costs context switches (bench/README.md). The lock-out count, the
live meeting behind the PIN and its active bridge are therefore read together.
"""

from __future__ import annotations

from dataclasses import dataclass

from .database import Database

LOOK_UP = (
    "SELECT (SELECT count(*) FROM pin_failures WHERE caller_number = :number AND at >= :since) AS failures, "
    "meetings.id AS meeting_id, meetings.expires_at, bridge_calls.id AS bridge_id, "
    "bridge_calls.idle_since AS bridge_idle_since "
    "FROM (SELECT 1) "
    "LEFT JOIN pins ON pins.pin = :pin AND pins.released_at IS NULL "
    "LEFT JOIN meetings ON meetings.id = pins.meeting_id AND meetings.ended_at IS NULL "
    "LEFT JOIN bridge_calls ON bridge_calls.meeting_id = meetings.id "
    "AND bridge_calls.state IN ('connecting', 'connected')")


@dataclass(frozen=True)
class KeypadFacts:
    recent_failures: int  # failed PIN attempts from this number since the window began
    meeting_id: str | None  # the live meeting holding the PIN
    expires_at: float | None
    bridge_id: str | None  # its bridge when dialling or up
    bridge_idle_since: float | None

    @property
    def bridge_active(self) -> bool:
        return self.bridge_id is not None


class KeypadQueries:
    def __init__(self, database: Database) -> None:
        self.database = database

    def look_up(self, caller_number: str | None, pin: str | None, failures_since: float) -> KeypadFacts:
        """A None number counts no failures (withheld callers are limited per call); a None
        PIN finds no meeting."""
        row = self.database.query_one(LOOK_UP, {"number": caller_number, "pin": pin, "since": failures_since})
        assert row is not None  # FROM (SELECT 1) always yields one row
        return KeypadFacts(recent_failures=int(row["failures"]), meeting_id=row["meeting_id"],
                           expires_at=row["expires_at"], bridge_id=row["bridge_id"],
                           bridge_idle_since=row["bridge_idle_since"])
