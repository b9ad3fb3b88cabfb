"""Which database calls a request makes: on a server database each one is a round trip."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

METHODS = ("query", "query_one", "execute", "execute_then_read", "execute_then_reads", "execute_serialised",
           "write_returning", "write_returning_all", "insert")


@contextmanager
def statements_of_this_thread(database: Any) -> Iterator[list[str]]:
    """The database calls this thread makes meanwhile, by method name (a call made inside another,
    as SQLite's execute_then_read makes, is part of it); background threads are not counted."""
    sent: list[str] = []
    me, inside = threading.get_ident(), threading.local()
    originals = {name: getattr(database, name) for name in METHODS}

    def counting(name: str, original: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            if threading.get_ident() != me or getattr(inside, "yes", False):
                return original(*args, **kwargs)
            sent.append(name)
            inside.yes = True
            try:
                return original(*args, **kwargs)
            finally:
                inside.yes = False
        return call
    for name, original in originals.items():
        setattr(database, name, counting(name, original))
    try:
        yield sent
    finally:
        for name in originals:
            delattr(database, name)  # the instance attribute goes; the class's method is back
