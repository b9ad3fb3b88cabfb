"""Background jobs that repeat inside the server process (the sweeper, WAL checkpoints)."""

from __future__ import annotations

import logging
import threading
from typing import Callable

log = logging.getLogger(__name__)


class Periodic:
    """Runs `job` every `interval` seconds on a daemon thread until stopped."""

    def __init__(self, name: str, interval: float, job: Callable[[], None]) -> None:
        self.name = name
        self.interval = interval
        self.job = job
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"meetbridge-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.job()
            except Exception:  # the thread must outlive one bad pass; the next one retries
                log.exception("%s failed", self.name)
