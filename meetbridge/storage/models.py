"""Plain records read from the database; the domain and both front ends share them."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, TypeVar

R = TypeVar("R")


@lru_cache(maxsize=None)
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))


def from_row(cls: type[R], row: dict[str, Any]) -> R:
    """Build a record from a row, ignoring columns the record does not carry."""
    names = _field_names(cls)
    return cls(**{k: v for k, v in row.items() if k in names})


@dataclass(frozen=True)
class Meeting:
    id: str
    team_id: str
    channel_id: str
    creator_id: str
    topic: str | None
    session_id: str
    pin: str
    created_at: float
    expires_at: float
    ended_at: float | None = None
    ended_reason: str | None = None
    card_channel: str | None = None
    card_ts: str | None = None
    card_via_response_url: int = 0
    response_url: str | None = None
    response_url_at: float | None = None
    video_participants: int = 0
    bridge_notice: str | None = None
    calls_id: str | None = None
    host_key_hash: str | None = None
    card_digest: str | None = None
    conversation_name: str | None = None  # random; callers and the bridge join it

    @property
    def is_live(self) -> bool:
        return self.ended_at is None

    @property
    def title(self) -> str:
        return self.topic or "Video meeting"


@dataclass(frozen=True)
class BridgeCall:
    id: str
    meeting_id: str
    state: str
    created_at: float
    reason: str | None = None
    sip_call_id: str | None = None
    connection_id: str | None = None
    leg_uuid: str | None = None
    connected_at: float | None = None
    ended_at: float | None = None
    ended_reason: str | None = None
    idle_since: float | None = None


@dataclass(frozen=True)
class PhoneLeg:
    uuid: str
    created_at: float
    meeting_id: str | None = None
    caller_number: str | None = None
    status: str | None = None
    attempts: int = 0
    joined_at: float | None = None
    left_at: float | None = None
