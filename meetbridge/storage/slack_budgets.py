"""Per-workspace token buckets for Slack's rate-limited methods, shared by every worker.

Slack counts a method's calls per workspace, whatever process makes them, so the bucket is a
row per workspace changed by one conditional statement (no read-then-write race between
workers). A caller that finds the bucket empty books the next free token: `tokens` goes
below zero and the caller comes back when its token is due, instead of every waiting card
retrying each time a token arrives (bench/README.md). A 429 records Slack's Retry-After in
`paused_until` and moves `counted_at` there: no token is handed out before it, and bookings
made before the 429 are dropped (their cards see the pause when they come back, and book again).
"""

from __future__ import annotations

from .seam import SqlDatabase

# tokens now = the stored count plus what accrued since counted_at, at most the burst.
# CASE rather than min()/max(): SQLite spells them min/max, PostgreSQL least/greatest.
_ACCRUED = ("CASE WHEN :now > slack_rate_budgets.counted_at "
            "THEN slack_rate_budgets.tokens + (:now - slack_rate_budgets.counted_at) * :rate "
            "ELSE slack_rate_budgets.tokens END")
RESERVE = (
    "INSERT INTO slack_rate_budgets (team_id, tokens, counted_at) VALUES (:team, :burst - 1, :now) "
    "ON CONFLICT (team_id) DO UPDATE SET "
    f"tokens = CASE WHEN {_ACCRUED} > :burst THEN :burst ELSE {_ACCRUED} END - 1, "
    "counted_at = CASE WHEN :now > slack_rate_budgets.counted_at THEN :now "
    "ELSE slack_rate_budgets.counted_at END "
    "RETURNING tokens, counted_at")
# One token waits at the end of the pause: the first card goes out as soon as Slack allows.
PAUSE = (
    "INSERT INTO slack_rate_budgets (team_id, tokens, counted_at, paused_until) VALUES (:team, 1, :until, :until) "
    "ON CONFLICT (team_id) DO UPDATE SET tokens = 1, counted_at = :until, paused_until = :until "
    "WHERE slack_rate_budgets.paused_until < :until")


class SlackBudgetsTable:
    """Rows of `slack_rate_budgets`: one token bucket per workspace."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database

    def reserve(self, team_id: str, now: float, rate: float, burst: int) -> float:
        """Spend a token of `team_id`'s bucket: 0 when one is here now, else the seconds
        until the one booked for the caller is due."""
        row = self.database.write_returning(RESERVE, {"team": team_id, "now": now, "rate": rate, "burst": burst})
        assert row is not None  # an upsert with RETURNING always returns its row
        wait = max(0.0, row["counted_at"] - now)  # a 429's pause still running
        if row["tokens"] < 0:
            wait += -row["tokens"] / rate
        return wait

    def pause(self, team_id: str, until: float) -> None:
        """Slack answered 429: hand out no token before `until` (a longer pause already
        recorded is kept)."""
        self.database.execute(PAUSE, {"team": team_id, "until": until})

    def paused_for(self, team_id: str, now: float) -> float:
        """Seconds left of a 429's pause for `team_id` (0 when none)."""
        row = self.database.query_one(
            "SELECT paused_until FROM slack_rate_budgets WHERE team_id = ?", [team_id])
        return max(0.0, row["paused_until"] - now) if row else 0.0
