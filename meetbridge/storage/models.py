"""Turning database rows into the domain's records."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

R = TypeVar("R")
_FIELD_NAMES: dict[type, frozenset[str]] = {}  # record class → its field names, worked out once


def _field_names(cls: type) -> frozenset[str]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(f.name for f in fields(cls))
    return names


def from_row(cls: type[R], row: dict[str, Any]) -> R:
    """Build a record from a row, ignoring columns the record does not carry."""
    names = _field_names(cls)
    return cls(**{k: v for k, v in row.items() if k in names})
