"""Background jobs that repeat inside the server process (the sweeper's two passes, WAL
checkpoints)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    """Runs `job` every `interval` seconds on a daemon thread until stopped; `wake()` runs it
    at once (e.g. the clean-up pass when an expiry left callers to hang up)."""

    def __init__(self, name: str, interval: float, job: Callable[[], None]) -> None:
        self.name = name
        self.interval = interval
        self.job = job
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"meetbridge-{name}", daemon=True)

    def start(self) -> None:
        """Start the thread; the first run comes after one interval."""
        self._thread.start()

    def wake(self) -> None:
        """Run the job now instead of at the end of the interval."""
        self._wake.set()

    def stop(self) -> None:
        """Stop after the run under way, waiting up to 10 s for it."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.job()
            except Exception:  # the thread must outlive one bad pass; the next one retries
                log.exception("%s failed", self.name)
