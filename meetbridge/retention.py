"""Keeping the database bounded: what is past its window is deleted in batches.

Forged or merely numerous webhooks used to add rows forever (6,000 forged events made 6,000
legs and 6,000 audit rows, +11.4 MB).
Each kind of row is deleted a small batch per statement, so no DELETE holds the write lock long
enough to delay a webhook, and the clean-up pass stops between batches when its time is up.

Tables other parts of the service own (replayed-token and lock-out records) are pruned through
their own `prune` methods, when the store has them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from .clock import Clock
from .phone_waiting import WAITING_ALERT
from .settings import Settings
from .storage import Store

log = logging.getLogger(__name__)

PRUNE_BATCH = 500
# A leg that never entered a live PIN is kept this long: far longer than any PIN prompt lasts
# (a few attempts of seconds each), and longer than the hour the PIN failure budget looks back.
NEVER_ADMITTED_SECONDS = 2 * 3600
PIN_FAILURE_MEMORY_SECONDS = 3600  # the lock-out window of the old per-number failure log
LOCKOUT_MEMORY_SECONDS = 24 * 3600  # used only if meetbridge/pin_guard.py names no window
# A card's line of a dialled call goes when the call ends; one whose end was never heard (no
# final status from Vonage) is deleted after a day (or a meeting's lifetime, when longer): a
# dialled leg lasts at most 12 hours (its length timer).
DIAL_LINE_SECONDS = 24 * 3600
# "A caller is waiting" is claimed once per meeting per 5 minutes (one alerts_said row a meeting);
# a claim older than a meeting's lifetime (or a day) can hold back nothing.
WAITING_NOTICE_SECONDS = 24 * 3600


class Retention:
    """Deletes rows past their retention window, in small batches."""

    def __init__(self, settings: Settings, store: Store, clock: Clock) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock

    def prune(self, more_time: Callable[[], bool] = lambda: True) -> dict[str, int]:
        """Delete everything past its window, batch by batch while `more_time()`; how many rows
        of each kind went (for tests and the log)."""
        deleted: dict[str, int] = {}
        for name, batch in self._batched(self.clock.now()):
            count = 0
            while more_time():
                gone = batch()
                count += gone
                if gone < PRUNE_BATCH:
                    break
            deleted[name] = count
        if any(deleted.values()):
            log.info("pruned %s", ", ".join(f"{n} {name}" for name, n in deleted.items() if n))
        return deleted

    def _batched(self, now: float) -> list[tuple[str, Callable[[], int]]]:
        """(name, delete one batch → rows deleted) for every kind of row with a window."""
        store, retained = self.store, now - self.settings.retention_seconds
        batches: list[tuple[str, Callable[[], int]]] = [
            ("audit rows", lambda: store.webhook_log.prune(retained, PRUNE_BATCH)),
            ("finished legs", lambda: store.legs.prune_finished(retained, PRUNE_BATCH)),
            ("never-admitted legs",
             lambda: store.legs.prune_never_admitted(now - NEVER_ADMITTED_SECONDS, PRUNE_BATCH)),
            ("dial-out calls", lambda: store.dial_outs.prune(retained, PRUNE_BATCH)),
            ("card dial lines", lambda: store.dial_lines.prune(
                now - max(DIAL_LINE_SECONDS, self.settings.meeting_ttl_seconds), PRUNE_BATCH)),
            ("caller-waiting notices", lambda: store.phone_waiting.forget_notices(
                WAITING_ALERT, now - max(WAITING_NOTICE_SECONDS, self.settings.meeting_ttl_seconds), PRUNE_BATCH)),
        ]
        return batches + self._other_owners(now)

    def _other_owners(self, now: float) -> list[tuple[str, Callable[[], int]]]:
        """Records other modules keep, through their own prune methods and windows (looked up
        here, so retention keeps working while those modules change)."""
        store, found = self.store, []
        seen_tokens = getattr(store, "seen_tokens", None)
        if seen_tokens is not None:  # replayed-JWT guard: a jti is useless after its window
            from .storage.replays import KEEP_SECONDS
            found.append(("replay records", lambda: seen_tokens.prune(now - KEEP_SECONDS, PRUNE_BATCH)))
        pin_guard = getattr(store, "pin_guard", None)
        if pin_guard is not None:  # lock-out keys whose strikes are forgotten
            found.append(("lock-out records", _counted(lambda: pin_guard.prune(now - _lockout_memory()))))
        triggers = getattr(store, "slack_triggers", None)
        if triggers is not None:  # slash-command trigger ids (their window is the table's own)
            found.append(("slack triggers", _counted(lambda: triggers.prune(now))))
        if hasattr(store.legs, "prune_pin_failures"):
            found.append(("pin failures",
                          _counted(lambda: store.legs.prune_pin_failures(now - PIN_FAILURE_MEMORY_SECONDS))))
        return found


def _lockout_memory() -> float:
    """How long a quiet lock-out key is remembered (meetbridge/pin_guard.py decides)."""
    try:
        from .pin_guard import FORGET_AFTER_SECONDS
    except ImportError:
        return LOCKOUT_MEMORY_SECONDS
    return float(FORGET_AFTER_SECONDS)


def _counted(prune: Callable[[], int | None]) -> Callable[[], int]:
    """Adapt a prune method without a batch size (or one that returns nothing)."""
    return lambda: int(prune() or 0)
