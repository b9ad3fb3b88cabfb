"""Is the OpenTok.js the page loads the build we pinned? (`python cli.py check --online`)

The page loads OPENTOK_JS_URL with Subresource Integrity, so a CDN file that differs from the
hash is refused by every browser and nobody can join. This check downloads the file once and
compares, so an admin learns that from the CLI, not from users.
"""

from __future__ import annotations

import base64
import hashlib

import requests

DOWNLOAD_TIMEOUT_SECONDS = 20


def sri_digest(body: bytes, algorithm: str) -> str:
    """`sha384-<base64>` as browsers compute it for the integrity attribute."""
    return f"{algorithm}-{base64.b64encode(hashlib.new(algorithm, body).digest()).decode()}"


def integrity_problem(url: str, integrity: str) -> str | None:
    """None when the file at `url` matches `integrity` (any of its space-separated hashes)."""
    if not integrity:
        return f"OPENTOK_JS_INTEGRITY is empty, so browsers load {url} unchecked"
    try:
        response = requests.get(url, timeout=DOWNLOAD_TIMEOUT_SECONDS)
    except requests.RequestException as error:
        return f"could not download {url} ({type(error).__name__})"
    if response.status_code != 200:
        return f"{url} answered HTTP {response.status_code}"
    if not response.headers.get("Access-Control-Allow-Origin"):
        # The page loads it with crossorigin="anonymous" (SRI needs a CORS fetch): without this
        # header every browser refuses the script.
        return f"{url} is served without Access-Control-Allow-Origin, so browsers refuse it with SRI"
    for expected in integrity.split():
        algorithm = expected.split("-", 1)[0]
        if sri_digest(response.content, algorithm) == expected:
            return None
    found = sri_digest(response.content, integrity.split()[0].split("-", 1)[0])
    return (f"{url} does not match OPENTOK_JS_INTEGRITY (the file is {found}); browsers will refuse it "
            "(README › OpenTok.js release)")
