"""OpenTok.js is pinned: an exact release on Vonage's CDN with its SRI hash, and
`python cli.py check --online` tells the admin when the file there differs from the hash."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from meetbridge.settings import DEFAULT_OPENTOK_JS_INTEGRITY, DEFAULT_OPENTOK_JS_URL
from tests.web.opentok_double import OpenTokDouble
from web.opentok_js_pin import integrity_problem, sri_digest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
OTHER_HASH = "sha384-" + "A" * 64


def test_default_is_an_exact_release_on_vonages_cdn_with_a_sha384_hash():
    assert re.fullmatch(r"https://static\.opentok\.com/v2\.\d+\.\d+/js/opentok\.min\.js", DEFAULT_OPENTOK_JS_URL)
    assert re.fullmatch(r"sha384-[A-Za-z0-9+/]{64}", DEFAULT_OPENTOK_JS_INTEGRITY)


def test_sri_digest_is_what_browsers_compute():
    # The W3C SRI spec's example: sha384 of "alert('Hello, world.');"
    assert sri_digest(b"alert('Hello, world.');", "sha384") == (
        "sha384-H8BRh8j48O9oYatfu5AZzq6A9RINhZO5H16dQZngK7T62em8MUt1FLm52t+eX6xO")


def test_matching_file_is_no_problem_and_a_different_one_is_named():
    with OpenTokDouble() as double:
        assert integrity_problem(double.script_url, double.integrity) is None
        assert integrity_problem(double.script_url, f"{OTHER_HASH} {double.integrity}") is None
        problem = integrity_problem(double.script_url, OTHER_HASH)
    assert problem == (f"{double.script_url} does not match OPENTOK_JS_INTEGRITY (the file is {double.integrity}); "
                       "browsers will refuse it (README › OpenTok.js release)")


def test_unreachable_or_missing_file_is_a_problem():
    with OpenTokDouble() as double:
        missing = double.script_url.replace("opentok-double.js", "nope.js")
        assert integrity_problem(missing, OTHER_HASH) == f"{missing} answered HTTP 404"
    assert integrity_problem(double.script_url, OTHER_HASH).startswith(f"could not download {double.script_url}")


def test_check_online_exits_1_when_the_cdn_file_differs_from_the_hash(base_env, fake_vonage):
    with OpenTokDouble() as double:
        env = {**base_env, "REQUESTS_CA_BUNDLE": fake_vonage.ca_bundle_path, "NO_PROXY": "127.0.0.1",
               "OPENTOK_JS_URL": double.script_url, "OPENTOK_JS_INTEGRITY": OTHER_HASH}
        result = subprocess.run([sys.executable, "cli.py", "check", "--online"], cwd=PROJECT_ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"  ✗ OpenTok.js: {double.script_url} does not match OPENTOK_JS_INTEGRITY" in result.stderr


def test_a_file_served_without_cors_is_a_problem_because_sri_needs_a_cors_fetch():
    with OpenTokDouble(cors=False) as double:
        assert integrity_problem(double.script_url, double.integrity) == (
            f"{double.script_url} is served without Access-Control-Allow-Origin, so browsers refuse it with SRI")
