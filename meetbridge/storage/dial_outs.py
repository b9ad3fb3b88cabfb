"""Calls the meeting placed (dial-out): reserved under the meeting's lock with every limit,
placed (its leg stored like a caller's, so it counts, is hung up at End and swept), let in when
the callee presses 1, and finished with the progress code people are told."""

from __future__ import annotations

from dataclasses import dataclass

from .caller_locks import meeting_callers_lock
from .models import from_row
from .rate_limits import RateLimitsTable, Rule
from .seam import SqlDatabase

# A call still "placing" or "ringing" after this long is over whatever we heard: Vonage stops
# ringing after the ringing timer and the callee has seconds to press a key. It no longer counts
# toward the ringing limit (a process that died between reserving and placing frees its place).
STALE_SECONDS = 180.0
OPEN_CODES = ("placing", "ringing")


@dataclass(frozen=True)
class Reservation:
    """A call about to be placed, as it is kept while it rings."""

    id: str
    meeting_id: str
    team_id: str
    requester_kind: str
    member_id: str | None
    visitor_id: str | None
    invitee_name: str | None
    for_requester: bool
    masked: str
    leg_name: str | None  # how the joined leg is shown; None: the member (slack_member_id) or the masked number
    slack_member_id: str | None  # call_me: the member the leg is


@dataclass(frozen=True)
class DialOutRow:
    """One row of `dial_outs`."""

    id: str
    meeting_id: str
    team_id: str
    requester_kind: str
    masked: str
    code: str
    created_at: float
    call_uuid: str | None = None
    member_id: str | None = None
    visitor_id: str | None = None
    invitee_name: str | None = None
    for_requester: int = 0
    updated_at: float | None = None


@dataclass(frozen=True)
class ReserveRefusal:
    """Why a call was not reserved, with the seconds until a limit allows it."""

    code: str
    retry_after: float | None = None


@dataclass(frozen=True)
class Admission:
    """A callee's press of 1, applied: whether this press let them in, and what they join."""

    newly: bool
    conversation_name: str | None  # set when the leg is in a live meeting's conversation
    meeting_gone: bool
    full: bool
    bridge_active: bool
    bridge_idle_since: float | None


class _Refused(Exception):
    def __init__(self, refusal: ReserveRefusal) -> None:
        self.refusal = refusal


ADMIT = (
    "UPDATE phone_legs SET joined_at = :now, status = 'answered', updated_at = :now "
    "WHERE uuid = :uuid AND joined_at IS NULL AND left_at IS NULL "
    "AND EXISTS (SELECT 1 FROM dial_outs WHERE dial_outs.call_uuid = phone_legs.uuid "
    "AND dial_outs.code IN ('placing', 'ringing')) "
    "AND EXISTS (SELECT 1 FROM meetings WHERE meetings.id = phone_legs.meeting_id "
    "AND meetings.ended_at IS NULL AND meetings.expires_at > :now AND meetings.conversation_name IS NOT NULL "
    "AND (SELECT count(*) FROM phone_legs AS present WHERE present.meeting_id = meetings.id "
    "AND present.joined_at IS NOT NULL AND present.left_at IS NULL) < :max_callers)")

AFTER_PRESS = (
    "SELECT leg.joined_at, leg.left_at, meetings.conversation_name, meetings.ended_at, meetings.expires_at, "
    "bridge_calls.id AS bridge_id, bridge_calls.idle_since AS bridge_idle_since "
    "FROM phone_legs AS leg LEFT JOIN meetings ON meetings.id = leg.meeting_id "
    "LEFT JOIN bridge_calls ON bridge_calls.meeting_id = meetings.id "
    "AND bridge_calls.state IN ('connecting', 'connected') WHERE leg.uuid = ?")


