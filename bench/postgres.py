"""A throwaway PostgreSQL cluster for the benchmarks, configured like a production server.

It is the tests' cluster (tests/postgres.py: Debian's initdb and pg_ctl, a temporary directory,
127.0.0.1 on a free port), restarted without the tests' shortcuts: fsync and full-page writes
on, as any durable server runs. `synchronous_commit` is chosen per database (`on` is
PostgreSQL's default: a commit waits for its WAL to reach the disk; `off` lets a commit return
before, losing at most the last ~0.6 s of commits in a crash but never corrupting anything,
the same promise as the SQLite back-end's `synchronous=NORMAL` in WAL mode).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from tests.postgres import (
    START_TIMEOUT_SECONDS,
    Cluster,
    _as_cluster_owner,
    postgres_bin_dir,
    start_cluster,
    stop_cluster,
)

DURABLE_OPTIONS = "-c fsync=on -c full_page_writes=on -c synchronous_commit=on -c max_connections=300"


@contextmanager
def durable_cluster(extra_options: str = "") -> Iterator[Cluster]:
    """A running cluster with production durability (and `extra_options` for the server); removed
    at the end."""
    cluster = start_cluster()
    try:
        options = (f"-p {cluster.port} -k {cluster.directory} -c listen_addresses=127.0.0.1 {DURABLE_OPTIONS} "
                   f"{extra_options}")
        data, log = os.path.join(cluster.directory, "data"), os.path.join(cluster.directory, "server.log")
        subprocess.run(_as_cluster_owner([f"{postgres_bin_dir()}/pg_ctl", "-D", data, "-l", log, "-o", options, "-w",
                                          "-t", str(START_TIMEOUT_SECONDS), "-m", "fast", "restart"]),
                       check=True, capture_output=True, timeout=START_TIMEOUT_SECONDS * 2)
        yield cluster
    finally:
        stop_cluster(cluster)


def new_database(cluster: Cluster, synchronous_commit: str = "on") -> str:
    """An empty database (the app migrates it at start-up); its URL."""
    url = cluster.create_database(template=None)
    name = url.rsplit("/", 1)[1]
    cluster.admin(f"ALTER DATABASE {name} SET synchronous_commit = {synchronous_commit}")
    return url


def over_socket(cluster: Cluster, url: str) -> str:
    """The same database reached over the server's unix socket instead of TCP on 127.0.0.1 (what
    an app on the database's own host would use)."""
    name = url.rsplit("/", 1)[1]
    return f"postgresql://{cluster.user}@/{name}?host={cluster.directory}&port={cluster.port}"


def settings_of(url: str) -> dict[str, str]:
    """The durability settings a connection to `url` runs with (recorded with the results)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return {name: conn.execute(f"SHOW {name}".encode()).fetchone()[0]
                for name in ("fsync", "full_page_writes", "synchronous_commit", "server_version")}


def refresh_statistics(url: str) -> None:
    """ANALYZE the app's database: the planner's statistics as autovacuum keeps them on a server
    that has been running (a benchmark's tables grow by thousands of rows in its set-up, faster
    than autovacuum's one-minute round), so a measurement sees the steady state's plans."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(b"ANALYZE")
