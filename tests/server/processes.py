"""The server as an operator runs it: `python app.py` or gunicorn, in a subprocess on a real
127.0.0.1 port, with exactly the environment the test gives it (plus PATH)."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 60


def process_env(env: dict[str, str]) -> dict[str, str]:
    """`env` plus what any process needs; nothing from the developer's shell leaks in."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_PROXY": "127.0.0.1,localhost",
            "PYTHONIOENCODING": "utf-8", "HOME": tempfile.gettempdir(), **env}


def open_files_limit(limit: int) -> Callable[[], None]:
    """A preexec_fn: `ulimit -n <limit>` for the child only."""
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
    return apply


def start(command: Sequence[str], env: dict[str, str], log_path: Path, port: int, *, cwd: Path = PROJECT_ROOT,
          preexec_fn: Callable[[], None] | None = None) -> subprocess.Popen:
    """Start `command` and wait until 127.0.0.1:`port` answers /healthz."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(list(command), cwd=cwd, env=process_env(env), stdout=log,
                                   stderr=subprocess.STDOUT, preexec_fn=preexec_fn)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        if get_status(port, "/healthz", timeout=1) == 200:
            return process
        time.sleep(0.1)
    stop(process)
    raise AssertionError(f"server did not answer within {START_TIMEOUT_SECONDS} s:\n{log_path.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def python_app(env: dict[str, str], log_path: Path, **options) -> subprocess.Popen:
    """`python app.py` (Werkzeug's threaded development server) on env["PORT"]."""
    return start([sys.executable, str(PROJECT_ROOT / "app.py")], env, log_path, int(env["PORT"]), **options)


def raw_request(port: int, request: bytes, timeout: float = 5.0) -> bytes:
    """Send one request on a fresh connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def get_status(port: int, path: str, timeout: float = 5.0) -> int | None:
    """Status of `GET path` on a fresh `Connection: close` connection; None if it failed."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    try:
        reply = raw_request(port, request, timeout)
    except OSError:
        return None
    parts = reply.split(b" ", 2)
    return int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else None


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def gunicorn(env: dict[str, str], log_path: Path, port: int, *, bind: bool = True, cwd: Path = PROJECT_ROOT,
             workers: int = 1, threads: int = 4) -> subprocess.Popen:
    """gunicorn with this repository's gunicorn.conf.py, as README › Run starts it; bound to
    127.0.0.1:`port` unless `bind` is False (then PORT from the environment or .env decides)."""
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", str(PROJECT_ROOT / "gunicorn.conf.py"),
               "--pythonpath", str(PROJECT_ROOT), "--workers", str(workers), "--threads", str(threads)]
    if bind:
        command += ["--bind", f"127.0.0.1:{port}"]
    return start([*command, "app:create_app()"], env, log_path, port, cwd=cwd)
