"""Webhook audit log: what arrived and what we did, without PINs or caller numbers.

Records are buffered and written in batches (flush(), run every second by the server and at
shutdown): one more INSERT and commit on every webhook was a tenth of its cost, and the log
is for people reading what happened, not for the call flow.

A batch goes in as one statement over a JSON array: `executemany` inside a transaction gave
up and re-took the GIL for every row while holding the write lock, and every webhook of both
workers waited behind it (15-80 ms measured in bench/).
"""

from __future__ import annotations

import json
import threading

from .database import Database

INSERT_BATCH = ("INSERT INTO webhook_log (at, route, uuid, status, detail) "
                "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), "
                "json_extract(value, '$[3]'), json_extract(value, '$[4]') FROM json_each(?) ORDER BY key")


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
            self.database.execute(INSERT_BATCH, [json.dumps(rows)])

    def recent(self, limit: int = 50) -> list[dict]:
        self.flush()
        return self.database.query("SELECT * FROM webhook_log ORDER BY id DESC LIMIT ?", [limit])

    def prune(self, before: float, limit: int) -> int:
        """Delete up to `limit` rows older than `before` (RETENTION_DAYS); the sweeper loops in
        small batches so no single DELETE holds the write lock for long."""
        return self.database.execute(
            "DELETE FROM webhook_log WHERE id IN (SELECT id FROM webhook_log WHERE at < ? LIMIT ?)",
            [before, limit])
