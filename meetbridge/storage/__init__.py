"""Storage behind one facade: SQLite (one file, the default) or PostgreSQL (several hosts).

`open_store(database_url)` chooses by URL: `sqlite:///<file>` or `postgresql://…`. `Store(path)`
opens a SQLite file directly (tests). Nothing outside this package names either database.
"""

from __future__ import annotations

from ..errors import BridgeAlreadyActive
from ..records import BridgeCall, Meeting, PhoneLeg
from .audit import WebhookLog
from .bridges import BridgeCallsTable
from .call_participants import CallParticipantsTable
from .database import Database
from .dial_outs import DialOutsTable
from .keypad import KeypadQueries
from .legs import PhoneLegsTable
from .meetings import MeetingsTable
from .phone_controls import PhoneControlsTable
from .phone_waiting import PhoneWaitingTable
from .pin_guard import PinGuardTable
from .pins import PinsTable
from .rate_limits import RateLimitsTable, Rule
from .replays import SeenTokens
from .saved_numbers import DialLinesTable, SavedNumbersTable
from .schema import migrate
from .seam import SqlDatabase, UniqueViolation
from .slack_budgets import SlackBudgetsTable
from .slack_cards import SlackCardsTable
from .slack_installs import SlackInstallsTable
from .slack_triggers import SlackTriggersTable
from .video_connections import VideoConnectionsTable


class Store:
    """Every table of one database, migrated on open."""

    def __init__(self, path: str | SqlDatabase) -> None:
        """A SQLite file path (migrated here), or a database open_store() already migrated."""
        if isinstance(path, str):
            self.database: SqlDatabase = Database(path)
            migrate(self.database)
        else:
            self.database = path
        self.meetings = MeetingsTable(self.database)
        self.pins = PinsTable(self.database)
        self.bridges = BridgeCallsTable(self.database)
        self.legs = PhoneLegsTable(self.database)
        self.keypad = KeypadQueries(self.database)
        self.phone_controls = PhoneControlsTable(self.database)  # roster, mute, hands, in-call keys
        self.phone_waiting = PhoneWaitingTable(self.database)  # callers nobody hears yet, the name step
        self.pin_guard = PinGuardTable(self.database)  # failure budget, lock-outs, alerts
        self.webhook_log = WebhookLog(self.database)
        self.video_connections = VideoConnectionsTable(self.database)
        self.call_participants = CallParticipantsTable(self.database)
        self.rate_limits = RateLimitsTable(self.database)
        self.dial_outs = DialOutsTable(self.database, self.rate_limits)  # calls the meeting placed
        self.slack_budgets = SlackBudgetsTable(self.database)
        self.slack_cards = SlackCardsTable(self.database)  # the Slack side's card state
        self.slack_triggers = SlackTriggersTable(self.database)
        self.slack_installs = SlackInstallsTable(self.database)  # OAuth installations, bots, states
        self.seen_tokens = SeenTokens(self.database)  # jti of accepted signed webhooks
        self.saved_numbers = SavedNumbersTable(self.database)  # members' own numbers (personal data)
        self.dial_lines = DialLinesTable(self.database)  # the card's line per ringing/joined dial-out

    def transaction(self):
        """Several table writes committed together (nested use joins the outer one)."""
        return self.database.transaction()

    def ping(self) -> bool:
        """True when the database answers a query, False on any driver error."""
        return self.database.ping()

    def housekeeping(self) -> None:
        """Every second in the server: write buffered audit rows, checkpoint the WAL."""
        self.webhook_log.flush()
        self.database.checkpoint()

    def close(self) -> None:
        """Write buffered audit rows, then release every connection (shutdown)."""
        self.webhook_log.flush()
        self.database.close()


SQLITE_URL_PREFIX = "sqlite:///"
POSTGRES_URL_PREFIXES = ("postgresql://", "postgres://")


def open_store(database_url: str) -> Store:
    """The store behind DATABASE_URL, migrated: `sqlite:///<file>` or `postgresql://…`."""
    if database_url.startswith(POSTGRES_URL_PREFIXES):
        from .pg_schema import migrate as migrate_postgres  # psycopg is loaded only when used
        from .postgres import PostgresDatabase

        database = PostgresDatabase(database_url)
        try:
            migrate_postgres(database)
        except BaseException:
            database.close()
            raise
        return Store(database)
    if database_url.startswith(SQLITE_URL_PREFIX):
        return Store(database_url.removeprefix(SQLITE_URL_PREFIX))
    raise ValueError("DATABASE_URL must be sqlite:///<file> or postgresql://…")


__all__ = ["Store", "open_store", "UniqueViolation", "Meeting", "BridgeCall", "PhoneLeg", "BridgeAlreadyActive", "Rule"]
