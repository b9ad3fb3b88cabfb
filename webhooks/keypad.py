"""/voice-keypad: the keys a caller presses during the meeting (Vonage's asynchronous `input`).

Signed and size-limited like every voice webhook (it is a route of the voice blueprint). Each
key arrives on its own (`dtmf: {"digits": "6", "timed_out": false}`), the legacy string form is
read too. The answer is an empty 200, never an NCCO: the caller stays in the conversation
whatever the keys did, and keys from a leg that is not in a live meeting change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from flask import Blueprint, Response, request

from meetbridge.ncco import KEYPAD_PATH
from meetbridge.phone_keypad import KeypadOutcome

from .call_ids import leg_uuid
from .payload import dtmf_digits, read_payload

Audit = Callable[[str, str | None, str], None]


class Keypad(Protocol):
    """What the route needs of meetbridge.phone_keypad.PhoneKeypad."""

    def press(self, uuid: str, keys: str | None) -> KeypadOutcome:
        """Act on the keys of a caller leg."""


def install_keypad_route(voice: Blueprint, keypad: Keypad, audit: Audit) -> None:
    """Add /voice-keypad to the voice blueprint (its signature check and body limit apply)."""

    @voice.route(KEYPAD_PATH, methods=["GET", "POST"])
    def voice_keypad():
        """One or more keys from a caller in a meeting: *6, *1, *3, *2; the rest is ignored."""
        payload = read_payload(request)
        uuid = leg_uuid(payload, required=True) or ""
        keys, _timed_out = dtmf_digits(payload)
        pressed = keypad.press(uuid, keys)
        audit("keypad", uuid, pressed.code)
        return Response(status=200)