class DialOutsTable:
    """Rows of `dial_outs` (one per call placed) and the phone leg each becomes."""

    def __init__(self, database: SqlDatabase, rate_limits: RateLimitsTable) -> None:
        self.database = database
        self.rate_limits = rate_limits

    def reserve(self, call: Reservation, now: float, rules: list[tuple[str, Rule]], max_callers: int,
                max_ringing: int) -> ReserveRefusal | None:
        """Keep a place for the call when the meeting has room (callers present plus calls
        ringing below `max_callers`, fewer than `max_ringing` ringing) and every hourly rule
        allows it; else why not, with nothing written. One transaction holding the meeting's
        lock, so simultaneous requests on any host count each other."""
        try:
            with self.database.transaction():
                self.database.hold(f"dial_out:{call.meeting_id}")
                ringing = self._ringing(call.meeting_id, now)
                row = self.database.query_one(
                    "SELECT count(*) AS n FROM phone_legs WHERE meeting_id = ? AND joined_at IS NOT NULL "
                    "AND left_at IS NULL", [call.meeting_id])
                present = int(row["n"]) if row else 0
                if present + ringing >= max_callers:
                    return ReserveRefusal("meeting_full")
                if ringing >= max_ringing:
                    return ReserveRefusal("meeting_ringing_limit")
                for code, rule in rules:  # one fixed order (own limit, then the workspace's): no deadlock
                    wait = self.rate_limits.take([rule], now)
                    if wait is not None:
                        raise _Refused(ReserveRefusal(code, wait))  # rolls back the rules already taken
                self.database.execute(
                    "INSERT INTO dial_outs (id, meeting_id, team_id, requester_kind, member_id, visitor_id, "
                    "invitee_name, for_requester, masked, leg_name, slack_member_id, code, created_at, updated_at, "
                    "buckets) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'placing', ?, ?, ?)",
                    [call.id, call.meeting_id, call.team_id, call.requester_kind, call.member_id, call.visitor_id,
                     call.invitee_name, int(call.for_requester), call.masked, call.leg_name, call.slack_member_id,
                     now, now, "\n".join(rule.bucket for _, rule in rules)])
        except _Refused as refused:
            return refused.refusal
        return None

    def _ringing(self, meeting_id: str, now: float) -> int:
        row = self.database.query_one(
            "SELECT count(*) AS n FROM dial_outs WHERE meeting_id = ? AND code IN ('placing', 'ringing') "
            "AND created_at > ?", [meeting_id, now - STALE_SECONDS])
        return int(row["n"]) if row else 0

    def cancel(self, reservation_id: str) -> None:
        """The call could not be placed: forget it and give its hourly places back."""
        with self.database.transaction():
            row = self.database.query_one("SELECT created_at, buckets FROM dial_outs WHERE id = ?",
                                          [reservation_id])
            if row is None:
                return
            for bucket in (row["buckets"] or "").split("\n"):
                if bucket:
                    self.rate_limits.give_back(bucket, row["created_at"])
            self.database.execute("DELETE FROM dial_outs WHERE id = ?", [reservation_id])

    def placed(self, reservation_id: str, call_uuid: str, number_digits: str, now: float) -> bool:
        """Vonage placed the call: it rings, and its leg is stored with the meeting it may join
        (not joined: it counts once the callee presses 1). An early event (see `bind`) may have
        ended it already: then its code stays and the leg is stored as over. True when this
        made the call ringing."""
        with self.database.transaction():
            self.database.execute("UPDATE dial_outs SET call_uuid = ? WHERE id = ? AND call_uuid IS NULL",
                                  [call_uuid, reservation_id])
            newly = self.database.execute(
                "UPDATE dial_outs SET code = 'ringing', updated_at = ? WHERE id = ? AND code = 'placing'",
                [now, reservation_id]) == 1
            self.database.execute(
                "INSERT INTO phone_legs (uuid, meeting_id, caller_number, caller_name, slack_member_id, status, "
                "left_at, created_at, updated_at) SELECT ?, meeting_id, ?, leg_name, slack_member_id, "
                "CASE WHEN code IN ('placing', 'ringing') THEN 'started' ELSE 'completed' END, "
                "CASE WHEN code IN ('placing', 'ringing') THEN NULL ELSE ? END, ?, ? "
                "FROM dial_outs WHERE id = ? ON CONFLICT (uuid) DO NOTHING",
                [call_uuid, number_digits.removeprefix("+"), now, now, now, reservation_id])
        return newly

    def bind(self, reservation_id: str, call_uuid: str) -> DialOutRow | None:
        """An event for `call_uuid` came before Vonage's answer to the call request was stored:
        tie the uuid to the reservation (once) and return the call; None when the reservation
        is unknown or already has another leg."""
        self.database.execute("UPDATE dial_outs SET call_uuid = ? WHERE id = ? AND call_uuid IS NULL",
                              [call_uuid, reservation_id])
        return self.by_call(call_uuid)

    def expire(self, before: float, now: float, limit: int) -> list[DialOutRow]:
        """Calls still placing or ringing that were reserved before `before` are over: `ended`
        when their meeting is, else `failed`; the calls changed (up to `limit`), new code in.
        The code is checked again on the row itself, so two workers expiring at once change
        (and tell) each call once."""
        rows = self.database.write_returning_all(
            "UPDATE dial_outs SET updated_at = ?, code = CASE WHEN EXISTS (SELECT 1 FROM meetings "
            "WHERE meetings.id = dial_outs.meeting_id AND meetings.ended_at IS NULL AND meetings.expires_at > ?) "
            "THEN 'failed' ELSE 'ended' END WHERE code IN ('placing', 'ringing') AND id IN (SELECT id "
            "FROM dial_outs WHERE code IN ('placing', 'ringing') AND created_at < ? LIMIT ?) RETURNING *",
            [now, now, before, limit])
        return [from_row(DialOutRow, row) for row in rows]

    def latest_of_visitor(self, meeting_id: str, visitor_id: str) -> DialOutRow | None:
        """The newest call a page visitor asked for in this meeting, or None."""
        row = self.database.query_one(
            "SELECT * FROM dial_outs WHERE meeting_id = ? AND requester_kind = 'visitor' AND visitor_id = ? "
            "ORDER BY created_at DESC, id LIMIT 1", [meeting_id, visitor_id])
        return from_row(DialOutRow, row) if row else None

    def by_call(self, call_uuid: str) -> DialOutRow | None:
        """The call placed with this leg uuid, or None (an inbound caller's leg, or unknown)."""
        row = self.database.query_one("SELECT * FROM dial_outs WHERE call_uuid = ?", [call_uuid])
        return from_row(DialOutRow, row) if row else None

    def ringing(self, call_uuid: str, now: float) -> bool:
        """Mark the call ringing; True when that changed it."""
        return self.database.execute(
            "UPDATE dial_outs SET code = 'ringing', updated_at = ? WHERE call_uuid = ? AND code = 'placing'",
            [now, call_uuid]) == 1

    def finish(self, call_uuid: str, code: str, now: float) -> bool:
        """Store the call's final code once: `left` only after `joined`, any other only before it.
        True when this changed the row (so the news is told once)."""
        allowed = "code = 'joined'" if code == "left" else "code IN ('placing', 'ringing')"
        return self.database.execute(
            f"UPDATE dial_outs SET code = ?, updated_at = ? WHERE call_uuid = ? AND {allowed}",
            [code, now, call_uuid]) == 1

    def admit(self, call_uuid: str, now: float, max_callers: int) -> Admission:
        """The callee pressed 1: the leg joins when it is a call we placed, still on the line,
        not yet in, of a live meeting with room (one statement under the meeting's callers' lock,
        as a PIN's admission). A repeated press of a leg already in joins again."""
        with self.database.transaction():
            leg = self.database.query_one("SELECT meeting_id FROM phone_legs WHERE uuid = ?", [call_uuid])
            if leg is not None and leg["meeting_id"] is not None:
                self.database.hold(meeting_callers_lock(leg["meeting_id"]))
            newly = self.database.execute(ADMIT, {"uuid": call_uuid, "now": now, "max_callers": max_callers}) == 1
            if newly:
                self.database.execute("UPDATE dial_outs SET code = 'joined', updated_at = ? WHERE call_uuid = ?",
                                      [now, call_uuid])
        row = self.database.query_one(AFTER_PRESS, [call_uuid])
        if row is None:
            return Admission(False, None, True, False, False, None)
        live = row["ended_at"] is None and row["expires_at"] is not None and row["expires_at"] > now \
            and row["conversation_name"] is not None
        inside = row["joined_at"] is not None and row["left_at"] is None
        return Admission(newly=newly, conversation_name=row["conversation_name"] if live and inside else None,
                         meeting_gone=not live, full=live and not inside and row["left_at"] is None,
                         bridge_active=row["bridge_id"] is not None, bridge_idle_since=row["bridge_idle_since"])

    def prune(self, before: float, limit: int) -> int:
        """Delete up to `limit` calls created before `before`."""
        return self.database.execute(
            "DELETE FROM dial_outs WHERE id IN (SELECT id FROM dial_outs WHERE created_at < ? LIMIT ?)",
            [before, limit])
