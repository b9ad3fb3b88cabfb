"""Race tests across processes: each worker is a fresh interpreter (the 'spawn' start method), as
gunicorn workers and other hosts are, so nothing is shared but the database.

A worker is a module-level function (spawn imports it by name) called with its arguments and a
`ready()` callable last; `ready()` returns once every worker called it, so their work starts
together (it may be called again for the next round). Its return value comes back to the test.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from typing import Any

PROCESSES = 4
PINS_PER_PROCESS = 15  # the PIN races: each process allocates this many from the same random sequence
SPAWN_TIMEOUT_SECONDS = 60


def _run(target: Callable[..., Any], args: tuple, barrier: Any, results: Any) -> None:
    """In the child: the worker's value, or its traceback (and no one left waiting for it)."""
    try:
        results.put(("ok", target(*args, lambda: barrier.wait(timeout=SPAWN_TIMEOUT_SECONDS))))
    except BaseException:
        barrier.abort()
        results.put(("error", traceback.format_exc()))


def run_workers(target: Callable[..., Any], args_for_worker: list[tuple]) -> list[Any]:
    """One spawned process per argument tuple, released together; every worker's return value
    (in the order they finished). Fails on any worker's error or exit code."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(len(args_for_worker)), context.Queue()
    processes = [context.Process(target=_run, args=(target, args, barrier, results)) for args in args_for_worker]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=SPAWN_TIMEOUT_SECONDS) for _ in processes]
    for process in processes:
        process.join(timeout=SPAWN_TIMEOUT_SECONDS)
    assert [process.exitcode for process in processes] == [0] * len(processes)
    assert [detail for status, detail in outcomes if status != "ok"] == []
    return [value for _, value in outcomes]
