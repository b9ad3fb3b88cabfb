"""Call identifiers of Vonage voice webhooks: which phone leg a webhook is about.

A leg's `uuid` is a UUID and a `conversation_uuid` a UUID or Vonage's `CON-<uuid>`. Anything
else cannot come from Vonage and is refused with 400 before anything is stored: any 512-character
string used to be taken as a leg.
"""

from __future__ import annotations

import re
from typing import Any

from .payload import BadPayload, text_field

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
CONVERSATION_UUID = re.compile(r"(CON-)?" + UUID.pattern)


def leg_uuid(payload: dict[str, Any], required: bool) -> str | None:
    """The call leg's `uuid`; when present, also checks the `conversation_uuid`."""
    uuid = text_field(payload, "uuid", required=required)
    if uuid is not None and not UUID.fullmatch(uuid):
        raise BadPayload("'uuid' must be a UUID")
    conversation = text_field(payload, "conversation_uuid")
    if conversation is not None and not CONVERSATION_UUID.fullmatch(conversation):
        raise BadPayload("'conversation_uuid' must be a UUID or CON-<uuid>")
    return uuid


# Machine detection's event (`human` or `machine`) names its leg `call_uuid`, not `uuid`.
MACHINE_DETECTION = frozenset({"human", "machine"})


def detected_leg_uuid(payload: dict[str, Any]) -> str | None:
    """The leg of a machine-detection event: its `call_uuid`, which must be a UUID."""
    uuid = text_field(payload, "call_uuid")
    if uuid is not None and not UUID.fullmatch(uuid):
        raise BadPayload("'call_uuid' must be a UUID")
    return uuid
