"""A small bounded thread pool for slow platform calls the sweeper makes in bulk.

Hanging up 1,500 legs one after another, each a Vonage round trip, held the sweeper for
minutes (another meeting's idle bridge was hung up 92 s late). A few workers make many hang-ups
quick without letting a backlog open hundreds of connections to Vonage at once; the caller waits
for its batch (or a budget).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from .errors import UpstreamError

log = logging.getLogger(__name__)


class WorkerPool:
    """A few threads for many slow platform calls, so a batch is quick but bounded."""

    def __init__(self, name: str, workers: int) -> None:
        self.name = name
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"meetbridge-{name}")
        self._running: set[Future] = set()
        self._lock = threading.Lock()
        self._closed = False

    def run_all(self, jobs: Iterable[Callable[[], object]], timeout: float | None = None) -> bool:
        """Run the jobs on the pool; True when all finished within `timeout` (None: wait for
        all). Jobs still running after the timeout carry on; `busy()` says so. After close()
        the jobs run in the calling thread (shutdown must not lose a hang-up)."""
        futures = []
        for job in jobs:
            with self._lock:
                if self._closed:
                    future = None
                else:
                    future = self._executor.submit(self._run, job)
                    self._running.add(future)
            if future is None:
                self._run(job)
                continue
            future.add_done_callback(self._forget)
            futures.append(future)
        if not futures:
            return True
        _, not_done = wait(futures, timeout)
        return not not_done

    def busy(self) -> bool:
        """Jobs from an earlier run_all still running (their timeout passed)."""
        with self._lock:
            return bool(self._running)

    def close(self) -> None:
        """Let the running jobs finish; later jobs run in the calling thread."""
        with self._lock:
            self._closed = True
        self._executor.shutdown(wait=True, cancel_futures=False)

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._running.discard(future)

    def _run(self, job: Callable[[], object]) -> None:
        try:
            job()
        except UpstreamError as error:
            log.info("%s job stopped: %s", self.name, error)
        except Exception:  # one bad row must not stop the rest of the batch
            log.exception("%s job failed", self.name)
