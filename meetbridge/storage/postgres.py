"""PostgreSQL through psycopg 3 and a connection pool, for any number of app hosts.

Single statements run in autocommit on a connection borrowed from the pool for that statement
only. A transaction keeps one pooled connection for its thread until it commits, and every
statement the thread runs meanwhile goes through it. The tables' SQL is written with SQLite's
`?` and `:name` placeholders; each string is translated once to psycopg's `%s` / `%(name)s`
and cached.

PostgreSQL's text cannot hold U+0000 (SQLite's can), and a request carrying one (`/rooms/%00`)
must find nothing or store a visible stand-in rather than fail in the driver: every value bound
here goes through `nul_free`, which replaces it with U+FFFD in the few strings that hold one and
leaves every other value to psycopg's own (C) dumpers (a Python dumper for every string was a
quarter of the PIN entry's quoting, bench/storage_values.py). A one-message transaction's text
is composed once per shape and types of values (`message_shape`, `message`), not on every call.

Isolation is PostgreSQL's default, READ COMMITTED: every conditional UPDATE and upsert the
tables rely on re-checks its WHERE on the row it locked, so it is atomic across hosts;
read-then-write sequences take a named lock (`hold`, an advisory lock held until commit), and
the hottest of them, one statement under a lock every host shares, runs in one round trip
(`execute_serialised`).
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from .seam import KeyedLock, UniqueViolation

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


@dataclass(frozen=True)
class Prepared:
    """A statement as a server-side prepared statement: `PREPARE` once per connection, then
    `EXECUTE` with its values bound client side, so it can ride in a multi-statement message and
    still skip parsing and planning (a plain statement in such a message is planned every time)."""

    name: str
    prepare: bytes  # PREPARE <name> (<types>) AS <the statement with $1, $2, …>
    execute: str  # EXECUTE <name>(%s, …): psycopg's client-side placeholders


@lru_cache(maxsize=256)
def numbered(sql: str) -> tuple[str, tuple[int | str, ...]]:
    """`sql` with `?` / `:name` as $1, $2, … (a name used twice is one parameter), and which
    parameter (position or name) each $n is."""
    keys: list[int | str] = []
    positions = itertools.count()

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "?":
            keys.append(next(positions))
            return f"${len(keys)}"
        if match.group(1):
            if match.group(1) not in keys:
                keys.append(match.group(1))
            return f"${keys.index(match.group(1)) + 1}"
        return token
    return _TOKEN.sub(replace, sql), tuple(keys)


# A parameter's declared type, from its Python value: an `INSERT … SELECT $1` gives PostgreSQL no
# context to infer one. Integers and NULLs are left to the context (`unknown`), which is right for
# both integer and float columns.
_PG_TYPES = {float: "double precision", str: "text", bool: "boolean"}


@lru_cache(maxsize=512)
def prepared(sql: str, types: tuple[str, ...]) -> Prepared:
    """The prepared form of `sql` for parameters of these declared types."""
    body, keys = numbered(sql)
    name = "mb_" + hashlib.sha1(f"{sql}\0{types}".encode()).hexdigest()[:16]
    declared = f" ({', '.join(types)})" if keys else ""
    arguments = f"({', '.join('%s' for _ in keys)})" if keys else ""
    return Prepared(name, f"PREPARE {name}{declared} AS {body}".encode(), f"EXECUTE {name}{arguments}")


def nul_free(value: Any) -> Any:
    """A string with every U+0000 replaced by U+FFFD; any other value as it is."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


def holds_nul(values: Iterable[Any]) -> bool:
    """True when a string among `values` holds a U+0000."""
    for value in values:
        if isinstance(value, str) and "\x00" in value:
            return True
    return False


def nul_free_params(params: Any) -> Any:
    """A statement's parameters (a sequence, or a mapping by name) with nul_free applied, or the
    same object when no string among them holds a NUL (almost always)."""
    if not params:
        return params
    if isinstance(params, Mapping):
        return {name: nul_free(value) for name, value in params.items()} if holds_nul(params.values()) else params
    return [nul_free(value) for value in params] if holds_nul(params) else params


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: message_shape returns one per shape
class MessageShape:
    """The statements of a one-message transaction (see PostgresDatabase._message) in order, each
    a fixed text or (`prepared`) a statement to run as a prepared one, and every parameter's key
    in the message's order."""

    steps: tuple[tuple[str, bool], ...]  # (text, prepared)
    keys: tuple[int | str, ...]
    write_at: int  # how many statements come before the write
    transaction: bool


@dataclass(frozen=True)
class Message:
    """A one-message transaction for values of known types: its text (EXECUTEs with psycopg's
    client-side placeholders) and the prepared statements it runs."""

    text: bytes  # encoded once: psycopg would encode a str on every call
    wanted: tuple[Prepared, ...]


