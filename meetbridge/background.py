"""Work that must not hold up an HTTP answer (auto-bridge dialling, card updates).

Expected failures are already recorded by the code that runs here (a failed dial is on
the card); anything unexpected is logged with its traceback rather than lost in a future.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from .errors import BridgeAlreadyActive, RateLimited, UpstreamError

log = logging.getLogger(__name__)
EXPECTED = (UpstreamError, BridgeAlreadyActive, RateLimited)  # each already on the card


class Background:
    """Runs jobs on a thread pool so that an HTTP answer never waits for them."""

    def __init__(self, workers: int = 16) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="meetbridge-bg")

    def __call__(self, job: Callable[[], None]) -> None:
        """Start `job` soon; its failures are logged, never raised here."""
        self._executor.submit(self._run, job)

    @staticmethod
    def _run(job: Callable[[], None]) -> None:
        try:
            job()
        except EXPECTED as error:
            log.info("background job stopped: %s", error)
        except Exception:
            log.exception("background job failed")

    def shutdown(self) -> None:
        """Wait for the jobs already started, then stop the threads."""
        self._executor.shutdown(wait=True, cancel_futures=False)
