"""Everything a card or the join page shows about a meeting, read in one place."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .phone_callers import PhoneCaller, caller_of
from .records import BridgeCall, Meeting
from .storage import Store
from .storage.phone_waiting import Presence


@dataclass(frozen=True)
class MeetingStatus:
    """A meeting with its latest bridge and how many phone callers are in."""

    meeting: Meeting
    bridge: BridgeCall | None
    phone_callers: int
    callers: tuple[PhoneCaller, ...] = ()  # who is on the phone, earliest first

    @property
    def bridge_state(self) -> str:
        """off / connecting / connected / failed."""
        if self.bridge is None or self.bridge.state == "off":
            return "off"
        return self.bridge.state


def read_status(store: Store, meeting: Meeting) -> MeetingStatus:
    """The meeting's status as of now."""
    callers = tuple(caller_of(leg) for leg in store.phone_controls.roster(meeting.id))
    return MeetingStatus(meeting=meeting, bridge=store.bridges.latest(meeting.id),
                         phone_callers=len(callers), callers=callers)


class ChangeListeners:
    """Who to tell when a meeting changed (the Slack card updater, for one).

    Inside `held()` (around a database transaction) the news waits until the block ends, so
    nobody reads the meeting before the change is committed.
    """

    def __init__(self) -> None:
        self._presence_listeners: list[Callable[[str, Presence | None], None]] = []
        self._listeners: list[Callable[[str], None]] = []
        self._held = threading.local()

    def add(self, listener: Callable[[str], None]) -> None:
        """Call `listener(meeting_id)` after every change from now on."""
        self._listeners.append(listener)

    def add_presence_listener(self, listener: Callable[[str, Presence | None], None]) -> None:
        """Call `listener(meeting_id, presence)` after every change from now on, before the plain
        listeners: `presence` is who is on the line as the change read it once made, when it did
        (so the listener need not read it again), else None."""
        self._presence_listeners.append(listener)

    def changed(self, meeting_id: str, presence: Presence | None = None) -> None:
        """Tell every listener, or, inside `held()`, once the block ends."""
        held = getattr(self._held, "ids", None)
        if held is not None:
            held.append((meeting_id, presence))
            return
        for with_presence in self._presence_listeners:
            with_presence(meeting_id, presence)
        for listener in self._listeners:
            listener(meeting_id)

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the news of changes until the block (one transaction) ends; each meeting once,
        with the presence its last change read (None when that change read none)."""
        if getattr(self._held, "ids", None) is not None:
            yield
            return
        self._held.ids = []
        try:
            yield
        finally:
            changes, self._held.ids = self._held.ids, None
        last: dict[str, Presence | None] = {}  # in the order the meetings first changed
        for meeting_id, presence in changes:
            last[meeting_id] = presence
        for meeting_id, presence in last.items():
            self.changed(meeting_id, presence)
