"""Sliding-window counters kept in the database, so a limit holds across worker processes and
hosts (bridge dials cost money; token minting is a join link's cheapest abuse).

Each allowed request is one row in its bucket; a request is checked against every rule of its
bucket and recorded only when all allow it, inside one write transaction that holds each
bucket's named lock (PostgreSQL counts under READ COMMITTED: without the lock two hosts could
both count the last free place). Rows carry their own
expiry, and every check also deletes a few expired rows, so the table stays small without a
separate clean-up job.
"""

from __future__ import annotations

from dataclasses import dataclass

from .seam import SqlDatabase

PRUNE_BATCH = 100


@dataclass(frozen=True)
class Rule:
    """At most `limit` requests in `bucket` within any `window_seconds`."""

    bucket: str
    limit: int
    window_seconds: float


class RateLimitsTable:
    """Rows of `rate_limit_hits`: one per request a rule allowed."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database

    def take(self, rules: list[Rule], now: float) -> float | None:
        """Record one request in every rule's bucket, or none when a rule refuses: then the
        seconds until that rule would allow it (the longest wait when several refuse)."""
        with self.database.transaction():
            for bucket in sorted({rule.bucket for rule in rules}):  # one order: no deadlock
                self.database.hold(f"rate_limit:{bucket}")
            waits = [wait for rule in rules if (wait := self._wait(rule, now)) is not None]
            if waits:
                return max(waits)
            for bucket in dict.fromkeys(rule.bucket for rule in rules):
                longest = max(rule.window_seconds for rule in rules if rule.bucket == bucket)
                self.database.execute(
                    "INSERT INTO rate_limit_hits (bucket, at, expires_at) VALUES (?, ?, ?)",
                    [bucket, now, now + longest])
            self._prune(now)
        return None

    def give_back(self, bucket: str, at: float) -> None:
        """Forget one request recorded in `bucket` at `at` (it was never carried out)."""
        self.database.execute("DELETE FROM rate_limit_hits WHERE bucket = ? AND at = ?", [bucket, at])

    def _wait(self, rule: Rule, now: float) -> float | None:
        rows = self.database.query(
            "SELECT at FROM rate_limit_hits WHERE bucket = ? AND at > ? ORDER BY at DESC LIMIT ?",
            [rule.bucket, now - rule.window_seconds, rule.limit])
        if len(rows) < rule.limit:
            return None
        return rows[-1]["at"] + rule.window_seconds - now  # when the oldest counted one leaves

    def _prune(self, now: float) -> None:
        self.database.execute(
            "DELETE FROM rate_limit_hits WHERE expires_at IN "
            "(SELECT expires_at FROM rate_limit_hits WHERE expires_at <= ? LIMIT ?)", [now, PRUNE_BATCH])
