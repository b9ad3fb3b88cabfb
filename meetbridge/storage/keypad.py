"""Everything a keyed-in PIN is decided on: the attempt is counted, then the PIN checked.

`/voice-dtmf` is the hottest write path: every statement releases and re-takes the GIL, and
under load each hand-over costs context switches (bench/README.md). So an entry is one write
and one read, as before the attempts were counted first:

1. `enter` is one UPDATE. Its WHERE grants the attempt only to a leg `/voice-answer` saw, with
   attempts left, not admitted or gone, whose lock-out key is not locked, while the service-wide
   failure budget is not spent; only then does SQLite evaluate its SET, which counts the attempt
   and looks the PIN up, admitting the leg when the PIN is a live meeting's with room
   (MAX_PHONE_CALLERS). A granted attempt counts as a failure until the leg is admitted, and
   SQLite runs write statements one at a time (PostgreSQL: `execute_serialised`, the statement in a
   transaction holding the PIN's meeting's lock, and the service-wide one when the entry cannot
   admit (ENTRY_LOCKS), sent in one round trip, so every host's statement reads what the last
   one it races with wrote), so concurrent guesses cannot overshoot the budget.
2. `look_up` reads what happened: the leg, the meeting behind the PIN and its bridge, and
   what the name step decides on (the leg's name or member, the member who saved its number),
   so an admitted caller's answer needs no further read; and the waiting rules' read of the
   meeting it admitted the leg to (ADMITTED_PRESENCE), for the same reason.

A refused attempt is explained by `refusal` (a cold path: refused calls end).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import TokenReplayed
from ..records import WebhookToken
from .caller_locks import CALLERS_LOCK
from .phone_waiting import Presence, presence_of, presence_read
from .pin_guard import FAILURES_SINCE, WITHHELD_KEY
from .replays import with_first_use
from .seam import KeyedLock, SqlDatabase, UniqueViolation

# The meeting a keyed PIN admits to, and when: live, not past its lifetime, named, with room. The PIN's
# meeting is found first (a scalar sub-select), so only its callers are counted, whatever join order
# a server without statistics yet (a fresh database) would pick.
ADMITTING = (
    "FROM meetings WHERE meetings.id = (SELECT pins.meeting_id FROM pins WHERE pins.pin = :pin "
    "AND pins.released_at IS NULL) AND meetings.ended_at IS NULL "
    "AND meetings.expires_at > :now AND meetings.conversation_name IS NOT NULL "
    "AND (SELECT count(*) FROM phone_legs AS present WHERE present.meeting_id = meetings.id "
    "AND present.joined_at IS NOT NULL AND present.left_at IS NULL) < :max_callers")
ADMISSION = f"(SELECT meetings.id, :now {ADMITTING})"

# An entry's locks on a server database. The caller cap is per meeting: the PIN's meeting's lock
# (the one dial-out admissions and a bridge's idle clock take too). The failure budget is the
# whole service's, but only an entry that does not admit can spend it (a right PIN's attempt is
# counted and admitted in one statement, so it adds no failure): only those take the service-wide
# lock, and right PINs from every host no longer queue behind one lock.
ENTRY_LOCKS = KeyedLock(
    name=CALLERS_LOCK, key="SELECT pins.meeting_id FROM pins WHERE pins.pin = :pin AND pins.released_at IS NULL",
    whole_unless=f"EXISTS (SELECT 1 {ADMITTING})")

# SQLite and PostgreSQL evaluate SET only for a row that meets WHERE: the PIN is looked up only once the
# attempt is granted, inside the same statement. No admitting row → both columns stay NULL.
ENTER = (
    f"UPDATE phone_legs SET attempts = attempts + 1, attempt_at = :now, (meeting_id, joined_at) = {ADMISSION} "
    "WHERE uuid = :uuid AND attempts < :max_attempts AND meeting_id IS NULL AND left_at IS NULL "
    f"AND {FAILURES_SINCE} < :budget "
    "AND NOT EXISTS (SELECT 1 FROM pin_lockouts WHERE pin_lockouts.key = "
    f"coalesce(phone_legs.caller_number, '{WITHHELD_KEY}') AND pin_lockouts.locked_until > :now)")

# The member of the meeting's workspace who saved the number the leg rings from, if exactly one did
# (a number two members saved names neither).
SAVED_MEMBER = (
    "SELECT CASE WHEN count(*) = 1 THEN min(saved.member_id) END FROM member_phone_numbers AS saved "
    "WHERE saved.workspace_id = meetings.team_id AND saved.number = '+' || leg.caller_number")

LOOK_UP = (
    "SELECT leg.attempts, leg.caller_number, leg.language, leg.joined_at IS NOT NULL AS admitted, "
    "leg.caller_name, leg.slack_member_id, "
    "meetings.id AS meeting_id, meetings.team_id, meetings.expires_at, "
    "meetings.conversation_name, bridge_calls.id AS bridge_id, bridge_calls.idle_since AS bridge_idle_since, "
    "(SELECT max(length) FROM pin_counts WHERE live > 0) AS longest_pin, "
    f"({SAVED_MEMBER}) AS saved_member "
    "FROM phone_legs AS leg "
    "LEFT JOIN pins ON pins.pin = :pin AND pins.released_at IS NULL "
    "LEFT JOIN meetings ON meetings.id = coalesce(leg.meeting_id, pins.meeting_id) AND meetings.ended_at IS NULL "
    "LEFT JOIN bridge_calls ON bridge_calls.meeting_id = meetings.id "
    "AND bridge_calls.state IN ('connecting', 'connected') "
    "WHERE leg.uuid = :uuid")

# The waiting rules' read of the meeting the entry admitted the leg to (no row when it admitted none),
# sent with the entry so that an admitted caller's answer needs no further round trip.
ADMITTED_PRESENCE = presence_read(
    "(SELECT entered.meeting_id FROM phone_legs AS entered WHERE entered.uuid = :uuid "
    "AND entered.joined_at IS NOT NULL)")

REFUSAL = (
    f"SELECT leg.uuid IS NOT NULL AS known, leg.attempts, leg.joined_at, leg.left_at, leg.language, "
    f"meetings.conversation_name, meetings.expires_at, {FAILURES_SINCE} AS budget_used, "
    "lockout.locked_until "
    "FROM (SELECT 1) AS one LEFT JOIN phone_legs AS leg ON leg.uuid = :uuid "
    "LEFT JOIN meetings ON meetings.id = leg.meeting_id AND meetings.ended_at IS NULL "
    f"LEFT JOIN pin_lockouts AS lockout ON lockout.key = coalesce(leg.caller_number, '{WITHHELD_KEY}')")


@dataclass(frozen=True)
class KeypadFacts:
    """What /voice-dtmf answers from, read in one query after `enter`."""

    attempts: int  # attempts of this leg, the current one included
    caller_number: str | None  # as /voice-answer stored it; None when withheld
    admitted: bool  # `enter` admitted the leg to the meeting below
    meeting_id: str | None  # the live meeting the leg joined, else the one holding the PIN
    expires_at: float | None
    conversation_name: str | None
    bridge_id: str | None  # its bridge when dialling or up
    bridge_idle_since: float | None
    longest_pin: int | None  # the longest live PIN, for the re-prompt's maxDigits
    language: str | None = None  # of the number the leg dialled: the language of what it hears
    team_id: str | None = None  # the meeting's workspace
    caller_name: str | None = None  # the leg's name (said, or a dialled invitee's)
    slack_member_id: str | None = None  # the workspace member the leg is
    saved_member: str | None = None  # the one member of the meeting's workspace who saved the leg's number
    presence: Presence | None = None  # the meeting the leg was admitted to, read just after (else None)

    @property
    def named(self) -> bool:
        """The leg already has a name or a member: the name step has nothing to ask."""
        return bool(self.caller_name or self.slack_member_id)

    @property
    def bridge_active(self) -> bool:
        """The meeting's bridge is dialling or up."""
        return self.bridge_id is not None


