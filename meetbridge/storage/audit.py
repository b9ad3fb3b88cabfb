"""Webhook audit log: what arrived and what we did, without PINs or caller numbers.

Records are buffered and written in batches (flush(), run every second by the server and at
shutdown): one more INSERT and commit on every webhook was a tenth of its cost, and the log
is for people reading what happened, not for the call flow.

A flush is one `insert_many` of every buffered row: the back-end writes them in as few short
statements as suit it (SQLite: multi-row INSERTs of a power of two of rows; PostgreSQL: one COPY).
"""

from __future__ import annotations

import threading

from .seam import SqlDatabase

COLUMNS = ("at", "route", "uuid", "status", "detail")


class WebhookLog:
    """Audit rows buffered in memory and written in batches."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database
        self._pending: list[tuple[float, str, str | None, str, str]] = []
        self._lock = threading.Lock()

    def record(self, at: float, route: str, uuid: str | None, status: str, detail: str = "") -> None:
        """Buffer one row (written by the next flush)."""
        with self._lock:
            self._pending.append((at, route, uuid, status, detail[:500]))

    def flush(self) -> None:
        """Write every buffered row, in arrival order."""
        with self._lock:
            rows, self._pending = self._pending, []
        if rows:
            self.database.insert_many("webhook_log", COLUMNS, rows)

    def recent(self, limit: int = 50) -> list[dict]:
        """The newest rows first (buffered ones written first)."""
        self.flush()
        return self.database.query("SELECT * FROM webhook_log ORDER BY id DESC LIMIT ?", [limit])

    def prune(self, before: float, limit: int) -> int:
        """Delete up to `limit` rows older than `before` (RETENTION_DAYS); the sweeper loops in
        small batches so no single DELETE holds the write lock for long."""
        return self.database.execute(
            "DELETE FROM webhook_log WHERE id IN (SELECT id FROM webhook_log WHERE at < ? LIMIT ?)",
            [before, limit])
