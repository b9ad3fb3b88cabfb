"""HS256 JSON Web Tokens (RFC 7519) checked with the standard library: `alg` exactly HS256,
the HMAC-SHA256 of the first two segments equal (in constant time) to the third, then the
claims as a JSON object. Nothing else is accepted: no "none", no RSA or EC algorithms, no
critical header extensions.

PyJWT 2.15 does the same check in ~100 µs per token on these shared machines, mostly a
per-character alphabet scan of each segment in Python and an attempt to parse the shared secret
as a DER certificate on every call; this takes ~25 µs, and it runs on every voice webhook
(bench/README.md). Tokens signed by PyJWT and by Vonage verify alike (tests).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from typing import Any

_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")  # base64url without padding (RFC 7515 §2)


def verified_claims(token: str, key: bytes) -> dict[str, Any] | None:
    """The token's claims when it is an HS256 JWT signed with `key`; None otherwise."""
    segments = token.split(".")
    if len(segments) != 3 or not all(_SEGMENT.fullmatch(segment) for segment in segments):
        return None
    header_segment, claims_segment, signature_segment = segments
    header = _json_object(header_segment)
    if header is None or header.get("alg") != "HS256" or "crit" in header:
        return None
    signature = _decode(signature_segment)
    expected = hmac.new(key, f"{header_segment}.{claims_segment}".encode("ascii"), hashlib.sha256).digest()
    if signature is None or not hmac.compare_digest(signature, expected):
        return None
    return _json_object(claims_segment)


def _decode(segment: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        return None


def _json_object(segment: str) -> dict[str, Any] | None:
    raw = _decode(segment)
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    return value if isinstance(value, dict) else None