@lru_cache(maxsize=256)
def message_shape(sql: str, reads: tuple[str, ...], first: str | None, lock: str | KeyedLock | None,
                  durable: bool) -> MessageShape:
    """BEGIN, SET LOCAL, `first`, the lock, the write, COMMIT and the reads, as each call needs."""
    steps: list[tuple[str, bool]] = []
    transaction = lock is not None or not durable or first is not None
    if transaction:
        steps.append(("BEGIN", False))
        if not durable:
            steps.append(("SET LOCAL synchronous_commit = off", False))
        if first is not None:  # before the lock: not held while a replay is found
            steps.append((first, True))
        if isinstance(lock, KeyedLock):
            steps += [(each, True) for each in _locking(lock)]
        elif lock is not None:
            steps.append((f"SELECT pg_advisory_xact_lock(hashtext({_quoted(lock)}))", False))
    write_at = len(steps)
    steps.append((sql, True))
    if transaction:
        steps.append(("COMMIT", False))
    steps += [(read, True) for read in reads]
    keys = tuple(key for text, is_prepared in steps if is_prepared for key in numbered(text)[1])
    return MessageShape(tuple(steps), keys, write_at, transaction)


@lru_cache(maxsize=512)
def message(shape: MessageShape, types: tuple[type, ...]) -> Message:
    """The message of `shape` for values of these Python types (in the keys' order)."""
    statements: list[str] = []
    wanted: list[Prepared] = []
    at = 0
    for text, is_prepared in shape.steps:
        if not is_prepared:
            statements.append(text)
            continue
        count = len(numbered(text)[1])
        each = prepared(text, tuple(_PG_TYPES.get(kind, "unknown") for kind in types[at:at + count]))
        at += count
        wanted.append(each)
        statements.append(each.execute)
    return Message("; ".join(statements).encode(), tuple(wanted))


def _quoted(text: str) -> str:
    """A string literal for a message with client-side placeholders."""
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


@lru_cache(maxsize=64)
def _locking(lock: KeyedLock) -> tuple[str, str]:
    """A KeyedLock's two statements: the key's advisory lock, then (unless `whole_unless`) the
    service's. A SELECT with a WHERE and no FROM is a one-time filter: the lock function runs only
    when the condition lets its row through. Lock names come from our code, never from requests."""
    prefix = "'" + (lock.name + ":").replace("'", "''") + "'"
    whole = "'" + lock.name.replace("'", "''") + "'"
    return (f"SELECT pg_advisory_xact_lock(hashtext({prefix} || keyed.key)) FROM ({lock.key}) AS keyed(key)",
            f"SELECT pg_advisory_xact_lock(hashtext({whole})) WHERE NOT ({lock.whole_unless})")


