"""Vonage's NCCO schema (MIT, Nexmo/api-specification `json-schemas/ncco-schema.json`), from the
copy the repository keeps in tests/specs/vonage/ (with its licence): every NCCO the app answers
during this suite must validate (at least one action; an empty `[]` does not)."""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "specs" / "vonage" / "ncco-schema.json"
_seen: set[str] = set()
_seen_lock = threading.Lock()
checked = {"answers": 0}  # every NCCO this suite received, for the terminal summary


@lru_cache(maxsize=1)
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def check_ncco(actions: Any) -> None:
    """Raise AssertionError naming the problem when `actions` is not a valid NCCO.

    Identical NCCOs (thousands of re-prompts) are validated once."""
    key = json.dumps(actions, sort_keys=True)
    with _seen_lock:
        checked["answers"] += 1
        if key in _seen:
            return
    errors = [error.message for error in validator().iter_errors(actions)]
    assert not errors, f"NCCO {key[:300]} breaks Vonage's schema: {errors[:3]}"
    with _seen_lock:
        _seen.add(key)


def summary() -> str:
    with _seen_lock:
        return f"{checked['answers']} NCCOs answered in this run ({len(_seen)} distinct), all valid"