@dataclass(frozen=True)
class Refusal:
    """Why a leg got no attempt: the fields the caller's answer is chosen from."""

    known: bool  # /voice-answer saw the leg
    attempts: int
    joined: bool
    left: bool
    conversation_name: str | None  # of the live meeting the leg joined, if any
    expires_at: float | None
    budget_used: int
    locked_until: float | None
    language: str | None = None  # of the number the leg dialled: the language of what it hears


@dataclass(frozen=True)
class EntryLimits:
    """The numbers an entry is checked against."""

    attempts: int  # PIN_ATTEMPTS per call
    budget: int  # PIN_FAILURE_BUDGET per window, service-wide
    budget_window_seconds: float
    callers: int  # MAX_PHONE_CALLERS per meeting


class KeypadQueries:
    """The two statements of a keyed-in PIN (enter, look_up; together in one round trip:
    enter_and_look_up) and why one was refused."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database

    def enter(self, uuid: str, pin: str | None, now: float, limits: EntryLimits) -> bool:
        """Count one attempt for the leg and, when its PIN admits it, admit it (one statement).
        False, with nothing written, when the leg may not have an attempt."""
        return self.database.execute_serialised(  # budget and caller cap hold across hosts
            ENTRY_LOCKS, ENTER, _entry(uuid, pin, now, limits)) == 1

    def enter_and_look_up(self, uuid: str, pin: str | None, now: float, limits: EntryLimits,
                          token: WebhookToken | None = None) -> KeypadFacts | None:
        """`enter`, then `look_up` and (when it admitted the leg) the meeting's presence, in one
        round trip on a server database, after recording the webhook's `token` as used
        (TokenReplayed, nothing written, when it was). None when the leg got no attempt (nothing
        written but the token; `refusal` says why) or is gone."""
        first, params = with_first_use(token, _entry(uuid, pin, now, limits))
        try:
            entered, (rows, present) = self.database.execute_then_reads(
                ENTER, [LOOK_UP, ADMITTED_PRESENCE], params, serialised=ENTRY_LOCKS, first=first)
        except UniqueViolation as error:  # ENTER is an UPDATE: only the token's INSERT can conflict
            raise TokenReplayed() from error
        return _facts(rows[0], presence_of(present)) if entered == 1 and rows else None

    def look_up(self, uuid: str, pin: str | None) -> KeypadFacts | None:
        """The leg after `enter`, and the live meeting behind `pin` (None finds no meeting)."""
        row = self.database.query_one(LOOK_UP, {"uuid": uuid, "pin": pin})
        return _facts(row) if row is not None else None

    def turn_away(self, uuid: str, meeting_id: str, now: float) -> None:
        """A right PIN for a full meeting: not a failure, and the call ends here."""
        self.database.execute(
            "UPDATE phone_legs SET meeting_id = ?, left_at = ?, status = 'full', updated_at = ? "
            "WHERE uuid = ? AND meeting_id IS NULL AND left_at IS NULL", [meeting_id, now, now, uuid])

    def refusal(self, uuid: str, budget_since: float) -> Refusal:
        """Why the leg got no attempt (budget used since `budget_since`, lock-out, state)."""
        row = self.database.query_one(REFUSAL, {"uuid": uuid, "budget_since": budget_since})
        assert row is not None  # FROM (SELECT 1) always yields one row
        return Refusal(known=bool(row["known"]), attempts=int(row["attempts"] or 0),
                       joined=row["joined_at"] is not None, left=row["left_at"] is not None,
                       conversation_name=row["conversation_name"], expires_at=row["expires_at"],
                       budget_used=int(row["budget_used"]), locked_until=row["locked_until"],
                       language=row["language"])


def _entry(uuid: str, pin: str | None, now: float, limits: EntryLimits) -> dict[str, object]:
    """ENTER's (and LOOK_UP's) parameters."""
    return {"uuid": uuid, "pin": pin, "now": now, "max_attempts": limits.attempts, "budget": limits.budget,
            "budget_since": now - limits.budget_window_seconds, "max_callers": limits.callers}


def _facts(row: dict, presence: Presence | None = None) -> KeypadFacts:
    """LOOK_UP's row as the record /voice-dtmf answers from."""
    return KeypadFacts(attempts=int(row["attempts"]), caller_number=row["caller_number"],
                       admitted=bool(row["admitted"]), meeting_id=row["meeting_id"],
                       expires_at=row["expires_at"], conversation_name=row["conversation_name"],
                       bridge_id=row["bridge_id"], bridge_idle_since=row["bridge_idle_since"],
                       longest_pin=row["longest_pin"], language=row["language"], team_id=row["team_id"],
                       caller_name=row["caller_name"], slack_member_id=row["slack_member_id"],
                       saved_member=row["saved_member"], presence=presence)
