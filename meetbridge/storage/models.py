"""Turning database rows into the domain's records."""

from __future__ import annotations

from dataclasses import fields
from functools import cache
from typing import Any, TypeVar

R = TypeVar("R")


@cache
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))


def from_row(cls: type[R], row: dict[str, Any]) -> R:
    """Build a record from a row, ignoring columns the record does not carry."""
    names = _field_names(cls)
    return cls(**{k: v for k, v in row.items() if k in names})

