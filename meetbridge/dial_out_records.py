"""What a dial-out is made of, in domain words, and how its progress is told.

`Requester` (who asks), `DialRequest` (one call to place), `DialStarted` (Vonage accepted it),
`DialProgress` (it moved on), and `ProgressListeners`, which tells every listener of each
stored change. The Slack side and the join page put the codes into words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .storage.dial_outs import DialOutRow

log = logging.getLogger("meetbridge.dial_out")


@dataclass(frozen=True)
class Requester:
    """Who asks the meeting to dial: a Slack member or a page visitor (domain words)."""

    kind: Literal["member", "visitor"]
    workspace_id: str
    member_id: str | None = None  # Slack user id for members
    visitor_id: str | None = None  # the visitor cookie's id for page visitors
    region: str | None = None  # ISO 3166 alpha-2 default region; None → DIAL_OUT_COUNTRIES[0]


@dataclass(frozen=True)
class DialRequest:
    """One call to place: the meeting, the number as typed, who asks and who is called."""

    meeting_id: str
    number: str  # as typed by a person ("+1 555 010 0199", "(555) 010-0199")
    requester: Requester
    invitee_name: str | None  # add_phone's name; None for call_me (then the member is the invitee)
    for_requester: bool  # True: call_me (the requester is the callee; the leg is named as that member)
    inviter_name: str | None = None  # who the callee hears invites them (a Slack display name); optional


@dataclass(frozen=True)
class DialStarted:
    """A call Vonage accepted: its leg uuid and the masked number (the only form that leaves)."""

    call_uuid: str
    masked: str  # "•••0199"


@dataclass(frozen=True)
class DialProgress:
    """A dialled call moved on: `code` is ringing, joined, no_answer, busy, declined,
    voicemail, failed, ended (cancelled because the meeting ended) or left."""

    call_uuid: str
    meeting_id: str
    requester: Requester
    masked: str
    invitee_name: str | None
    code: str


class ProgressListeners:
    """Everyone who wants to hear of a dialled call's stored progress."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[DialProgress], None]] = []

    def add(self, listener: Callable[[DialProgress], None]) -> None:
        """Call `listener(progress)` after every stored change of a dialled call's progress."""
        self._listeners.append(listener)

    def tell(self, row: DialOutRow, code: str, call_uuid: str | None = None) -> None:
        """Every listener hears of the stored change (a failing one does not stop the rest)."""
        requester = Requester(kind="visitor" if row.requester_kind == "visitor" else "member",
                              workspace_id=row.team_id, member_id=row.member_id, visitor_id=row.visitor_id)
        progress = DialProgress(call_uuid=call_uuid or row.call_uuid or "", meeting_id=row.meeting_id,
                                requester=requester, masked=row.masked, invitee_name=row.invitee_name, code=code)
        for listener in self._listeners:
            try:
                listener(progress)
            except Exception:  # noqa: BLE001 - one listener's failure must not lose the webhook
                log.exception("dial_out progress listener failed", extra={"call_uuid": progress.call_uuid})
