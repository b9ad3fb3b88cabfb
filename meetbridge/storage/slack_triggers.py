"""Slash-command deliveries already acted on, by Slack's `trigger_id`, shared by every worker.

A signed request can be replayed for five minutes (Slack's signature window) and a client can
deliver a command twice; the first worker to record a trigger id acts, every later delivery
is only acknowledged. Rows are kept REMEMBER_SECONDS, well past the signature window, then
pruned (`prune`, run by the sweeper).
"""

from __future__ import annotations

from .seam import SqlDatabase

REMEMBER_SECONDS = 15 * 60  # Slack's signature window is 5 minutes; the contract asks ≥ 10


class SlackTriggersTable:
    """Rows of `slack_seen_triggers`."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database

    def first_sight(self, trigger_id: str, now: float) -> bool:
        """Record `trigger_id`; True only for the first delivery (one statement, so two
        workers receiving the same command at once cannot both see True)."""
        return self.database.execute(
            "INSERT INTO slack_seen_triggers (trigger_id, seen_at) VALUES (?, ?) "
            "ON CONFLICT (trigger_id) DO NOTHING", [trigger_id, now]) == 1

    def prune(self, now: float) -> int:
        """Forget trigger ids seen more than REMEMBER_SECONDS before `now`; returns how many."""
        return self.database.execute("DELETE FROM slack_seen_triggers WHERE seen_at < ?",
                                     [now - REMEMBER_SECONDS])
