"""Webhook audit log: what arrived and what we did, without PINs or caller numbers.

Records are buffered and written in batches (flush(), run every second by the server and at
shutdown): one more INSERT and commit on every webhook was a tenth of its cost, and the log
is for people reading what happened, not for the call flow.
"""

from __future__ import annotations

import threading

from .database import Database


class WebhookLog:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._pending: list[tuple[float, str, str | None, str, str]] = []
        self._lock = threading.Lock()

    def record(self, at: float, route: str, uuid: str | None, status: str, detail: str = "") -> None:
        with self._lock:
            self._pending.append((at, route, uuid, status, detail[:500]))

    def flush(self) -> None:
        with self._lock:
            rows, self._pending = self._pending, []
        if rows:
            with self.database.transaction() as db:
                db.conn.executemany(
                    "INSERT INTO webhook_log (at, route, uuid, status, detail) VALUES (?, ?, ?, ?, ?)", rows)

    def recent(self, limit: int = 50) -> list[dict]:
        self.flush()
        return self.database.query("SELECT * FROM webhook_log ORDER BY id DESC LIMIT ?", [limit])
