"""Signed Vonage webhooks: `Authorization: Bearer <JWT>` (HS256 with the signature secret),
and for requests with a body, `payload_hash` = SHA-256 hex of that body."""

from __future__ import annotations

import hashlib
import hmac

import jwt

MAX_TOKEN_LENGTH = 4096


def signature_problem(authorization: str | None, body: bytes, secret: str) -> str | None:
    """None when the request is signed by Vonage; otherwise why it is not."""
    if not authorization or not authorization.startswith("Bearer "):
        return "missing Bearer token"
    token = authorization.removeprefix("Bearer ").strip()
    if len(token) > MAX_TOKEN_LENGTH:
        return "token too long"
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["iat"]})
    except jwt.PyJWTError:
        return "bad signature"
    if body:
        expected = hashlib.sha256(body).hexdigest()
        if not hmac.compare_digest(str(claims.get("payload_hash", "")), expected):
            return "payload_hash does not match the body"
    return None
