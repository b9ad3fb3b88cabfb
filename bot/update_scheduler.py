"""Coalescing scheduler for card updates.

Many changes to one card collapse into one send that reads the newest state; a card is
sent at most once per `min_interval` and never twice at the same time (an older send
waiting out a 429 must land before a newer one). A couple of sender threads serve every
card, so a burst of changes across hundreds of meetings cannot spawn hundreds of threads
or starve the webhooks of CPU.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

log = logging.getLogger(__name__)
FORGET_AFTER_KEYS = 1000


class UpdateScheduler:
    def __init__(self, send: Callable[[str], None], min_interval: float, senders: int = 2) -> None:
        self.send = send
        self.min_interval = min_interval
        self._senders = senders
        self._cond = threading.Condition()
        self._due: dict[str, float] = {}
        self._in_flight: set[str] = set()
        self._last_sent: dict[str, float] = {}
        self._threads: list[threading.Thread] = []
        self._closed = False

    def request(self, key: str) -> None:
        """Schedule a send for `key`; a no-op when one is already waiting."""
        with self._cond:
            if self._closed or key in self._due:
                return
            now = time.monotonic()
            if len(self._last_sent) > FORGET_AFTER_KEYS:  # keep memory flat over months of meetings
                self._last_sent = {k: t for k, t in self._last_sent.items() if now - t < self.min_interval}
            self._due[key] = max(now, self._last_sent.get(key, 0.0) + self.min_interval)
            self._start_senders()
            self._cond.notify()

    def defer(self, key: str, seconds: float) -> None:
        """Try `key` again later (e.g. the workspace's update budget is spent)."""
        with self._cond:
            if not self._closed:
                self._due[key] = min(self._due.get(key, float("inf")), time.monotonic() + seconds)
                self._cond.notify()

    def close(self) -> None:
        """Stop taking work and wait for sends in flight (so the database can close)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=30)

    def _start_senders(self) -> None:
        while len(self._threads) < self._senders:
            thread = threading.Thread(target=self._run, name=f"card-updates-{len(self._threads)}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _next(self) -> str | None:
        """Block until some key is due and not in flight; None once closed."""
        with self._cond:
            while not self._closed:
                ready = [(due, key) for key, due in self._due.items() if key not in self._in_flight]
                if not ready:
                    self._cond.wait()
                    continue
                due, key = min(ready)
                now = time.monotonic()
                if due > now:
                    self._cond.wait(due - now)
                    continue
                del self._due[key]
                self._in_flight.add(key)
                self._last_sent[key] = now
                return key
            return None

    def _run(self) -> None:
        while (key := self._next()) is not None:
            try:
                self.send(key)
            except Exception:  # a lost update is repaired by the next change; keep the reason
                log.exception("update of %s failed", key)
            finally:
                with self._cond:
                    self._in_flight.discard(key)
                    self._cond.notify_all()


class TokenBuckets:
    """Per-key token buckets: Slack limits chat.update per workspace (about one a second).

    A caller that finds the bucket empty books the next free token instead of coming back to
    try again: with hundreds of cards waiting on one workspace, retrying all of them each time
    a token arrived was a burst of work every second that stalled the webhooks (bench/).
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, float]] = {}  # key → (tokens, when counted); < 0 when booked ahead

    def reserve(self, key: str) -> float:
        """Spend a token: 0 when one is here now, else the seconds until the booked one is."""
        with self._lock:
            now = self.clock()
            tokens, stamp = self._state.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - stamp) * self.rate) - 1
            self._state[key] = (tokens, now)
            return 0.0 if tokens >= 0 else -tokens / self.rate