class PostgresDatabase:
    """A pool of psycopg connections to one PostgreSQL database."""

    dialect = "postgresql"

    def __init__(self, url: str, pool_size: int = POOL_SIZE) -> None:
        self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            url, min_size=1, max_size=pool_size, timeout=WAIT_FOR_CONNECTION_SECONDS, open=False,
            kwargs={"autocommit": True, "row_factory": dict_row, "connect_timeout": CONNECT_TIMEOUT_SECONDS},
            name="meetbridge")
        self._pool.open(wait=False)
        self._local = threading.local()
        self._prepared_on: weakref.WeakKeyDictionary[psycopg.Connection[Any], set[str]] = weakref.WeakKeyDictionary()
        self._prepared_lock = threading.Lock()

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
                cursor = conn.execute(translate(sql), nul_free_params(params))
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

    def execute(self, sql: str, params: Any = (), durable: bool = True) -> int:
        """Run one write statement; returns the number of rows it changed. `durable=False`: the
        commit does not wait for its WAL flush (a server crash may forget the last ~0.6 s of such
        writes, never tear one); inside a transaction the transaction's commit decides."""
        if durable or self._in_transaction():
            return self._rows(sql, params, "count")
        return self._message(sql, params, lock=None, durable=False)[0]

    def execute_then_read(self, sql: str, read_sql: str, params: Any = (), *,
                          serialised: str | KeyedLock | None = None,
                          durable: bool = True, first: str | None = None) -> tuple[int, dict[str, Any] | None]:
        """A write (under `serialised`'s lock, when named; see execute_serialised) and then a read
        of what it left, both in one round trip; the rows the write changed and the read's first
        row. Every statement takes its parameters from `params` (by name). `first`: an INSERT in
        the write's transaction, before it (and before the lock); a unique violation undoes the
        transaction and raises UniqueViolation."""
        changed, (rows,) = self.execute_then_reads(sql, [read_sql], params, serialised=serialised,
                                                   durable=durable, first=first)
        return changed, rows[0] if rows else None

    def execute_then_reads(self, sql: str, reads: Sequence[str], params: Any = (), *,
                           serialised: str | KeyedLock | None = None, durable: bool = True,
                           first: str | None = None) -> tuple[int, list[list[dict[str, Any]]]]:
        """execute_then_read with several reads after the write, all in the one round trip: the
        rows the write changed and every row of each read."""
        if self._in_transaction():
            if first is not None:
                self.execute(first, params)
            changed = self.execute_serialised(serialised, sql, params) if serialised else self.execute(sql, params)
            return changed, [self.query(read, params) for read in reads]
        return self._message(sql, params, lock=serialised, durable=durable and serialised is None, reads=reads,
                             first=first)

    def _in_transaction(self) -> bool:
        return getattr(self._local, "connection", None) is not None

    def _message(self, sql: str, params: Any, *, lock: str | KeyedLock | None, durable: bool,
                 reads: Sequence[str] = (), first: str | None = None) -> tuple[int, list[list[dict[str, Any]]]]:
        """One write (in a transaction holding `lock`, when named; committed without waiting for
        its WAL flush unless `durable`; after the INSERT `first`, when given) and the `reads`
        after its commit (each one's rows), sent as one message of prepared statements: the server has the whole
        transaction before it takes the lock, so no round trip to Python happens while the lock
        is held, and nothing is planned."""
        shape = message_shape(sql, tuple(reads), first, lock, durable)
        values = [params[key] for key in shape.keys]
        if holds_nul(values):
            values = [nul_free(value) for value in values]
        composed = message(shape, tuple(map(type, values)))
        with self._pool.connection() as conn:
            self._prepare(conn, composed.wanted)
            cursor = psycopg.ClientCursor(conn)
            try:
                cursor.execute(composed.text, values)
            except psycopg.errors.UniqueViolation as error:
                conn.rollback()  # the message's transaction is aborted: end it before the pool takes it back
                raise UniqueViolation(str(error)) from error
            for _ in range(shape.write_at):  # BEGIN, SET LOCAL, `first`, the locks' SELECTs
                cursor.nextset()
            changed = cursor.rowcount
            if shape.transaction:
                cursor.nextset()  # COMMIT
            rows: list[list[dict[str, Any]]] = []
            for _ in reads:
                cursor.nextset()
                rows.append(cursor.fetchall())
            return changed, rows

    def _prepare(self, conn: psycopg.Connection[Any], statements: Sequence[Prepared]) -> None:
        """PREPARE on this connection the statements it has not prepared yet (once per connection)."""
        with self._prepared_lock:
            done = self._prepared_on.setdefault(conn, set())
            missing = [each for each in statements if each.name not in done]
        for each in missing:
            conn.execute(each.prepare)  # bytes: sent as written, no client-side placeholders
            with self._prepared_lock:
                done.add(each.name)

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

    def insert_many(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Plain INSERT of `rows`, in order, as one COPY: a short statement whatever the count, no
        statement to parse or plan, and the values formatted by psycopg's C code (256 rows as
        multi-row INSERTs were over psycopg's query cache, parsed in Python every time)."""
        if not rows:
            return
        with self._connection() as conn:
            try:
                with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN".encode()) as copy:
                    for row in rows:
                        copy.write_row([nul_free(value) for value in row] if holds_nul(row) else row)
            except psycopg.errors.UniqueViolation as error:
                raise UniqueViolation(str(error)) from error

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

    def _hold_keyed(self, lock: KeyedLock, params: Any) -> None:
        """Inside a transaction: the key's lock, then the whole service's when needed."""
        for each in _locking(lock):
            self.query(each, params)

    def execute_serialised(self, name: str | KeyedLock, sql: str, params: Any = ()) -> int:
        """The statement in a transaction holding `name`'s advisory lock, so under READ COMMITTED it
        sees what every earlier holder committed (a lone statement's snapshot would predate the lock).

        Every host's holders queue for the lock, so it is held as briefly as the server allows: the
        transaction is sent in one message of prepared statements (one round trip; no Python runs
        and nothing is planned while the lock is held) and commits without waiting for its WAL
        flush (`synchronous_commit` off for it alone: the lock is released at commit, which would
        otherwise include an fsync per holder). A database
        crash can forget the last ~0.6 s of these statements (3 × wal_writer_delay), never tear one;
        they are PIN attempts, admissions and idle clocks, as short-lived as the calls they count."""
        if self._in_transaction():  # inside a caller's transaction
            if isinstance(name, KeyedLock):
                self._hold_keyed(name, params)
            else:
                self.hold(name)
            return self.execute(sql, params)
        return self._message(sql, params, lock=name, durable=False)[0]

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
