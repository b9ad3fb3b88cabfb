"""One SQLite file shared by threads and worker processes.

Each thread gets its own connection (sqlite3 connections must not be shared across
threads mid-transaction) in WAL mode; multi-step writes take the write lock up front
(BEGIN IMMEDIATE) so two processes never deadlock upgrading a read lock.

Single-statement writes (the webhooks' hot path) run in autocommit: SQLite takes and drops
the write lock inside one C call, so it is never held while the writing thread waits to get
the GIL back. Holding a Python lock around them did exactly that and capped each worker at
~400 writes/s under load. Connections do not wait inside SQLite either (its busy handler
sleeps 1, 2, 5, 10... ms between tries): a statement that finds the file busy waits to be
told that a write of this process finished, or a few hundred microseconds when the holder is
another process, and tries again (bench/README.md).

A thread's connection lives exactly as long as the thread: it sits in a thread-local holder
whose finalizer closes it, and the registry that close() walks holds only weak references.
Werkzeug's development server runs each TCP connection on its own thread; keeping those
connections after their threads ended leaked two file descriptors per client connection
until the process ran out of them.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlite_utils

from . import multirow
from .seam import KeyedLock, UniqueViolation

BUSY_TIMEOUT_SECONDS = 30.0
FIRST_RETRY_SECONDS = 0.0002
LONGEST_RETRY_SECONDS = 0.002
SAFETY_CHECKPOINT_PAGES = 20_000
T = TypeVar("T")


class _ThreadConnection:
    """One thread's connection; closed when its thread ends and the thread-local drops it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.db = sqlite_utils.Database(conn)

    def close(self) -> None:
        self.db.conn.close()

    def __del__(self) -> None:
        self.close()


class SQLiteUniqueViolation(UniqueViolation, sqlite3.IntegrityError):
    """A unique or primary-key constraint refused a write (still a sqlite3.IntegrityError)."""


