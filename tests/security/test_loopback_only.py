"""The apps under attack listen on 127.0.0.1 only: they accept forged-looking traffic signed with
a test secret, so nothing outside this machine may reach them while the suite runs (gunicorn.conf.py
binds every interface, as a deployment behind a proxy needs; bench.harness.gunicorn binds 127.0.0.1)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

LISTEN = "0A"  # TCP state of a listening socket in /proc/net/tcp*


def listening_addresses(port: int) -> set[str]:
    """Addresses with a socket listening on `port`, from the kernel's tables (IPv4 and IPv6)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == LISTEN and int(port_hex, 16) == port:
                found.add(str(_address(address)))
    return found


def _address(hex_text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """/proc/net/tcp* writes addresses as 32-bit words in host (little-endian) byte order."""
    words = [bytes.fromhex(hex_text[i:i + 8])[::-1] for i in range(0, len(hex_text), 8)]
    raw = b"".join(words)
    return ipaddress.IPv4Address(raw) if len(raw) == 4 else ipaddress.IPv6Address(raw)


def test_gunicorn_under_attack_listens_on_loopback_only(two_workers):
    assert listening_addresses(urlsplit(two_workers.url).port) == {"127.0.0.1"}


def test_werkzeug_under_attack_listens_on_loopback_only(serve):
    app = serve()
    assert listening_addresses(urlsplit(app.url).port) == {"127.0.0.1"}
