"""Reading Vonage webhook requests: query string (GET), JSON or form body (POST, never its URL).

Anything malformed raises BadPayload, which the blueprint turns into a 4xx JSON error:
a webhook must never produce a 500 or a traceback.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Request

MAX_FIELD_LENGTH = 512


class BadPayload(Exception):
    """The request cannot be a Vonage webhook; the message says why, briefly."""


def read_payload(request: Request) -> dict[str, Any]:
    """A GET's fields come from its query string; a POST's from its body only. The signature
    covers a POST's body, not its URL: reading the query string of a POST (an empty one, say)
    would let anyone holding one signed token send any fields with it."""
    if request.method in ("GET", "HEAD"):
        return request.args.to_dict()
    if request.mimetype == "application/json":
        return _json_object(request.get_data(cache=True))
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.form.to_dict()
    if not request.get_data(cache=True):
        return {}
    raise BadPayload("send JSON or form data")


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise BadPayload("body is not valid JSON") from error
    if not isinstance(body, dict):
        raise BadPayload("body must be a JSON object")
    return body


def text_field(payload: dict[str, Any], name: str, required: bool = False) -> str | None:
    """A short string field; wrong types and huge values are refused, not coerced."""
    value = payload.get(name)
    if value is None or value == "":
        if required:
            raise BadPayload(f"'{name}' is required")
        return None
    if not isinstance(value, str) or len(value) > MAX_FIELD_LENGTH or not _encodable(value):
        raise BadPayload(f"'{name}' must be a short string")
    return value


def _encodable(value: str) -> bool:
    """JSON may carry lone surrogates ("\\ud800"), which no database stores as UTF-8 text."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def dtmf_digits(payload: dict[str, Any]) -> tuple[str | None, bool]:
    """Digits and timed-out flag from the current ({digits, timed_out}) or legacy ("123") form."""
    dtmf = payload.get("dtmf")
    if isinstance(dtmf, dict):
        digits, timed_out = dtmf.get("digits"), dtmf.get("timed_out", False)
    elif dtmf is None or isinstance(dtmf, str):
        digits, timed_out = dtmf, payload.get("timed_out", False)
    else:
        raise BadPayload("'dtmf' must be an object or a string")
    if digits is not None and (not isinstance(digits, str) or len(digits) > 64):
        raise BadPayload("'dtmf.digits' must be a short string")
    return digits or None, timed_out in (True, "true", "True", "1")
