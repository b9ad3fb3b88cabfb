"""Webhook audit log: what arrived and what we did, without PINs or caller numbers.

Records are buffered and written in batches (flush(), run every second by the server and at
shutdown): one more INSERT and commit on every webhook was a tenth of its cost, and the log
is for people reading what happened, not for the call flow.

A batch goes in as few multi-row INSERT statements: `executemany` inside a SQLite transaction
gave up and re-took the GIL for every row while holding the write lock, and every webhook of
both workers waited behind it (15-80 ms measured in bench/). Statements take a power of two of
rows (BATCH_ROWS, then the rest by its binary digits: 300 rows are 256 + 32 + 8 + 4), so only
nine statement texts ever exist. One text per batch size filled each connection's statement
cache (128 prepared statements, ~150 KB each for 256 rows) a little more every second.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from .seam import SqlDatabase

BATCH_ROWS = 256  # 1,280 parameters per statement: under SQLite's and PostgreSQL's limits


@lru_cache(maxsize=BATCH_ROWS.bit_length())
def insert_rows(count: int) -> str:
    """One INSERT of `count` audit rows."""
    return ("INSERT INTO webhook_log (at, route, uuid, status, detail) VALUES "
            + ", ".join(["(?, ?, ?, ?, ?)"] * count))


def batch_sizes(count: int) -> list[int]:
    """How `count` rows are split into statements: BATCH_ROWS at a time, the rest by powers of two."""
    sizes = [BATCH_ROWS] * (count // BATCH_ROWS)
    rest = count % BATCH_ROWS
    return sizes + [1 << bit for bit in reversed(range(rest.bit_length())) if rest >> bit & 1]


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
        start = 0
        for size in batch_sizes(len(rows)):
            batch = rows[start:start + size]
            self.database.execute(insert_rows(size), [value for row in batch for value in row])
            start += size

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
