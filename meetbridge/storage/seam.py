"""The operations every table module uses, so one table's SQL runs on SQLite and PostgreSQL.

Two implementations: `database.Database` (one SQLite file, the embedded default) and
`postgres.PostgresDatabase` (a pooled PostgreSQL server, for several app hosts). Table modules
take a `SqlDatabase` and write portable SQL with `?` or `:name` placeholders; the few places
where the dialects differ go through the hooks below.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol


class UniqueViolation(Exception):
    """A write hit a unique or primary-key constraint (the same error on every back-end)."""


@dataclass(frozen=True)
class KeyedLock:
    """A serialised write's locks on a server database when one service-wide lock would make
    every host's writes queue behind each other: first the lock `<name>:<key>` of the key `key`
    selects (at most one row; none: no key lock), then the service-wide lock `name` only when
    `whole_unless` is false. Both are read after the key's lock is held, so `whole_unless` may
    rely on what the key's lock holders write. SQLite runs write statements one at a time and
    takes neither."""

    name: str
    key: str  # a SELECT of one column, one row at most, over the write's named parameters
    whole_unless: str  # SQL condition over the same parameters: the write cannot touch what `name` guards


class SqlDatabase(Protocol):
    """What the table modules need from a database."""

    dialect: str  # "sqlite" or "postgresql"

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Every row of a read."""
        ...

    def query_one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        """The first row of a read, or None."""
        ...

    def execute(self, sql: str, params: Any = (), durable: bool = True) -> int:
        """One write statement; the number of rows it changed. `durable=False` for records a
        database crash may forget (the last fraction of a second of them, never torn): replay
        records, call legs; PostgreSQL then commits without waiting for the WAL flush."""
        ...

    def execute_then_read(self, sql: str, read_sql: str, params: Any = (), *,
                          serialised: str | KeyedLock | None = None,
                          durable: bool = True, first: str | None = None) -> tuple[int, dict[str, Any] | None]:
        """A write (serialised under `serialised` when named, as execute_serialised), then a read
        of what it left: the rows the write changed and the read's first row. One round trip on
        a server database. Every statement takes its parameters from `params` (by name).
        `first`, when given, is an INSERT run before the write; when it violates a unique
        constraint, UniqueViolation is raised and the write is not made."""
        ...

    def execute_then_reads(self, sql: str, reads: Sequence[str], params: Any = (), *,
                           serialised: str | KeyedLock | None = None, durable: bool = True,
                           first: str | None = None) -> tuple[int, list[list[dict[str, Any]]]]:
        """execute_then_read with several reads after the write, still one round trip on a server
        database: the rows the write changed and every row of each read, in order."""
        ...

    def write_returning(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        """One write statement with RETURNING; its first row."""
        ...

    def write_returning_all(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """One write statement with RETURNING; every row it changed."""
        ...

    def insert(self, table: str, row: dict[str, Any]) -> None:
        """Plain INSERT of one row (names from our code, never from requests)."""
        ...

    def insert_many(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Plain INSERT of `rows` (values in `columns`' order) into one table, in order: a row
        given later gets a later identity. Few short statements whatever the count (none for no
        rows); names come from our code, never from requests."""
        ...

    def transaction(self) -> AbstractContextManager[Any]:
        """Several statements committed together; nested use joins the outer one."""
        ...

    def hold(self, name: str) -> None:
        """Inside a transaction: serialise every transaction holding `name` until it ends."""
        ...

    def execute_serialised(self, name: str | KeyedLock, sql: str, params: Any = ()) -> int:
        """One read-then-write statement run alone among those serialised under `name` (a
        KeyedLock: among those of its key, and of the whole service when it needs to), its reads
        seeing every earlier one's write on any host; the number of rows it changed."""
        ...

    def skip_locked(self, table: str) -> str:
        """Suffix for a claim's sub-select: rows another transaction is claiming are skipped."""
        ...

    def table_names(self) -> list[str]:
        """The app's tables, sorted (the back-end's own and the migrations' bookkeeping left out)."""
        ...

    def ping(self) -> bool:
        """True when the database answers; False on any driver or connection error."""
        ...

    def checkpoint(self) -> None:
        """Periodic housekeeping of the back-end (SQLite's WAL checkpoint)."""
        ...

    def close(self) -> None:
        """Release every connection (shutdown)."""
        ...
