"""Coalescing scheduler for card updates, in one lane per workspace.

Many changes to one card collapse into one send that reads the newest state; a card is
sent at most once per `min_interval` and never twice at the same time. A few sender threads
serve every card, so a burst of changes across hundreds of meetings cannot spawn hundreds of
threads or starve the webhooks of CPU (bench/README.md).

Each key belongs to a lane (its workspace) and a lane has at most one send in flight: a
workspace whose Slack calls hang until their timeout holds one sender, never all of them. A
sender never sleeps: a card that must wait (its workspace's budget, a 429's Retry-After) is
deferred and the sender moves on to other lanes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from meetbridge.ids import log_ref

log = logging.getLogger(__name__)
FORGET_AFTER_KEYS = 1000
SENDERS = 4


class UpdateScheduler:
    """Coalesces update requests per key and sends them on a few threads, at most once per `min_interval` per key."""

    def __init__(self, send: Callable[[str], None], min_interval: float, senders: int = SENDERS) -> None:
        self.send = send
        self.min_interval = min_interval
        self._senders = senders
        self._cond = threading.Condition()
        self._due: dict[str, float] = {}
        self._in_flight: set[str] = set()
        self._lanes: dict[str, str] = {}  # key → its lane, while due or in flight
        self._busy_lanes: set[str] = set()
        self._last_sent: dict[str, float] = {}
        self._threads: list[threading.Thread] = []
        self._closed = False

    def request(self, key: str, lane: str = "") -> None:
        """Schedule a send for `key`; a no-op when one is already waiting."""
        with self._cond:
            if self._closed or key in self._due:
                return
            now = time.monotonic()
            if len(self._last_sent) > FORGET_AFTER_KEYS:  # keep memory flat over months of meetings
                self._last_sent = {k: t for k, t in self._last_sent.items() if now - t < self.min_interval}
            self._due[key] = max(now, self._last_sent.get(key, 0.0) + self.min_interval)
            self._lanes[key] = self._lanes.get(key) or lane
            self._start_senders()
            self._cond.notify()

    def defer(self, key: str, seconds: float) -> None:
        """Try `key` again later (its workspace's budget is spent, or Slack said Retry-After)."""
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

    def _ready(self, key: str) -> bool:
        lane = self._lanes.get(key, "")
        return key not in self._in_flight and not (lane and lane in self._busy_lanes)

    def _next(self) -> str | None:
        """Block until some key is due, not in flight and its lane free; None once closed."""
        with self._cond:
            while not self._closed:
                ready = [(due, key) for key, due in self._due.items() if self._ready(key)]
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
                if self._lanes.get(key):
                    self._busy_lanes.add(self._lanes[key])
                self._last_sent[key] = now
                return key
            return None

    def _run(self) -> None:
        while (key := self._next()) is not None:
            try:
                self.send(key)
            except Exception:  # a lost update is repaired by the next change; keep the reason
                log.exception("update of %s failed", log_ref(key))
            finally:
                self._done(key)

    def _done(self, key: str) -> None:
        with self._cond:
            self._in_flight.discard(key)
            self._busy_lanes.discard(self._lanes.get(key, ""))
            if key not in self._due:
                self._lanes.pop(key, None)
            self._cond.notify_all()
