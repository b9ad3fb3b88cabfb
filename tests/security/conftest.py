"""Fixtures of the security suite: the app on a real port with signing on, in werkzeug's threaded
server (`serve`, one per test, settings per test) or in gunicorn with two workers
(`two_workers`, one for the package: starting gunicorn costs seconds)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from bench.harness import fakes
from tests.security import ncco_schema
from tests.security.measurements import MEASURED, summary_lines
from tests.security.servers import AppUnderAttack, gunicorn_app, werkzeug_app


@pytest.fixture
def serve(base_env, fake_slack, fake_opentok, fake_vonage) -> Iterator[Callable[..., AppUnderAttack]]:
    """Start the app in werkzeug (as `python app.py` does) with settings overridden per test:
    `serve(clock=..., sweeper=True, PIN_FAILURE_BUDGET="20")`."""
    with ExitStack() as stack:
        def start(**options) -> AppUnderAttack:
            return stack.enter_context(werkzeug_app(base_env, (fake_slack, fake_opentok, fake_vonage), **options))
        yield start


# Short rules so that time-based defences show within seconds; the dial caps keep their defaults.
TWO_WORKER_RULES = {"PIN_FAILURE_BUDGET": "20", "SWEEP_SECONDS": "0.5", "BRIDGE_IDLE_MINUTES": "0.05"}


@pytest.fixture(scope="package")
def two_workers(tmp_path_factory) -> Iterator[AppUnderAttack]:
    """gunicorn with two worker processes (each with its sweeper), for attacks on limits that must
    hold across processes: a `jti` replayed to the other worker, dials clicked into both, one PIN
    failure budget. One server for this package (starting gunicorn costs seconds on busy cores),
    so the modules using it run in file order and test_pin_guessing spends the budget only
    after test_bridge_spending has let its callers in."""
    with fakes() as (slack, opentok, vonage, private_pem):
        database = str(tmp_path_factory.mktemp("two-workers") / "meetbridge.db")
        with gunicorn_app((slack, opentok, vonage), private_pem, database, **TWO_WORKER_RULES) as app:
            yield app


def pytest_terminal_summary(terminalreporter) -> None:
    if MEASURED:
        terminalreporter.section("security suite measurements (before the guards → now)")
        for line in summary_lines():
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"Vonage's NCCO schema: {ncco_schema.summary()}")
