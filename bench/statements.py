"""Count what one webhook costs the database: statements, round trips to the server, and the
request thread's CPU time, for `/voice-answer` (a new caller) and `/voice-dtmf` (that caller's
right PIN), on SQLite and PostgreSQL. Deterministic, unlike req/s on a shared machine.

    .venv/bin/python -m bench.statements [--backend sqlite|postgresql|both] [--repeat N] [--sql]

The app runs in this process (Flask's test client, the tests' fakes) with signing on, like the
webhook benchmark; 3 meetings are started and their bridges answered first. Each measured
request is one of `--repeat` in a row, so psycopg's prepared statements (after 5 executions of a
statement per connection) are in their steady state; the report gives the last request's
statements (by thread: the request's own, and what it set off in background threads within
0.3 s) and the median CPU time of the request thread.

Round trips are counted at libpq (psycopg's pure-Python implementation is loaded for this:
each send of a query, a prepare or a prepared execution waits for its answer once).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

os.environ.setdefault("PSYCOPG_IMPL", "python")  # before psycopg loads: libpq calls can be counted

from .meet_client import (
    NUMBER,
    answer_request,
    bridge_answer_request,
    completed_request,
    dtmf_request,
    meet_request,
    pin_from_card,
)

WAIT_FOR_BACKGROUND_SECONDS = 0.3
SERVER_STATISTICS = ("-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on "
                     "-c pg_stat_statements.track_utility=on")
METHODS = ("query", "query_one", "execute", "write_returning", "write_returning_all", "insert", "script",
           "execute_then_read", "execute_then_reads", "execute_serialised", "insert_many")
SENDS = ("send_query", "send_query_params", "send_prepare", "send_query_prepared", "exec_", "exec_params",
         "exec_prepared")


class Tally:
    """Statements and round trips, per thread, while `recording`."""

    def __init__(self) -> None:
        self.recording = False
        self.request_thread: int | None = None
        self.statements: list[tuple[str, str, str]] = []  # (thread, method, sql)
        self.round_trips: Counter[str] = Counter()
        self.lock = threading.Lock()

    def thread(self) -> str:
        return "request" if threading.get_ident() == self.request_thread else "background"

    def statement(self, method: str, sql: str) -> None:
        if self.recording:
            with self.lock:
                self.statements.append((self.thread(), method, " ".join(sql.split())))

    def round_trip(self) -> None:
        if self.recording:
            with self.lock:
                self.round_trips[self.thread()] += 1

    @contextmanager
    def record(self) -> Iterator[None]:
        self.statements, self.round_trips = [], Counter()
        self.request_thread, self.recording = threading.get_ident(), True
        try:
            yield
            time.sleep(WAIT_FOR_BACKGROUND_SECONDS)
        finally:
            self.recording = False


def count_statements(database: Any, tally: Tally) -> None:
    """Wrap the SqlDatabase's methods of this store (the instance only); a call made inside
    another counted call is part of it."""
    nested = threading.local()
    for name in METHODS:
        original = getattr(database, name, None)
        if original is None:
            continue

        def counted(*args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
            if getattr(nested, "inside", False):  # one method built on another (SQLite's execute_then_read)
                return _original(*args, **kwargs)
            sql = args[1] if _name == "execute_serialised" else (args[0] if args else "")
            tally.statement(_name, str(sql))
            nested.inside = True
            try:
                return _original(*args, **kwargs)
            finally:
                nested.inside = False
        setattr(database, name, counted)


def count_round_trips(tally: Tally) -> None:
    """Every libpq send that waits for an answer is one round trip."""
    from psycopg import pq

    if pq.__impl__ != "python":  # PSYCOPG_IMPL=binary was asked for: CPU times as in production
        return
    for name in SENDS:
        original = getattr(pq.PGconn, name)

        def counted(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            tally.round_trip()
            return _original(self, *args, **kwargs)
        setattr(pq.PGconn, name, counted)


def send(client: Any, request: tuple) -> Any:
    method, path, body, headers = request
    response = client.open(path, method=method, data=body, headers=headers)
    assert response.status_code == 200, (path, response.status_code, response.data[:300])
    return response


def measure(backend: str, repeat: int, stack: ExitStack) -> dict[str, Any]:
    """One app on `backend`; the answer and the dtmf of `repeat` new callers, the last counted."""
    from app import create_app
    from meetbridge.settings import load_settings

    from .harness import app_env, fakes, free_port, temp_database

    slack, opentok, vonage, private_pem = stack.enter_context(fakes())
    env = app_env(slack, opentok, vonage, private_pem, free_port(), temp_database())
    if backend == "postgresql":
        from .postgres import durable_cluster, new_database

        cluster = stack.enter_context(durable_cluster(SERVER_STATISTICS))
        env["DATABASE_URL"] = new_database(cluster)
    app = create_app(load_settings(env), run_sweeper=False)
    stack.callback(app.extensions["meetbridge.shutdown"])
    client = app.test_client()
    pins = []
    for user in range(3):
        send(client, meet_request(slack.response_url(f"u{user}"), user))
    for card in slack.wait_for("chat.postMessage", count=3, timeout=30):
        pins.append(pin_from_card(card["blocks"]))
    for pin in pins:  # each meeting's first caller starts its bridge; Vonage answers its SIP leg
        leg = vonage.add_call(to=NUMBER, from_="447700900999")
        send(client, answer_request(leg))
        send(client, dtmf_request(leg, pin))
    for dial in opentok.wait_for("dial", count=len(pins), timeout=30):
        send(client, bridge_answer_request(dial))
    time.sleep(1)

    tally = Tally()
    count_statements(app.extensions["meetbridge"].store.database, tally)
    if backend == "postgresql":
        count_round_trips(tally)
    from psycopg import pq
    report: dict[str, Any] = {}
    if backend == "postgresql":
        _reset_server_statistics(env["DATABASE_URL"])
    for kind in ("answer", "dtmf"):
        cpu: list[float] = []
        for index in range(repeat):
            leg = f"00000000-0000-4000-8000-{kind == 'dtmf':01d}{index:011d}"
            if kind == "dtmf":
                send(client, answer_request(leg, caller=f"4477009{index:05d}"))
            request = (answer_request(leg, caller=f"4477009{index:05d}") if kind == "answer"
                       else dtmf_request(leg, pins[index % len(pins)]))
            last = index == repeat - 1
            with tally.record() if last else _nothing():
                started = time.thread_time()
                response = send(client, request)
                cpu.append((time.thread_time() - started) * 1000)
            if kind == "dtmf":
                assert json.loads(response.data)[-1]["action"] == "conversation", response.data
                send(client, completed_request(leg))  # hung up: no meeting reaches MAX_PHONE_CALLERS
        by_thread: dict[str, Any] = {}
        for thread in ("request", "background"):
            statements = [(method, sql) for who, method, sql in tally.statements if who == thread]
            counted = backend == "postgresql" and pq.__impl__ == "python"
            by_thread[thread] = {"statements": len(statements),
                                 "round_trips": tally.round_trips[thread] if counted else None,
                                 "sql": [f"{method}: {sql[:160]}" for method, sql in statements]}
        report[kind] = {**by_thread, "request_cpu_ms_median": round(statistics.median(cpu[1:]), 3)}
    if backend == "postgresql":
        report["server"] = _server_statistics(env["DATABASE_URL"], repeat)
    return report


def _reset_server_statistics(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        conn.execute("SELECT pg_stat_statements_reset()")


def _server_statistics(url: str, repeat: int) -> list[str]:
    """The server's planning and execution time per statement (mean, ms), the busiest first:
    what PostgreSQL's own process spends on each statement the requests sent."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT calls, plans, total_plan_time / calls, mean_exec_time, query FROM pg_stat_statements "
            "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND calls >= %s "
            "ORDER BY total_plan_time + total_exec_time DESC LIMIT 25", [repeat // 2]).fetchall()
    return [f"{calls} calls, {plans} plans; per call: plan {plan:.3f} + exec {run:.3f} ms: "
            f"{' '.join(query.split())[:90]}" for calls, plans, plan, run, query in rows]


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def main() -> None:
    parser = argparse.ArgumentParser(description="Statements and round trips per voice webhook (bench/README.md).")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=12)
    parser.add_argument("--sql", action="store_true", help="print each statement's SQL")
    options = parser.parse_args()
    backends = ("sqlite", "postgresql") if options.backend == "both" else (options.backend,)
    result = {}
    for backend in backends:
        with ExitStack() as stack:
            result[backend] = measure(backend, options.repeat, stack)
    if not options.sql:
        for report in result.values():
            for kind in (report["answer"], report["dtmf"]):
                for thread in ("request", "background"):
                    kind[thread].pop("sql")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
