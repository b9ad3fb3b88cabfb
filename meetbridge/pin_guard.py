"""How PIN guessing is bounded for the whole service (README "Security model").

- Budget: at most PIN_FAILURE_BUDGET failed entries (wrong, empty or timed out) per sliding
  hour, all callers and workers together. While it is spent, new calls hear BUSY and end, and
  calls already entering a PIN get no further check (their next entry hears BUSY too): a
  claimed attempt is the only way to a look-up, and no attempt is granted while it is spent.
- Lock-outs per key: a caller number, or one shared key for every withheld/unknown number
  with a threshold WITHHELD_FACTOR times higher. PIN_LOCKOUT_FAILURES failures in a run (a run
  ends after RUN_GAP_SECONDS without a failure) lock the key out for 1 minute, then 2, 4, 8,
  16, 32, capped at 60; the strikes are forgotten after FORGET_AFTER_SECONDS with no failure
  and no lock-out. A spoofed lock-out of a real person costs them a minute, not 15.
"""

from __future__ import annotations

from .settings import Settings
from .storage.pin_guard import WITHHELD_KEY, Policy

BUDGET_WINDOW_SECONDS = 3600
ALERT_EVERY_SECONDS = 60
BUDGET_ALERT = "pin_failure_budget_spent"
WITHHELD_FACTOR = 3
RUN_GAP_SECONDS = 15 * 60
FIRST_LOCKOUT_SECONDS = 60
LONGEST_LOCKOUT_SECONDS = 60 * 60
FORGET_AFTER_SECONDS = 60 * 60


def lockout_policy(settings: Settings, key: str) -> Policy:
    """The lock-out rule for one key; the shared withheld key takes more failures."""
    threshold = settings.pin_lockout_failures * (WITHHELD_FACTOR if key == WITHHELD_KEY else 1)
    return Policy(threshold=threshold, run_gap_seconds=RUN_GAP_SECONDS,
                  first_lockout_seconds=FIRST_LOCKOUT_SECONDS,
                  longest_lockout_seconds=LONGEST_LOCKOUT_SECONDS,
                  forget_after_seconds=FORGET_AFTER_SECONDS)


def lockout_durations(strikes: int) -> list[float]:
    """The first `strikes` lock-out lengths in seconds (README, tests)."""
    return [min(FIRST_LOCKOUT_SECONDS * 2 ** n, LONGEST_LOCKOUT_SECONDS) for n in range(strikes)]
