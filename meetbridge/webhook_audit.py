"""The webhook audit trail: what arrived and what was done, without PINs or caller numbers."""

from __future__ import annotations

from .clock import Clock
from .storage.audit import WebhookLog


class WebhookAudit:
    """Stamps each audit line with the clock's time; the log batches the writes."""

    def __init__(self, log: WebhookLog, clock: Clock) -> None:
        self.log = log
        self.clock = clock

    def record(self, route: str, uuid: str | None, status: str) -> None:
        """One line: which webhook, for which leg, and what came of it."""
        self.log.record(self.clock.now(), route, uuid, status)
