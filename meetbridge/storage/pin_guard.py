"""The service-wide PIN failure budget, backing-off lock-outs and once-a-minute alerts.

Kept in the database so that every worker process and host draws on the same budget and
sees the same lock-outs: PIN guessing is bounded for the whole service. The policy numbers come from the caller
(meetbridge/pin_guard.py); this module only reads and writes them.

The budget is not a table of its own: a call leg's attempts are claimed before its PIN is
looked up (storage/keypad.py) and count as failures until the leg enters a live PIN
(meeting_id set). The partial index `phone_legs_failed` holds exactly the legs with failures,
so "failures in the last hour" is a sum over a few hundred index entries at most.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import TokenReplayed
from ..records import WebhookToken
from .replays import with_first_use
from .seam import SqlDatabase, UniqueViolation

WITHHELD_KEY = "withheld"

# Failed attempts of legs that tried within the window. A leg counts all its failures while
# its latest attempt is in the window: never fewer than the failures in the window.
FAILURES_SINCE = (
    "(SELECT coalesce(sum(spent.attempts - (CASE WHEN spent.meeting_id IS NULL THEN 0 ELSE 1 END)), 0) "
    "FROM phone_legs AS spent WHERE spent.attempts > (CASE WHEN spent.meeting_id IS NULL THEN 0 ELSE 1 END) "
    "AND spent.attempt_at >= :budget_since)")

GATE = (
    f"SELECT {FAILURES_SINCE} AS budget_used, "
    "(SELECT locked_until FROM pin_lockouts WHERE key = :key) AS locked_until, "
    "(SELECT max(length) FROM pin_counts WHERE live > 0) AS longest_pin")


# A new caller's leg, stored only while the budget is not spent and the key not locked out, as
# `legs.ensure` stores it (retries and duplicates change nothing).
STORE_CALLER = (
    "INSERT INTO phone_legs (uuid, caller_number, created_at, updated_at, language) "
    "SELECT :uuid, :number, :now, :now, :language "
    f"WHERE {FAILURES_SINCE} < :budget AND NOT EXISTS (SELECT 1 FROM pin_lockouts "
    "WHERE pin_lockouts.key = :key AND pin_lockouts.locked_until > :now) "
    "ON CONFLICT (uuid) DO UPDATE SET caller_number = coalesce(phone_legs.caller_number, excluded.caller_number), "
    "language = coalesce(phone_legs.language, excluded.language)")


@dataclass(frozen=True)
class Policy:
    """The numbers behind lock-outs (meetbridge/pin_guard.py explains the choices)."""

    threshold: int  # failures in one run that lock the key out
    run_gap_seconds: float  # a pause this long without failures starts a new run
    first_lockout_seconds: float  # doubled for each further lock-out
    longest_lockout_seconds: float
    forget_after_seconds: float  # quiet this long after a lock-out ends: strikes forgotten


@dataclass(frozen=True)
class Gate:
    """What a new call is decided on, read in one query."""

    budget_used: int
    locked_until: float | None
    longest_pin: int | None


def lockout_key(number: str | None) -> str:
    """Withheld and unknown numbers share one key."""
    return number or WITHHELD_KEY


def _record_failure_sql() -> str:
    """One upsert: extend the key's run of failures; at the threshold, lock it out for
    first × 2^strikes (capped) and start a new run. Portable CASE rather than min()/max()."""
    run = "(CASE WHEN :now - pin_lockouts.last_failure_at > :run_gap THEN 1 ELSE pin_lockouts.failures + 1 END)"
    last_activity = ("(CASE WHEN coalesce(pin_lockouts.locked_until, 0) > pin_lockouts.last_failure_at "
                     "THEN pin_lockouts.locked_until ELSE pin_lockouts.last_failure_at END)")
    strikes = f"(CASE WHEN :now - {last_activity} > :forget_after THEN 0 ELSE pin_lockouts.strikes END)"
    doubling = f"(1 << CAST({strikes} AS INTEGER))"  # PostgreSQL shifts an integer by an integer
    duration = (f"(CASE WHEN {strikes} >= 20 OR :first * {doubling} > :longest THEN :longest "
                f"ELSE :first * {doubling} END)")
    locks = f"{run} >= :threshold"
    return (
        "INSERT INTO pin_lockouts (key, failures, last_failure_at, strikes, locked_until) VALUES "
        "(:key, CASE WHEN 1 >= :threshold THEN 0 ELSE 1 END, :now, CASE WHEN 1 >= :threshold THEN 1 ELSE 0 END, "
        "CASE WHEN 1 >= :threshold THEN :now + :first ELSE NULL END) "
        "ON CONFLICT (key) DO UPDATE SET "
        f"failures = CASE WHEN {locks} THEN 0 ELSE {run} END, "
        f"strikes = {strikes} + CASE WHEN {locks} THEN 1 ELSE 0 END, "
        f"locked_until = CASE WHEN {locks} THEN :now + {duration} ELSE pin_lockouts.locked_until END, "
        "last_failure_at = :now")


RECORD_FAILURE = _record_failure_sql()


class PinGuardTable:
    """Rows of `pin_lockouts` and `alerts_said`, and the failure budget read."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database

    def gate(self, key: str, budget_since: float) -> Gate:
        """Failures service-wide since `budget_since`, the key's lock-out and the longest live
        PIN: everything /voice-answer decides a new call on, in one read."""
        row = self.database.query_one(GATE, {"key": key, "budget_since": budget_since})
        assert row is not None  # a SELECT without FROM always yields one row
        return Gate(budget_used=int(row["budget_used"]), locked_until=row["locked_until"],
                    longest_pin=row["longest_pin"])

    def store_caller(self, uuid: str, number: str | None, now: float, language: str | None, budget: int,
                     budget_since: float, token: WebhookToken | None = None) -> tuple[bool, Gate]:
        """Store a new caller's leg unless the failure budget since `budget_since` is spent or
        its number is locked out, then read the gate: whether it was stored, and the gate (why
        not; the longest live PIN). One round trip on a server database, which first records
        the webhook's `token` as used (TokenReplayed, nothing written, when it was). Not
        durable, like `legs.ensure`: a database crash may forget the legs of its last fraction
        of a second."""
        first, params = with_first_use(token, {
            "uuid": uuid, "number": number, "key": lockout_key(number), "now": now, "language": language,
            "budget": budget, "budget_since": budget_since})
        try:
            stored, row = self.database.execute_then_read(STORE_CALLER, GATE, params, durable=False, first=first)
        except UniqueViolation as error:  # the leg's INSERT takes ON CONFLICT: only the token's can conflict
            raise TokenReplayed() from error
        assert row is not None  # a SELECT without FROM always yields one row
        return stored == 1, Gate(budget_used=int(row["budget_used"]), locked_until=row["locked_until"],
                                 longest_pin=row["longest_pin"])

    def record_failure(self, key: str, now: float, policy: Policy) -> None:
        """A failed PIN entry (wrong, empty or timed out) by this key."""
        self.database.execute(RECORD_FAILURE, {
            "key": key, "now": now, "threshold": policy.threshold, "run_gap": policy.run_gap_seconds,
            "first": policy.first_lockout_seconds, "longest": policy.longest_lockout_seconds,
            "forget_after": policy.forget_after_seconds})

    def lockout(self, key: str) -> dict | None:
        """The key's row (tests, operators)."""
        return self.database.query_one("SELECT * FROM pin_lockouts WHERE key = ?", [key])

    def prune(self, before: float) -> int:
        """Forget keys with no failure and no lock-out since `before`."""
        return self.database.execute(
            "DELETE FROM pin_lockouts WHERE last_failure_at < ? AND coalesce(locked_until, 0) < ?",
            [before, before])

    def claim_alert(self, name: str, now: float, every_seconds: float) -> bool:
        """True for the one caller, in any process, that may say this alert now."""
        return self.database.execute(
            "INSERT INTO alerts_said (name, said_at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE "
            "SET said_at = excluded.said_at WHERE alerts_said.said_at <= ?",
            [name, now, now - every_seconds]) == 1
