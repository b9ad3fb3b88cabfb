"""`python app.py` survives any number of connections: Werkzeug serves each TCP
connection on a new thread, and that thread's database connection must close with it."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.fakes import unused_port
from tests.server import processes

REQUESTS = 2000
WARM_UP = 100
CLIENTS = 8  # each request waits ~10 ms on the server's connection teardown: overlap them
OPEN_FILES_LIMIT = 256
FD_SLACK = 3 * CLIENTS  # threads still finishing their response when the count is taken
RUN_LIMIT_SECONDS = 120  # ~7 s here; a server that hangs instead of refusing fails by then, not after 2,000 x 5 s


@pytest.fixture
def app_under_ulimit(base_env, tmp_path):
    port = unused_port()
    env = dict(base_env, PORT=str(port), SERVER_URL=f"http://127.0.0.1:{port}")
    process = processes.python_app(env, tmp_path / "server.log", cwd=tmp_path,
                                   preexec_fn=processes.open_files_limit(OPEN_FILES_LIMIT))
    yield process, port
    processes.stop(process)


def healthz_on_new_connections(port: int, count: int, deadline: float) -> list[int | None]:
    """Status of each request; None for one that failed or was not sent because time ran out."""
    def request(_: int) -> int | None:
        return processes.get_status(port, "/healthz") if time.monotonic() < deadline else None
    with ThreadPoolExecutor(CLIENTS) as clients:
        return list(clients.map(request, range(count)))


def test_two_thousand_closed_connections_are_all_answered_and_leave_no_open_files(app_under_ulimit):
    process, port = app_under_ulimit
    deadline = time.monotonic() + RUN_LIMIT_SECONDS
    statuses = healthz_on_new_connections(port, WARM_UP, deadline)
    warm = processes.open_fds(process.pid)
    statuses += healthz_on_new_connections(port, REQUESTS - WARM_UP, deadline)
    final = processes.open_fds(process.pid)
    failed = [number for number, status in enumerate(statuses) if status != 200]
    assert failed == [], f"{len(failed)} of {REQUESTS} unanswered, the first at request {failed[:1]}"
    assert final <= warm + FD_SLACK, f"open files grew from {warm} to {final} over {REQUESTS - WARM_UP} connections"
