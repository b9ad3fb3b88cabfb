"""/voice-name: what Vonage's speech recognition heard when the caller was asked their name.

A route of the voice blueprint, so its signature check (JWT, payload hash, replay) and body
limit are those of /voice-dtmf. The payload is the `input` webhook's: `speech.results`
(`text`, `confidence`), `speech.timeout_reason`, `speech.error`. Nothing of what was said is
logged or audited: the audit line says only whether the caller went on into the meeting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from flask import Blueprint, jsonify, request

from meetbridge.caller_names import NAME_PATH, Heard, heard_from
from meetbridge.outcomes import DtmfOutcome

from .call_ids import leg_uuid
from .payload import read_payload

Audit = Callable[[str, str | None, str], None]


class NameStep(Protocol):
    """What the route needs of meetbridge.voice_calls.VoiceCalls."""

    def name_said(self, uuid: str, heard: list[Heard]) -> DtmfOutcome:
        """Keep the name (if it is one), then the meeting's conversation."""


def install_name_route(voice: Blueprint, calls: NameStep, audit: Audit) -> None:
    """Add /voice-name to the voice blueprint (its signature check and body limit apply)."""

    @voice.route(NAME_PATH, methods=["GET", "POST"])
    def voice_name():
        """The speech result of "say your name": the meeting's conversation, or a goodbye."""
        payload = read_payload(request)
        uuid = leg_uuid(payload, required=True) or ""
        said = calls.name_said(uuid, heard_from(payload.get("speech")))
        audit("name", uuid, "joined" if said.joined else "refused")
        return jsonify(said.ncco)
