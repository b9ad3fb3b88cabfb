"""Each workspace's share of Slack's rate limit for card updates, counted across workers.

Slack limits chat.update (Tier 3, "50+ per minute") and the Calls methods per workspace, for
all of this app's processes together, so the budget lives in the database
(storage/slack_budgets.py), not in one process's memory. A 429 pauses only its workspace.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from slack_sdk.errors import SlackApiError

from .card_store import SlackBudgets

# Tier 3 is about 50 calls a minute: a burst of 10 plus 40 a minute keeps any 60-second window
# at 50 at most, while a handful of cards changing together still go out at once.
UPDATES_PER_SECOND = 40 / 60
UPDATE_BURST = 10
DEFAULT_RETRY_AFTER_SECONDS = 1.0  # a 429 without a readable Retry-After (Slack always sends one)
SHORTEST_RETRY_AFTER_SECONDS = 1.0  # Slack's are whole seconds; "0" must not mean "ask again at once"
LONGEST_RETRY_AFTER_SECONDS = 600.0


class WorkspaceRateLimited(Exception):
    """Slack answered 429 for this workspace: nothing more for it until `retry_after` passed."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after:g} s")
        self.retry_after = retry_after


def rate_limited(error: SlackApiError) -> WorkspaceRateLimited | None:
    """The 429 in a Slack failure with its Retry-After, or None for any other failure."""
    if error.response.status_code != 429:
        return None
    headers = error.response.headers or {}
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        seconds = DEFAULT_RETRY_AFTER_SECONDS
    if math.isnan(seconds) or seconds < 0:
        seconds = DEFAULT_RETRY_AFTER_SECONDS
    return WorkspaceRateLimited(min(max(seconds, SHORTEST_RETRY_AFTER_SECONDS), LONGEST_RETRY_AFTER_SECONDS))


class WorkspaceBudget:
    """Token buckets per workspace over the database; `clock` is wall time, shared by hosts."""

    def __init__(self, table: SlackBudgets, rate: float = UPDATES_PER_SECOND, burst: int = UPDATE_BURST,
                 clock: Callable[[], float] = time.time) -> None:
        self.table = table
        self.rate = rate
        self.burst = burst
        self.clock = clock

    def reserve(self, team_id: str) -> float:
        """Book a turn: 0 when it is now, else the seconds until the booked one."""
        return self.table.reserve(team_id, self.clock(), self.rate, self.burst)

    def pause(self, team_id: str, seconds: float) -> None:
        """Slack said Retry-After `seconds`: no turn for this workspace before then."""
        self.table.pause(team_id, self.clock() + seconds)

    def paused_for(self, team_id: str) -> float:
        """Seconds left of a pause (0 when none): a booked turn is void while paused."""
        return self.table.paused_for(team_id, self.clock())
