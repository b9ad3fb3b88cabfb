"""The callee's answer to the meeting's invitation: 1 joins, anything else is a goodbye.

Only a leg the meeting dialled, still on the line, of a live meeting with room, is ever let
in; it then is a caller like any other (counted, named, hung up at End), and the auto-bridge
connects the phone bridge when no one could hear them yet.
"""

from __future__ import annotations

from collections.abc import Callable

from . import ncco
from .clock import Clock
from .dial_in import voice_language
from .dial_out_records import ProgressListeners
from .outcomes import DtmfOutcome
from .settings import Settings
from .status import ChangeListeners
from .storage import Store


class InvitationAnswers:
    """Applies the callee's key press to a call the meeting placed."""

    def __init__(self, settings: Settings, store: Store, clock: Clock, changes: ChangeListeners,
                 progress: ProgressListeners, start_in_background: Callable[[Callable[[], None]], None],
                 connect_bridge: Callable[[str], object] | None) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.changes = changes
        self.progress = progress
        self.start_in_background = start_in_background
        self.connect_bridge = connect_bridge

    def press(self, uuid: str, digits: str | None, timed_out: bool) -> DtmfOutcome | None:
        """1 joins the meeting's conversation as a caller; anything else, or nothing, is a
        short goodbye. None when `uuid` is no call this meeting placed (then it is an ordinary
        caller's PIN entry)."""
        row = self.store.dial_outs.by_call(uuid)
        if row is None:
            return None
        now = self.clock.now()
        language = voice_language(self.settings.default_locale)  # the invitation's language
        if digits != "1" and row.code != "joined":  # a leg already in stays in whatever comes again
            code = "no_answer" if timed_out or not digits else "declined"
            if self.store.dial_outs.finish(uuid, code, now):
                self.progress.tell(row, code)
            return DtmfOutcome(ncco.say_goodbye(ncco.INVITE_DECLINED, language), joined=False)
        admitted = self.store.dial_outs.admit(uuid, now, self.settings.max_phone_callers)
        if admitted.conversation_name is None:
            code = "ended" if admitted.meeting_gone else "failed"
            if self.store.dial_outs.finish(uuid, code, now):
                self.progress.tell(row, code)
            text = ncco.MEETING_GONE if admitted.meeting_gone else (ncco.FULL if admitted.full else ncco.NOT_EXPECTED)
            return DtmfOutcome(ncco.say_goodbye(text, language), joined=False)
        if admitted.newly:
            self._joined(row.meeting_id, admitted.bridge_idle_since is not None, admitted.bridge_active)
            self.progress.tell(row, "joined")
        return DtmfOutcome(ncco.join_conversation(admitted.conversation_name, language=language,
                                                  keypad_url=ncco.keypad_url(self.settings.server_url)), joined=True,
                           meeting_id=row.meeting_id)

    def _joined(self, meeting_id: str, bridge_idle: bool, bridge_active: bool) -> None:
        """Someone is listening now: the bridge is no longer idle, the card changes, and the
        auto-bridge dials the phone bridge when it is not up."""
        if bridge_idle:
            self.store.bridges.set_idle_since(meeting_id, None)
        self.changes.changed(meeting_id)
        if self.settings.auto_bridge and not bridge_active and self.connect_bridge is not None:
            connect = self.connect_bridge

            def dial_bridge() -> None:
                connect(meeting_id)
            self.start_in_background(dial_bridge)
