"""Storage behind one facade, so a server database could replace SQLite later."""

from __future__ import annotations

from ..errors import BridgeAlreadyActive
from ..records import BridgeCall, Meeting, PhoneLeg
from .audit import WebhookLog
from .bridges import BridgeCallsTable
from .call_participants import CallParticipantsTable
from .database import Database
from .keypad import KeypadQueries
from .legs import PhoneLegsTable
from .meetings import MeetingsTable
from .pin_guard import PinGuardTable
from .pins import PinsTable
from .rate_limits import RateLimitsTable, Rule
from .replays import SeenTokens
from .schema import migrate
from .slack_budgets import SlackBudgetsTable
from .slack_triggers import SlackTriggersTable
from .video_connections import VideoConnectionsTable


class Store:
    """Every table of one database file, migrated on open."""

    def __init__(self, path: str) -> None:
        self.database = Database(path)
        migrate(self.database)
        self.meetings = MeetingsTable(self.database)
        self.pins = PinsTable(self.database)
        self.bridges = BridgeCallsTable(self.database)
        self.legs = PhoneLegsTable(self.database)
        self.keypad = KeypadQueries(self.database)
        self.pin_guard = PinGuardTable(self.database)  # failure budget, lock-outs, alerts
        self.webhook_log = WebhookLog(self.database)
        self.video_connections = VideoConnectionsTable(self.database)
        self.call_participants = CallParticipantsTable(self.database)
        self.rate_limits = RateLimitsTable(self.database)
        self.slack_budgets = SlackBudgetsTable(self.database)
        self.slack_triggers = SlackTriggersTable(self.database)
        self.seen_tokens = SeenTokens(self.database)  # jti of accepted signed webhooks

    def transaction(self):
        return self.database.transaction()

    def ping(self) -> bool:
        """True when the database answers a query, False on any driver error."""
        return self.database.ping()

    def housekeeping(self) -> None:
        """Every second in the server: write buffered audit rows, checkpoint the WAL."""
        self.webhook_log.flush()
        self.database.checkpoint()

    def close(self) -> None:
        self.webhook_log.flush()
        self.database.close()


__all__ = ["Store", "Meeting", "BridgeCall", "PhoneLeg", "BridgeAlreadyActive", "Rule"]
