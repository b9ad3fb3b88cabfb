"""Debian's nginx running deploy/nginx.conf as the current user, for tests: the shipped file with
its listen ports, upstream, TLS lines and file paths swapped for test ones (everything else —
buffering, timeouts, body and connection limits, forwarded headers, log format — as shipped)."""

from __future__ import annotations

import getpass
import os
import re
import shutil
import subprocess
from pathlib import Path

from tests.server import processes

DEPLOY_CONFIG = processes.PROJECT_ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def available() -> bool:
    return Path(NGINX).exists()


def _swap(text: str, pattern: str, replacement: str) -> str:
    """Replace exactly one match: if deploy/nginx.conf changes shape, this says so."""
    new, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    assert count == 1, f"deploy/nginx.conf: expected one match of {pattern!r}, found {count}"
    return new


def test_config(directory: Path, listen_port: int, redirect_port: int, upstream_port: int) -> str:
    """deploy/nginx.conf for a run in `directory` on 127.0.0.1, in front of 127.0.0.1:`upstream_port`."""
    text = DEPLOY_CONFIG.read_text(encoding="utf-8")
    run_as = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""  # else nginx cannot switch user
    text = _swap(text, r"^user nginx;$", run_as + "\ndaemon off;")
    text = _swap(text, r"^pid .*;$", f"pid {directory}/nginx.pid;")
    text = _swap(text, r"^error_log .*;$", f"error_log {directory}/error.log warn;")
    text = _swap(text, r"access_log /var/log/nginx/access.log", f"access_log {directory}/access.log")
    temp_paths = "".join(f"\n    {kind}_temp_path {directory}/{kind}_temp;"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    text = _swap(text, r"^http \{$", "http {" + temp_paths)
    text = _swap(text, r"server app:3000;", f"server 127.0.0.1:{upstream_port};")
    text = _swap(text, r"listen 80;", f"listen 127.0.0.1:{redirect_port};")
    text = _swap(text, r"listen 443 ssl;", f"listen 127.0.0.1:{listen_port};")
    text, tls_lines = re.subn(r"^\s*ssl_\w+ .*;\n", "", text, flags=re.MULTILINE)
    assert tls_lines == 3, "deploy/nginx.conf: the TLS lines changed"
    return text


def start(directory: Path, listen_port: int, redirect_port: int, upstream_port: int) -> subprocess.Popen:
    """nginx in the foreground with the derived config; waits until /healthz answers through it."""
    config = directory / "nginx.conf"
    config.write_text(test_config(directory, listen_port, redirect_port, upstream_port), encoding="utf-8")
    checked = subprocess.run([NGINX, "-t", "-p", str(directory), "-c", str(config), "-e", str(directory / "error.log")],
                             capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    return processes.start([NGINX, "-p", str(directory), "-c", str(config), "-e", str(directory / "error.log")],
                           {}, directory / "nginx.out", listen_port, cwd=directory)
