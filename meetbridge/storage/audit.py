"""Webhook audit log: what arrived and what we did, without PINs or caller numbers."""

from __future__ import annotations

from .database import Database


class WebhookLog:
    def __init__(self, database: Database) -> None:
        self.database = database

    def record(self, at: float, route: str, uuid: str | None, status: str, detail: str = "") -> None:
        self.database.db["webhook_log"].insert(
            {"at": at, "route": route, "uuid": uuid, "status": status, "detail": detail[:500]})

    def recent(self, limit: int = 50) -> list[dict]:
        return self.database.query("SELECT * FROM webhook_log ORDER BY id DESC LIMIT ?", [limit])
