"""Everything a card or the join page shows about a meeting, read in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .storage import BridgeCall, Meeting, Store


@dataclass(frozen=True)
class MeetingStatus:
    meeting: Meeting
    bridge: BridgeCall | None
    phone_callers: int

    @property
    def bridge_state(self) -> str:
        """off / connecting / connected / failed."""
        if self.bridge is None or self.bridge.state == "off":
            return "off"
        return self.bridge.state


def read_status(store: Store, meeting: Meeting) -> MeetingStatus:
    return MeetingStatus(meeting=meeting, bridge=store.bridges.latest(meeting.id),
                         phone_callers=store.legs.callers_in(meeting.id))


class ChangeListeners:
    """Who to tell when a meeting changed (the Slack card updater, for one)."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[str], None]] = []

    def add(self, listener: Callable[[str], None]) -> None:
        self._listeners.append(listener)

    def changed(self, meeting_id: str) -> None:
        for listener in self._listeners:
            listener(meeting_id)
