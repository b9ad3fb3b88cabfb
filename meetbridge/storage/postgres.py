"""PostgreSQL through psycopg 3 and a connection pool, for any number of app hosts.

Single statements run in autocommit on a connection borrowed from the pool for that statement
only. A transaction keeps one pooled connection for its thread until it commits, and every
statement the thread runs meanwhile goes through it. The tables' SQL is written with SQLite's
`?` and `:name` placeholders; each string is translated once to psycopg's `%s` / `%(name)s`
and cached.

Isolation is PostgreSQL's default, READ COMMITTED: every conditional UPDATE and upsert the
tables rely on re-checks its WHERE on the row it locked, so it is atomic across hosts;
read-then-write sequences take a named lock (`hold`, an advisory lock held until commit), and
the hottest of them, one statement under a lock every host shares, runs in one round trip
(`execute_serialised`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.abc import Buffer
from psycopg.rows import dict_row
from psycopg.types.string import StrDumperUnknown
from psycopg_pool import ConnectionPool

from .seam import UniqueViolation

POOL_SIZE = 16  # connections per process at most; each worker thread borrows one per statement
CONNECT_TIMEOUT_SECONDS = 10
WAIT_FOR_CONNECTION_SECONDS = 30.0
PING_WAIT_SECONDS = 2.0
# Quoted text and comments keep their `?` and `:`; `::` casts are not named parameters.
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|::|%|\?|:([A-Za-z_][A-Za-z0-9_]*)")


@lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """`?` → `%s`, `:name` → `%(name)s` outside quoted text and comments; every literal `%`,
    quoted or not, → `%%` (psycopg reads `%` everywhere)."""
    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "?":
            return "%s"
        if match.group(1):
            return f"%({match.group(1)})s"
        return token.replace("%", "%%")
    return _TOKEN.sub(replace, sql)


@lru_cache(maxsize=256)
def _serialised(statement: str, lock: str) -> str:
    """`statement` (translated) as a transaction under `lock`'s advisory lock, committed without
    waiting for its WAL flush."""
    quoted = lock.replace("'", "''").replace("%", "%%")
    return (f"BEGIN; SET LOCAL synchronous_commit = off; SELECT pg_advisory_xact_lock(hashtext('{quoted}')); "
            f"{statement}; COMMIT")


class NulFreeText(StrDumperUnknown):
    """Strings as PostgreSQL text, U+0000 replaced by U+FFFD: PostgreSQL's text cannot hold NUL
    (SQLite's can), and a request carrying one (`/rooms/%00`) must find nothing or store a
    visible stand-in rather than fail in the driver."""

    def dump(self, obj: str) -> Buffer | None:
        """The text with every NUL replaced; other strings pass unchanged."""
        return super().dump(obj.replace("\x00", "\ufffd") if "\x00" in obj else obj)


def _configure(conn: psycopg.Connection[Any]) -> None:
    """Every pooled connection dumps strings through NulFreeText."""
    conn.adapters.register_dumper(str, NulFreeText)


class PostgresDatabase:
    """A pool of psycopg connections to one PostgreSQL database."""

    dialect = "postgresql"

    def __init__(self, url: str, pool_size: int = POOL_SIZE) -> None:
        self._pool = ConnectionPool(
            url, min_size=1, max_size=pool_size, timeout=WAIT_FOR_CONNECTION_SECONDS, open=False,
            kwargs={"autocommit": True, "row_factory": dict_row, "connect_timeout": CONNECT_TIMEOUT_SECONDS},
            configure=_configure, name="meetbridge")
        self._pool.open(wait=False)
        self._local = threading.local()

    @contextmanager
    def _connection(self, timeout: float | None = None) -> Iterator[psycopg.Connection[Any]]:
        """The thread's transaction connection, else one borrowed for a single statement."""
        held = getattr(self._local, "connection", None)
        if held is not None:
            yield held
            return
        with self._pool.connection(timeout=timeout) as conn:
            yield conn

    def _rows(self, sql: str, params: Any, fetch: str) -> Any:
        with self._connection() as conn:
            try:
                cursor = conn.execute(translate(sql), params)
            except psycopg.errors.UniqueViolation as error:
                raise UniqueViolation(str(error)) from error
            if fetch == "all":
                return cursor.fetchall()
            if fetch == "one":
                return cursor.fetchone()
            return cursor.rowcount

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Every row of a read, as dicts."""
        return self._rows(sql, params, "all")

    def query_one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        """The first row of a read, or None."""
        return self._rows(sql, params, "one")

    def execute(self, sql: str, params: Any = ()) -> int:
        """Run one write statement; returns the number of rows it changed."""
        return self._rows(sql, params, "count")

    def write_returning(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        """One write statement with RETURNING; its first row."""
        rows = self._rows(sql, params, "all")
        return rows[0] if rows else None

    def write_returning_all(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """One write statement with RETURNING; every row it changed (so claimed by this caller)."""
        return self._rows(sql, params, "all")

    def insert(self, table: str, row: dict[str, Any]) -> None:
        """Plain INSERT of one row; table and column names come from our code, never from requests."""
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values()))

    def script(self, sql: str) -> None:
        """Several statements without parameters (schema migrations), as written."""
        with self._connection() as conn:
            conn.execute(sql.encode())  # bytes: no placeholder parsing, several statements allowed

    @contextmanager
    def transaction(self) -> Iterator[PostgresDatabase]:
        """Statements of this thread share one connection and commit together; nested use
        joins the outer transaction."""
        if getattr(self._local, "connection", None) is not None:
            yield self
            return
        with self._pool.connection() as conn:
            with conn.transaction():
                self._local.connection = conn
                try:
                    yield self
                finally:
                    self._local.connection = None

    def table_names(self) -> list[str]:
        """The app's tables in the public schema, sorted (the migrations' record left out)."""
        return sorted(row["tablename"] for row in self.query(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename != 'meetbridge_migrations'"))

    def hold(self, name: str) -> None:
        """Serialise transactions holding `name` (on every host) until this one ends."""
        assert getattr(self._local, "connection", None) is not None, "hold() needs a transaction"
        self.execute("SELECT pg_advisory_xact_lock(hashtext(?))", [name])

    def execute_serialised(self, name: str, sql: str, params: Any = ()) -> int:
        """The statement in a transaction holding `name`'s advisory lock, so under READ COMMITTED it
        sees what every earlier holder committed (a lone statement's snapshot would predate the lock).

        Every host's holders queue for the lock, so it is held as briefly as the server allows: the
        transaction is sent in one pipeline (one round trip; no Python runs while the lock is held)
        and commits without waiting for its WAL flush (`synchronous_commit` off for it alone: the
        lock is released at commit, which would otherwise include an fsync per holder). A database
        crash can forget the last ~0.6 s of these statements (3 × wal_writer_delay), never tear one;
        they are PIN attempts, admissions and idle clocks, as short-lived as the calls they count."""
        if getattr(self._local, "connection", None) is not None:  # inside a caller's transaction
            self.hold(name)
            return self.execute(sql, params)
        # One message, so the server has the whole transaction before it takes the lock (a pipeline
        # sends statement by statement, and a thread of this process may take the GIL in between).
        # Each statement of a multi-statement query takes its own snapshot: the last one reads after
        # the lock. Parameters are bound client side; the result of interest is the fourth.
        with self._pool.connection() as conn:
            cursor = psycopg.ClientCursor(conn)
            try:
                cursor.execute(_serialised(translate(sql), name), params)
            except psycopg.errors.UniqueViolation as error:
                raise UniqueViolation(str(error)) from error
            for _ in range(3):  # BEGIN, SET LOCAL, the lock's SELECT
                cursor.nextset()
            return cursor.rowcount

    def skip_locked(self, table: str) -> str:
        """A claim's sub-select skips rows another host's claim has locked."""
        return f" FOR UPDATE OF {table} SKIP LOCKED"

    def ping(self) -> bool:
        """True when a trivial query answers; a driver or pool error means unavailable."""
        try:
            with self._connection(timeout=PING_WAIT_SECONDS) as conn:
                return conn.execute("SELECT 1 AS ok").fetchone() == {"ok": 1}
        except psycopg.Error:
            return False

    def checkpoint(self) -> None:
        """Nothing to do: the server checkpoints on its own."""

    def close(self) -> None:
        """Close the pool (shutdown)."""
        self._pool.close()
