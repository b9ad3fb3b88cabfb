"""Time as a service, so tests move the clock instead of sleeping."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Where the current time comes from."""

    def now(self) -> float:
        """Seconds since the epoch."""


class SystemClock:
    """The real time, for the running service."""

    def now(self) -> float:
        """Seconds since the epoch, from the system clock."""
        return time.time()
