"""What every benchmark needs: the local fakes, the real app under gunicorn with the
documented production config (gunicorn.conf.py), and a few measuring helpers."""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import APP_ID, BOT_TOKEN, NUMBER, SIGNING_SECRET, VIDEO_KEY, VIDEO_SECRET, VOICE_KEY, VOICE_SECRET
from tests.fakes import FakeOpenTok, FakeSlack, FakeVonage, make_rsa_keypair

from .meet_client import SIGNATURE_SECRET

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def fakes() -> Iterator[tuple[FakeSlack, FakeOpenTok, FakeVonage, str]]:
    private_pem, public_pem = make_rsa_keypair()
    with FakeSlack() as slack, FakeOpenTok(VIDEO_KEY, VIDEO_SECRET) as opentok, \
            FakeVonage(APP_ID, public_pem) as vonage:
        yield slack, opentok, vonage, private_pem


def app_env(slack: FakeSlack, opentok: FakeOpenTok, vonage: FakeVonage, private_pem: str, port: int,
            database: str, signed: bool = True, **extra: str) -> dict[str, str]:
    """The app's environment against these fakes; voice webhooks signed (as in production: a
    public SERVER_URL requires it) unless `signed` is False."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "VIDEO_", "VOICE_", "VONAGE_"))}
    env.update({
        "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_BOT_TOKEN": BOT_TOKEN,
        "VIDEO_API_KEY": VIDEO_KEY, "VIDEO_API_SECRET": VIDEO_SECRET, "VOICE_API_KEY": VOICE_KEY,
        "VOICE_API_SECRET": VOICE_SECRET, "VONAGE_APPLICATION_ID": APP_ID, "VONAGE_PRIVATE_KEY": private_pem,
        "CONFERENCE_NUMBER": NUMBER, "SERVER_URL": f"http://127.0.0.1:{port}", "PORT": str(port),
        "DATABASE_PATH": database, "SLACK_API_URL": slack.api_url, "OPENTOK_API_URL": opentok.url,
        "VONAGE_API_HOST": vonage.host, "REQUESTS_CA_BUNDLE": vonage.ca_bundle_path,
        "NO_PROXY": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT),
        "MAX_LIVE_MEETINGS_PER_TEAM": "1000",  # the benchmarks run 200 meetings in one workspace
        "ASK_CALLER_NAME": "false",  # a right PIN joins the conversation at once, as the numbers below measured
    })
    if signed:
        env["VONAGE_SIGNATURE_SECRET"] = SIGNATURE_SECRET
    env.update(extra)
    return env


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], workers: int | None = None) -> Iterator[subprocess.Popen]:
    """Start gunicorn with the repository's gunicorn.conf.py and wait for it to answer."""
    if workers is not None:
        env = dict(env, WEB_CONCURRENCY=str(workers))
    # gunicorn.conf.py binds every interface (a deployment's proxy may be elsewhere); these servers
    # take test secrets and forged-looking traffic, so only this machine may reach them.
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{env['PORT']}", "--access-logfile", "/dev/null", app_spec]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_http(f"http://127.0.0.1:{env['PORT']}/healthz", process)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read().decode()[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def worker_pids(master_pid: int) -> list[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [int(pid) for pid in children]


def process_tree(pid: int) -> list[int]:
    """`pid` and every process below it (gunicorn's workers; a PostgreSQL server's backends)."""
    pids, index = [pid], 0
    while index < len(pids):
        try:
            children = Path(f"/proc/{pids[index]}/task/{pids[index]}/children").read_text().split()
        except OSError:
            children = []
        pids += [int(child) for child in children]
        index += 1
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time these processes have used so far (those that exited are not counted)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return ticks / os.sysconf("SC_CLK_TCK")


def postmaster_pid(data_directory: str) -> int:
    """A running PostgreSQL server's main process (first line of postmaster.pid)."""
    return int(Path(data_directory, "postmaster.pid").read_text().split()[0])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_counters() -> list[int]:
    """The machine's CPU time counters (/proc/stat: user, nice, system, idle, ..., steal)."""
    return [int(field) for field in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]


def steal_percent(before: list[int], after: list[int]) -> float:
    """Share of CPU time the hypervisor gave to other guests in between: on these shared VMs it
    swings from ~0 to 30 %+ and explains most of the spread between runs."""
    spent = [later - earlier for earlier, later in zip(before, after, strict=True)]
    return round(100 * spent[7] / max(1, sum(spent[:8])), 1)


def busy_percent(before: list[int], after: list[int]) -> float:
    """Share of the machine's CPU time (steal excluded) spent working in between: below ~95 % at
    saturation, something other than CPU (a lock, the disk) holds the requests back."""
    spent = [later - earlier for earlier, later in zip(before, after, strict=True)]
    working = sum(spent[:8]) - spent[3] - spent[4] - spent[7]  # all but idle, iowait and steal
    return round(100 * working / max(1, sum(spent[:8]) - spent[7]), 1)


def busy_seconds(before: list[int], after: list[int]) -> float:
    """CPU time every process on the machine spent in between (user, nice, system, irq, softirq),
    in seconds: with `requests`, the whole machine's cost of one request, load generator included."""
    spent = [later - earlier for earlier, later in zip(before, after, strict=True)]
    working = sum(spent[:8]) - spent[3] - spent[4] - spent[7]
    return working / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "median": statistics.median(values), "p99": percentile(values, 99),
            "max": max(values)}


def save(name: str, result: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2))
    return path


def temp_database() -> str:
    return str(Path(tempfile.mkdtemp(prefix="meetbridge-bench-")) / "bench.db")
