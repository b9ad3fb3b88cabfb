"""PROXY_HOPS: behind deploy/nginx.conf (PROXY_HOPS=1) the app sees the client's address and
scheme from X-Forwarded-For / -Proto; by default (0) those headers, which any client can
write, are ignored."""

from __future__ import annotations

import pytest
from flask import request

from app import create_app
from meetbridge.settings import SettingsError, load_settings

FORWARDED = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}


def client_seen_by(base_env: dict[str, str], clock, **env: str):
    app = create_app(load_settings(dict(base_env, **env)), clock=clock, run_sweeper=False)
    app.add_url_rule("/test-who", "test_who", lambda: {"addr": request.remote_addr, "scheme": request.scheme})
    return app


@pytest.mark.parametrize(("env", "seen"), [
    ({}, {"addr": "127.0.0.1", "scheme": "http"}),
    ({"PROXY_HOPS": "1"}, {"addr": "198.51.100.7", "scheme": "https"}),
])
def test_forwarded_headers_count_only_when_proxy_hops_says_a_proxy_set_them(base_env, clock, env, seen):
    app = client_seen_by(base_env, clock, **env)
    try:
        assert app.test_client().get("/test-who", headers=FORWARDED).json == seen
    finally:
        app.extensions["meetbridge.shutdown"]()


def test_with_one_hop_a_client_cannot_spoof_its_address_through_the_proxy(base_env, clock):
    """nginx appends the real peer: only the last entry is believed."""
    app = client_seen_by(base_env, clock, PROXY_HOPS="1")
    try:
        spoofed = {"X-Forwarded-For": "10.0.0.1, 198.51.100.7"}
        assert app.test_client().get("/test-who", headers=spoofed).json["addr"] == "198.51.100.7"
    finally:
        app.extensions["meetbridge.shutdown"]()


def test_proxy_hops_must_be_a_small_whole_number(base_env):
    with pytest.raises(SettingsError, match="PROXY_HOPS='many' is not a whole number from 0 to 5"):
        load_settings(dict(base_env, PROXY_HOPS="many"))