class Database:
    """Thread-local sqlite-utils databases over one file."""

    dialect = "sqlite"

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._open: weakref.WeakSet[_ThreadConnection] = weakref.WeakSet()
        self._lock = threading.Lock()
        # Multi-statement transactions of this process queue here rather than in SQLite's
        # sleeping busy handler. A flock() queue across processes measured slower.
        self._writer = threading.RLock()
        self._write_done = threading.Condition()  # wakes statements that found the file busy

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's sqlite-utils Database, opened on first use."""
        holder = getattr(self._local, "connection", None)
        if holder is None:
            holder = _ThreadConnection(self._connect())
            with self._lock:
                self._open.add(holder)
            self._local.connection = holder
        return holder.db

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=0, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        _use_wal(conn)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        # 8 MB page cache per connection (SQLite's default is 2 MB): the hot indexes stay in
        # memory as history grows, while one connection per thread keeps the total bounded.
        conn.execute("PRAGMA cache_size=-8192")
        # Checkpoints fsync; run inside a commit they stall every waiting writer (100 ms
        # tails measured in bench/). The server checkpoints in the background instead
        # (checkpoint()); this high mark is only a safety net for processes that don't.
        conn.execute(f"PRAGMA wal_autocheckpoint={SAFETY_CHECKPOINT_PAGES}")
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """A write transaction holding the database write lock from its first statement.

        Nested use joins the outer transaction.
        """
        db = self.db
        if db.conn.in_transaction:
            yield db
            return
        with self._writer:
            self._until_not_busy(lambda: db.conn.execute("BEGIN IMMEDIATE"))
            try:
                try:
                    yield db
                except BaseException:
                    db.conn.execute("ROLLBACK")
                    raise
                db.conn.execute("COMMIT")
            finally:
                self._tell_waiting_writers()

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Every row of a read, as dicts."""
        conn = self.db.conn
        return self._until_not_busy(lambda: [dict(row) for row in conn.execute(sql, params).fetchall()])

    def query_one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        """The first row of a read, or None."""
        conn = self.db.conn
        row = self._until_not_busy(lambda: conn.execute(sql, params).fetchone())
        return dict(row) if row else None

    def ping(self) -> bool:
        """True when a trivial query answers; a driver error means the database is unavailable."""
        try:
            return self.query_one("SELECT 1 AS ok") == {"ok": 1}
        except sqlite3.Error:
            return False

    def execute(self, sql: str, params: Any = (), durable: bool = True) -> int:
        """Run one write statement; returns the number of rows it changed. `durable` changes
        nothing here: every commit already returns before its fsync (synchronous=NORMAL)."""
        conn = self.db.conn
        if conn.in_transaction:
            try:
                return conn.execute(sql, params).rowcount
            except sqlite3.IntegrityError as error:
                raise _storage_error(error) from error
        changed = self._until_not_busy(lambda: conn.execute(sql, params).rowcount)
        self._tell_waiting_writers()
        return changed

    def _until_not_busy(self, attempt: Callable[[], T]) -> T:
        """Run `attempt`; while the file is busy, wait to hear that a write of this process
        finished (or briefly, when another process holds the lock) and try again."""
        retry, deadline = FIRST_RETRY_SECONDS, time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                return attempt()
            except sqlite3.OperationalError as error:
                if not _is_busy(error) or time.monotonic() > deadline:
                    raise
            except sqlite3.IntegrityError as error:
                raise _storage_error(error) from error
            with self._write_done:
                self._write_done.wait(retry)
            retry = min(retry * 2, LONGEST_RETRY_SECONDS)

    def _tell_waiting_writers(self) -> None:
        with self._write_done:
            self._write_done.notify()

    def write_returning(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        """One write statement with RETURNING. It commits only once fully stepped, with the GIL
        given up in between, so it queues on the writer lock like a transaction (cold path)."""
        conn = self.db.conn
        with self._writer:  # fetchall steps the statement to its end, so it commits here
            rows = self._until_not_busy(lambda: conn.execute(sql, params).fetchall())
            self._tell_waiting_writers()
        return dict(rows[0]) if rows else None

    def write_returning_all(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """write_returning for a statement that claims several rows (the sweeper's batches):
        each returned row was changed by this statement, so by this caller only."""
        conn = self.db.conn
        with self._writer:
            rows = self._until_not_busy(lambda: conn.execute(sql, params).fetchall())
            self._tell_waiting_writers()
        return [dict(row) for row in rows]

    def insert(self, table: str, row: dict[str, Any]) -> None:
        """Plain INSERT of one row; table and column names come from our code, never from requests."""
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values()))

    def insert_many(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Plain INSERT of `rows`, in order, as multi-row statements of a power of two of rows
        (multirow: one C call per statement, a few statement texts per table)."""
        for sql, values in multirow.statements(table, columns, rows):
            self.execute(sql, values)

    def table_names(self) -> list[str]:
        """The app's tables, sorted (SQLite's own and sqlite-utils' migration record left out)."""
        return sorted(row["name"] for row in self.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != '_sqlite_migrations'"))

    def hold(self, name: str) -> None:
        """Nothing to do: BEGIN IMMEDIATE already serialises every write transaction."""
        assert self.db.conn.in_transaction, "hold() only means something inside a transaction"

    def execute_serialised(self, name: str | KeyedLock, sql: str, params: Any = ()) -> int:
        """A plain `execute`: SQLite runs write statements one at a time, each seeing the last."""
        return self.execute(sql, params)

    def execute_then_read(self, sql: str, read_sql: str, params: Any = (), *,
                          serialised: str | KeyedLock | None = None,
                          durable: bool = True, first: str | None = None) -> tuple[int, dict[str, Any] | None]:
        """`first` (when given: a unique violation raises before the write), `execute`, then
        `query_one`: calls into SQLite, no round trip to save."""
        if first is not None:
            self.execute(first, params)
        return self.execute(sql, params), self.query_one(read_sql, params)

    def execute_then_reads(self, sql: str, reads: Sequence[str], params: Any = (), *,
                           serialised: str | KeyedLock | None = None, durable: bool = True,
                           first: str | None = None) -> tuple[int, list[list[dict[str, Any]]]]:
        """`first`, `execute`, then each read's `query`: calls into SQLite, no round trip to save."""
        if first is not None:
            self.execute(first, params)
        return self.execute(sql, params), [self.query(read, params) for read in reads]

    def skip_locked(self, table: str) -> str:
        """Empty: SQLite runs one write statement at a time, so claims never overlap."""
        return ""

    def checkpoint(self) -> None:
        """Copy the WAL back into the database without blocking writers (PASSIVE)."""
        self.db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def open_connections(self) -> int:
        """Connections of threads still alive (tests, diagnostics)."""
        with self._lock:
            return len(self._open)

    def close(self) -> None:
        """Close every thread's connection (shutdown); a thread that asks again reopens."""
        with self._lock:
            holders = list(self._open)
            self._open.clear()
        for holder in holders:
            holder.close()
        self._local = threading.local()


def _storage_error(error: sqlite3.IntegrityError) -> sqlite3.IntegrityError:
    """A unique/primary-key refusal as the storage-level UniqueViolation; others unchanged."""
    if error.sqlite_errorcode in (sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY):
        unique = SQLiteUniqueViolation(*error.args)
        unique.sqlite_errorcode, unique.sqlite_errorname = error.sqlite_errorcode, error.sqlite_errorname
        return unique
    return error


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL, retrying: when several processes open a new file at once, SQLite
    answers "database is locked" at once (no busy wait) to the ones that would deadlock."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
