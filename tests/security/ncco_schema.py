"""Vonage's NCCO schema (MIT, Nexmo/api-specification `json-schemas/ncco-schema.json`), from the
copy the repository keeps for its NCCO tests: every NCCO the app answers during this suite
must validate (at least one action; an empty `[]` does not)."""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
COPIES = ("tests/webhooks/ncco-schema.json", "tests/schemas/ncco-schema.json", "tests/specs/ncco-schema.json",
          "tests/fixtures/ncco-schema.json", "tests/webhooks/schemas/ncco-schema.json")
_seen: set[str] = set()
_seen_lock = threading.Lock()


def schema_path() -> Path:
    """The repository's copy (whichever folder the team keeps it in)."""
    for name in COPIES:
        if (ROOT / name).is_file():
            return ROOT / name
    found = sorted(path for path in ROOT.glob("tests/**/ncco*schema*.json"))
    if not found:
        raise FileNotFoundError("no copy of Vonage's ncco-schema.json under tests/")
    return found[0]


@lru_cache(maxsize=1)
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(schema_path().read_text())
    return jsonschema.Draft4Validator(schema)


def check_ncco(actions: Any) -> None:
    """Raise AssertionError naming the problem when `actions` is not a valid NCCO.

    Identical NCCOs (thousands of re-prompts) are validated once."""
    key = json.dumps(actions, sort_keys=True)
    with _seen_lock:
        if key in _seen:
            return
    errors = [error.message for error in validator().iter_errors(actions)]
    assert not errors, f"NCCO {key[:300]} breaks Vonage's schema: {errors[:3]}"
    with _seen_lock:
        _seen.add(key)
