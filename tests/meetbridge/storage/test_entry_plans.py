"""A PIN entry on PostgreSQL costs the same with one live meeting or thousands, also before the
server has gathered statistics on a table (a fresh database, or one autovacuum has not reached):
the admitted meeting's callers are counted for the PIN's meeting only, never once per live meeting."""

from __future__ import annotations

import json

import pytest

from meetbridge.storage.keypad import ENTER, ENTRY_LOCKS
from meetbridge.storage.postgres import _locking
from tests.meetbridge.storage.conftest import NOW, a_meeting
from tests.meetbridge.storage.test_hot_path import LIMITS, store_caller

LIVE_MEETINGS = 60


def sub_plan_loops(plan: dict) -> int:
    """How many times the plan's sub-plans ran, all together."""
    own = plan.get("Actual Loops", 0) if plan.get("Parent Relationship") == "SubPlan" else 0
    return own + sum(sub_plan_loops(child) for child in plan.get("Plans", []))


def explained(store, sql: str, params: dict) -> dict:
    """EXPLAIN ANALYZE of `sql` (run, then undone)."""
    with pytest.raises(RuntimeError):
        with store.database.transaction():
            row = store.database.query_one("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            raise RuntimeError("undo")  # the explained write is not kept
    plan = row["QUERY PLAN"]
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def test_the_callers_of_only_the_pins_meeting_are_counted_before_statistics_exist(store):
    if store.database.dialect != "postgresql":
        pytest.skip("SQLite has no planner statistics to miss")
    for n in range(LIVE_MEETINGS):
        store.meetings.insert(a_meeting(f"m{n}", pin=f"{100000 + n}"))
        store.pins.claim(f"{100000 + n}", f"m{n}", released_before=0)
    for n in range(LIVE_MEETINGS):
        store_caller(store, f"in-{n}")
        assert store.keypad.enter(f"in-{n}", f"{100000 + n}", NOW, LIMITS)  # one caller in each
    store_caller(store, "leg-1")
    params = {"uuid": "leg-1", "pin": "100007", "now": NOW, "max_attempts": 3, "budget": 2,
              "budget_since": NOW - 3600, "max_callers": 10}
    entry = explained(store, ENTER, params)
    whole = explained(store, _locking(ENTRY_LOCKS)[1], params)  # the service-wide lock's condition
    assert (sub_plan_loops(entry), sub_plan_loops(whole)) == (1, 1)  # the PIN's meeting's callers, counted once
