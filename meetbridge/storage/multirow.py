"""Many rows of one table as a few multi-row INSERT statements (the SQLite back-end's `insert_many`).

`executemany` inside a SQLite transaction gave up and re-took the GIL for every row while holding
the write lock, and every webhook of both workers waited behind it (15-80 ms measured in bench/).
Statements take a power of two of rows (BATCH_ROWS, then the rest by its binary digits: 300 rows
are 256 + 32 + 8 + 4), so only nine statement texts per table ever exist. One text per row count
filled each connection's statement cache (128 prepared statements, ~150 KB each for 256 rows) a
little more every second.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

BATCH_ROWS = 256  # 1,280 parameters per statement for 5 columns: under SQLite's limit (32,766)


@lru_cache(maxsize=64)
def insert_rows(table: str, columns: tuple[str, ...], count: int) -> str:
    """One INSERT of `count` rows into these columns (names from our code, never from requests)."""
    row = "(" + ", ".join("?" for _ in columns) + ")"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([row] * count)


def batch_sizes(count: int) -> list[int]:
    """How `count` rows are split into statements: BATCH_ROWS at a time, the rest by powers of two."""
    sizes = [BATCH_ROWS] * (count // BATCH_ROWS)
    rest = count % BATCH_ROWS
    return sizes + [1 << bit for bit in reversed(range(rest.bit_length())) if rest >> bit & 1]


def statements(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Iterator[tuple[str, list[Any]]]:
    """Each statement of `rows`, in order, with its values (row after row)."""
    names, start = tuple(columns), 0
    for size in batch_sizes(len(rows)):
        yield insert_rows(table, names, size), [value for row in rows[start:start + size] for value in row]
        start += size
