"""Unguessable identifiers: meeting ids in URLs and the per-dial bridge token."""

from __future__ import annotations

import hashlib
import secrets


def new_meeting_id() -> str:
    """128 bits from the OS CSPRNG, URL-safe (22 characters)."""
    return secrets.token_urlsafe(16)


def new_bridge_token() -> str:
    """Secret sent only in our own SIP header; the database keeps just its hash."""
    return secrets.token_urlsafe(24)


def new_host_key() -> str:
    """Secret in the meeting starter's host link (a URL fragment, never sent in requests)."""
    return secrets.token_urlsafe(24)


def new_conversation_name() -> str:
    """The Vonage conversation of a meeting: random, so nothing sent to a phone leg reveals
    the meeting id (the join link)."""
    return "meetbridge-" + secrets.token_hex(16)


def token_hash(token: str) -> str:
    """SHA-256 hex digest: what the database keeps of a secret token."""
    return hashlib.sha256(token.encode()).hexdigest()


def log_ref(meeting_id: str) -> str:
    """What logs say instead of a meeting id (a join credential): a short digest that lets an
    admin match log lines to each other, and to a meeting they already know, but opens nothing."""
    return "m-" + token_hash(meeting_id)[:10]
