"""Per-call client cost of the PostgreSQL back-end's value handling, on a real server: the audit
log's flush of 256 rows, and one `/voice-dtmf` PIN entry (jti, locks, entry, read-back and the
waiting rules' read in one message). Deterministic enough to compare two commits on a shared
machine, unlike req/s.

    .venv/bin/python -m bench.storage_values [--flushes N] [--entries N]

Reports, per call, the calling thread's CPU time (what a gunicorn worker's other threads wait
for while it holds the GIL) and the wall time (with the server's share), medians and means; and
for the PIN entry's message, psycopg's client-side quoting alone (`ClientCursor.mogrify`).
Runs on the tests' throwaway cluster (tests/postgres.py), on a fresh database.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import psycopg

from meetbridge.records import Meeting, WebhookToken
from meetbridge.storage import Store, open_store
from meetbridge.storage.keypad import EntryLimits
from tests.postgres import TEMPLATE, start_cluster, stop_cluster

NOW = 1_900_000_000.0
FLUSH_ROWS = 256  # what a busy second's webhooks leave (and the old statements' largest)
WARM_UP = 20  # calls before measuring: psycopg prepares a statement after its 5th execution
LIMITS = EntryLimits(attempts=3, budget=10**9, budget_window_seconds=3600, callers=50)


def summary(cpu: list[float], wall: list[float], count: int) -> dict[str, float]:
    """Medians (and the CPU mean) in µs."""
    return {"cpu_median_us": round(statistics.median(cpu) * 1e6, 1),
            "cpu_mean_us": round(statistics.mean(cpu) * 1e6, 1),
            "wall_median_us": round(statistics.median(wall) * 1e6, 1), "calls": count}


def timed(call: Callable[[int], Any], count: int) -> dict[str, float]:
    """Median and mean thread-CPU and wall µs of `call(i)` for i in range(count), after WARM_UP calls."""
    for index in range(WARM_UP):
        call(index)
    cpu, wall = [], []
    for index in range(WARM_UP, WARM_UP + count):
        started_cpu, started = time.thread_time(), time.perf_counter()
        call(index)
        cpu.append(time.thread_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return summary(cpu, wall, count)


def flush_cost(store: Store, count: int) -> dict[str, float]:
    """One flush of FLUSH_ROWS buffered audit rows (what a busy second's webhooks leave)."""
    log = store.webhook_log

    def flush(index: int) -> None:
        for n in range(FLUSH_ROWS):
            log.record(NOW + n, "/voice-dtmf", f"uuid-{index}-{n}", "joined", "" if n % 4 else "pin accepted")
        started_cpu, started = time.thread_time(), time.perf_counter()
        log.flush()
        spent["cpu"].append(time.thread_time() - started_cpu)
        spent["wall"].append(time.perf_counter() - started)

    spent: dict[str, list[float]] = {"cpu": [], "wall": []}
    for index in range(WARM_UP + count):
        flush(index)
    cpu, wall = spent["cpu"][WARM_UP:], spent["wall"][WARM_UP:]
    return {**summary(cpu, wall, count), "per_row_cpu_us": round(statistics.median(cpu) * 1e6 / FLUSH_ROWS, 2)}


def entry_cost(store: Store, count: int) -> tuple[dict[str, float], tuple[str, list[Any]]]:
    """One right-PIN entry of a caller /voice-answer saw, each on its own meeting; and the last
    entry's message (query, values) as the client cursor received it."""
    total = WARM_UP + count
    for index in range(total):
        store.meetings.insert(Meeting(id=f"m{index}", team_id="T1", channel_id="C1", creator_id="U1", topic="Plans",
                                      session_id=f"1_m{index}", pin=f"{100000 + index}", created_at=NOW,
                                      expires_at=NOW + 3600, conversation_name=f"conv-m{index}"))
        store.pins.claim(f"{100000 + index}", f"m{index}", released_before=0)
        store.legs.ensure(f"leg-{index}", "447700900123", NOW)
    store.database.execute("ANALYZE")  # as autovacuum would have: the generic plans then use the right indexes
    messages: list[tuple[str, list[Any]]] = []
    real = psycopg.ClientCursor

    class Recording(real):  # type: ignore[misc, valid-type]
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            messages.append((query, list(params or ())))
            return super().execute(query, params, **kwargs)

    def enter(index: int) -> None:
        facts = store.keypad.enter_and_look_up(f"leg-{index}", f"{100000 + index}", NOW, LIMITS,
                                               WebhookToken(jti=f"jti-{index}", seen_at=NOW))
        assert facts is not None and facts.admitted, facts

    psycopg.ClientCursor = Recording  # type: ignore[misc]
    try:
        result = timed(enter, count)
    finally:
        psycopg.ClientCursor = real  # type: ignore[misc]
    return result, messages[-1]


def quoting_cost(store: Store, message: tuple[str, list[Any]], count: int) -> dict[str, float]:
    """psycopg's client-side binding of the message's values alone, on a pooled connection."""
    query, values = message
    with store.database._pool.connection() as conn:  # type: ignore[attr-defined]
        cursor = psycopg.ClientCursor(conn)
        return timed(lambda _: cursor.mogrify(query, values), count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flushes", type=int, default=200)
    parser.add_argument("--entries", type=int, default=400)
    args = parser.parse_args()
    cluster = start_cluster()
    try:
        cluster.admin(f"CREATE DATABASE {TEMPLATE}")
        open_store(cluster.url(TEMPLATE)).close()
        store = open_store(cluster.create_database())
        try:
            report = {"flush_256_rows": flush_cost(store, args.flushes)}
            report["dtmf_entry"], message = entry_cost(store, args.entries)
            report["dtmf_message_quoting"] = quoting_cost(store, message, 2000)
            report["dtmf_message_values"] = len(message[1])
        finally:
            store.close()
    finally:
        stop_cluster(cluster)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
