"""A sweeper in a process of its own (spawned), as a second gunicorn worker or a cron run is.

Kept apart from the test modules so a spawned child imports the app and nothing of the
test kit: spawning stays quick.
"""

from __future__ import annotations

import multiprocessing
import random
from typing import Any

from app import build_services
from meetbridge.settings import load_settings

CHILD_TIMEOUT_SECONDS = 60


class FixedClock:
    """A picklable clock for the child (the tests' FakeClock holds a lock)."""

    def __init__(self, now: float) -> None:
        self.current = now

    def now(self) -> float:
        return self.current


def sweep_once(env: dict[str, str], now: float, start_together: Any) -> None:
    """Build the services as create_app does, wait for the other sweeper, sweep once."""
    services = build_services(load_settings(env), FixedClock(now), random.SystemRandom())
    start_together.wait(timeout=CHILD_TIMEOUT_SECONDS)
    try:
        services.lifecycle.sweep()
    finally:
        services.store.close()


def sweep_in_two_processes(env: dict[str, str], now: float) -> list[int | None]:
    """Two spawned sweepers over one database, released at the same moment; their exit codes."""
    spawn = multiprocessing.get_context("spawn")
    start_together = spawn.Barrier(2)
    sweepers = [spawn.Process(target=sweep_once, args=(env, now, start_together)) for _ in range(2)]
    for sweeper in sweepers:
        sweeper.start()
    for sweeper in sweepers:
        sweeper.join(timeout=CHILD_TIMEOUT_SECONDS)
    return [sweeper.exitcode for sweeper in sweepers]
