"""pytest plugin: a throwaway PostgreSQL cluster for the session, a fresh database per test.

The cluster comes from Debian's `postgresql` package (initdb and pg_ctl under
/usr/lib/postgresql/<version>/bin; `make test` installs it through scripts/ensure-test-tools).
It lives in a temporary directory, listens on a free 127.0.0.1 port and a socket in that
directory, trusts local connections and skips fsync. initdb refuses to run as root, so as root
(CI) the cluster runs as the `postgres` system user; anyone else runs it as themself.

Each test gets a database migrated like the template (CREATE DATABASE … TEMPLATE). Copying one
costs 0.1-0.4 s, so a database a test is done with is emptied (one TRUNCATE of every table: no
row triggers run, so pin_counts is emptied rather than counted down) and handed to the next
test; one that cannot be emptied within a second is dropped.

Fixtures: `postgres_cluster` (session), `postgres_url` (a migrated, empty database per test),
`database_env` (the app's DATABASE_URL: empty, so DATABASE_PATH's SQLite file, unless pytest runs
with `--backend=postgresql`, which puts every app the tests build on its own PostgreSQL database).
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

TEMPLATE = "meetbridge_template"
BOOKKEEPING_TABLE = "meetbridge_migrations"  # meetbridge.storage.pg_schema's; kept when emptying
START_TIMEOUT_SECONDS = 60
MISSING = ("PostgreSQL server binaries not found ({pattern}). Install Debian's postgresql package "
           "(`make test` does it through scripts/ensure-test-tools, or: apt-get install postgresql).")
_numbers = itertools.count(1)


def postgres_bin_dir() -> str:
    """The newest /usr/lib/postgresql/<version>/bin that holds initdb and pg_ctl."""
    pattern = "/usr/lib/postgresql/*/bin"
    found = [d for d in glob.glob(pattern)
             if os.access(os.path.join(d, "initdb"), os.X_OK) and os.access(os.path.join(d, "pg_ctl"), os.X_OK)]
    if not found:
        pytest.fail(MISSING.format(pattern=pattern + "/initdb"), pytrace=False)
    return max(found, key=lambda d: [int(p) if p.isdigit() else 0 for p in d.split("/")[-2].split(".")])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    """A running throwaway cluster: how to reach it and how to make databases on it."""

    directory: str
    port: int
    user: str = "postgres"
    _spare: list[str] = field(default_factory=list)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        """One statement as the superuser, outside any transaction (CREATE/DROP DATABASE)."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.encode())

    def create_database(self, template: str | None = TEMPLATE) -> str:
        """A new database (a copy of the migrated template by default); its URL."""
        name = f"test_{os.getpid()}_{next(_numbers)}"
        self.admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return self.url(name)

    def drop_database(self, url: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")

    def checkout(self) -> str:
        """An empty migrated database: a recycled one, else a new copy of the template."""
        return self._spare.pop() if self._spare else self.create_database()

    def checkin(self, url: str) -> None:
        """Empty the database for the next test (rows only: the schema stays the template's)."""
        import psycopg

        try:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("SET lock_timeout = '1s'")
                tables = [row[0] for row in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename != %s",
                    [BOOKKEEPING_TABLE])]
                conn.execute(("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY").encode())
            self._spare.append(url)
        except psycopg.Error:
            self.drop_database(url)


def _as_cluster_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def start_cluster() -> Cluster:
    """initdb + pg_ctl start in a new temporary directory; raises with the server log on failure."""
    bin_dir = postgres_bin_dir()
    directory = tempfile.mkdtemp(prefix="meetbridge-pg-")
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    data, log = os.path.join(directory, "data"), os.path.join(directory, "server.log")
    port = free_port()
    subprocess.run(_as_cluster_owner([f"{bin_dir}/initdb", "-D", data, "-U", "postgres", "-A", "trust",
                                      "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]),
                   check=True, capture_output=True, timeout=START_TIMEOUT_SECONDS)
    options = (f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
    started = subprocess.run(_as_cluster_owner([f"{bin_dir}/pg_ctl", "-D", data, "-l", log, "-o", options,
                                                "-w", "-t", str(START_TIMEOUT_SECONDS), "start"]),
                             capture_output=True, text=True, timeout=START_TIMEOUT_SECONDS + 5)
    if started.returncode != 0:
        server_log = open(log).read() if os.path.exists(log) else ""
        shutil.rmtree(directory, ignore_errors=True)
        raise RuntimeError(f"pg_ctl start failed: {started.stderr}\n{server_log}")
    return Cluster(directory=directory, port=port)


def stop_cluster(cluster: Cluster) -> None:
    bin_dir = postgres_bin_dir()
    subprocess.run(_as_cluster_owner([f"{bin_dir}/pg_ctl", "-D", os.path.join(cluster.directory, "data"),
                                      "-m", "immediate", "-w", "stop"]), capture_output=True, timeout=60)
    shutil.rmtree(cluster.directory, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """The session's cluster, with a migrated template database to copy."""
    cluster = start_cluster()
    try:
        from meetbridge.storage import open_store

        cluster.admin(f"CREATE DATABASE {TEMPLATE}")
        open_store(cluster.url(TEMPLATE)).close()  # migrated once; its pool closed, so it can be copied
        yield cluster
    finally:
        stop_cluster(cluster)


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> Iterator[str]:
    """A freshly migrated, empty database of its own for this test."""
    url = postgres_cluster.checkout()
    yield url
    postgres_cluster.checkin(url)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--backend", choices=("sqlite", "postgresql"), default="sqlite",
                     help="database of the apps the tests build (tests/meetbridge/storage runs both either way)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On --backend=postgresql, skip the tests that read the SQLite file itself."""
    if config.getoption("--backend") != "postgresql":
        return
    skip = pytest.mark.skip(reason="reads the SQLite file itself; tests/meetbridge/storage proves the rule on "
                                   "both back-ends")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)


@pytest.fixture
def database_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """DATABASE_URL for the app under test when --backend=postgresql, else nothing."""
    if request.config.getoption("--backend") == "postgresql":
        return {"DATABASE_URL": request.getfixturevalue("postgres_url")}
    return {}
