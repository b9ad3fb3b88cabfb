"""Several app hosts on one PostgreSQL database: gunicorn masters started as README › Run starts
them (this repository's gunicorn.conf.py), each on its own 127.0.0.1 port with the same
settings, all talking to the same fakes of Slack, OpenTok and Vonage."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen

from bench.harness import app_env, worker_pids
from tests.fakes import FakeOpenTok, FakeSlack, FakeVonage, unused_port
from tests.security.servers import secured_env
from tests.security.vonage_side import VonageSide
from tests.server import processes

WORKERS = 2  # per host: the sweepers of both hosts' workers race for the same rows
THREADS = 8


@dataclass
class Host:
    """One running gunicorn master and its workers; `vonage_side` sends it signed webhooks."""

    url: str
    process: Popen
    log_path: Path

    def __post_init__(self) -> None:
        self.vonage_side = VonageSide(self.url)

    def requests_served(self, route: str) -> int:
        """Access-log lines of `route` (gunicorn logs the route pattern, never the path)."""
        return sum(f'"{route}"' in line for line in self.log_path.read_text().splitlines())

    def kill_9(self) -> list[int]:
        """SIGKILL the master and every worker at once, as a failed machine stops: no graceful
        shutdown, no atexit, no finished request. Returns the pids, all gone."""
        pids = [self.process.pid, *worker_pids(self.process.pid)]
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid) for pid in pids):
            if time.monotonic() > deadline:
                raise AssertionError(f"processes still alive after SIGKILL: {pids}")
            time.sleep(0.05)
        return pids


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0]
    except (OSError, IndexError):
        return "zombie"  # gone meanwhile


def host_env(fakes: tuple[FakeSlack, FakeOpenTok, FakeVonage], private_pem: str, database_url: str,
             sqlite_path: str, server_url: str, **overrides: str) -> dict[str, str]:
    """The settings every host gets: one DATABASE_URL, one public SERVER_URL (the proxy's),
    signing on. DATABASE_PATH names a file no host may create (DATABASE_URL wins)."""
    slack, opentok, vonage = fakes
    env = app_env(slack, opentok, vonage, private_pem, 0, sqlite_path)
    env.update(secured_env(**overrides), DATABASE_URL=database_url, SERVER_URL=server_url)
    del env["PORT"]  # each host is bound to its own port on the command line
    return env


@contextmanager
def hosts(env: dict[str, str], log_dir: Path, count: int = 2) -> Iterator[list[Host]]:
    """`count` gunicorn masters with the same environment, started side by side (each starts in
    seconds on busy cores); stopped with SIGTERM at the end unless already killed."""
    ports = [unused_port() for _ in range(count)]

    def start(index: int) -> Host:
        log_path = log_dir / f"host{index + 1}.log"
        process = processes.gunicorn(env, log_path, ports[index], workers=WORKERS, threads=THREADS)
        return Host(f"http://127.0.0.1:{ports[index]}", process, log_path)

    with ThreadPoolExecutor(max_workers=count) as pool:
        started = list(pool.map(start, range(count)))
    try:
        yield started
    finally:
        for host in started:
            if host.process.poll() is None:
                processes.stop(host.process)
