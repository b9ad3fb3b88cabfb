"""Who is on the phone in a meeting, and what the meeting's starter may do to each caller.

Every surface reads the same roster: a caller's name (spoken or given when the meeting dialled
them), the Slack member a dialled leg is, or the masked number; muted; hand raised; minutes in.
Host actions (mute, unmute, remove, mute all) act only for the starter: a Slack member equal
to the meeting's creator, or the join page's host key. Numbers never leave this module unmasked.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from .clock import Clock
from .errors import MeetingEnded, MeetingNotFound, NotAllowed
from .ids import token_hash
from .phone_callers import PhoneCaller, caller_of
from .records import Meeting
from .status import ChangeListeners
from .storage import Store

LONGEST_MEETING_ID = 64  # longer ids are never ours: not even looked up
REMOVED_STATUS = "completed"  # a removed leg ends like a hang-up: the count and the idle timer follow


@dataclass(frozen=True)
class Host:
    """Who claims to be the meeting's starter: a Slack member, or the join page's host key."""

    member_id: str | None = None
    host_key: str | None = None


class LegControls(Protocol):
    """What the roster needs of meetbridge.voice.VoiceGateway."""

    def set_muted(self, uuid: str, muted: bool) -> bool:
        """Mute or unmute a leg; False when it is gone."""

    def hang_up(self, uuid: str) -> bool:
        """End a leg; False when it is gone."""


class PhoneRoster:
    """The domain's front door for the phone roster and the host's controls over it."""

    def __init__(self, store: Store, voice: LegControls, clock: Clock, changes: ChangeListeners,
                 leg_ended: Callable[[str, str], bool]) -> None:
        self.store = store
        self.voice = voice
        self.clock = clock
        self.changes = changes
        self.leg_ended = leg_ended  # PhoneEntry.call_status: a removed caller has left

    def callers(self, meeting_id: str) -> list[PhoneCaller]:
        """The meeting's callers on the line now, earliest first."""
        return [caller_of(leg) for leg in self.store.phone_controls.roster(meeting_id)]

    def meeting(self, meeting_id: str) -> Meeting:
        """The meeting behind a link, live or ended; MeetingNotFound (over-long ids unlooked-up)."""
        meeting = self.store.meetings.get(meeting_id) if len(meeting_id) <= LONGEST_MEETING_ID else None
        if meeting is None:
            raise MeetingNotFound(meeting_id)
        return meeting

    def callers_of(self, meeting_id: str) -> list[PhoneCaller]:
        """The callers of the meeting behind a link; MeetingNotFound for an unknown one."""
        return self.callers(self.meeting(meeting_id).id)

    def is_host(self, meeting: Meeting, host: Host) -> bool:
        """Whether `host` is the meeting's starter (Slack member or host key)."""
        if host.member_id is not None:
            return hmac.compare_digest(host.member_id, meeting.creator_id)
        expected = meeting.host_key_hash or ""
        return bool(expected and host.host_key and hmac.compare_digest(expected, token_hash(host.host_key)))

    def hosted(self, meeting_id: str, host: Host) -> Meeting:
        """The live meeting when `host` started it; MeetingNotFound, MeetingEnded or NotAllowed."""
        meeting = self.meeting(meeting_id)
        if not self.is_host(meeting, host):
            raise NotAllowed(meeting_id)
        if not meeting.is_live or meeting.expires_at <= self.clock.now():
            raise MeetingEnded(meeting_id)
        return meeting

    def set_muted(self, meeting_id: str, host: Host, uuid: str, muted: bool) -> bool:
        """Mute or unmute one caller of the host's meeting; False when they are no longer in it."""
        self.hosted(meeting_id, host)
        if not self._in_meeting(meeting_id, uuid):
            return False
        if not self.voice.set_muted(uuid, muted):
            return False
        self.store.phone_controls.set_muted(uuid, muted)
        self.changes.changed(meeting_id)
        return True

    def mute_all(self, meeting_id: str, host: Host) -> int:
        """Mute every caller not yet muted; how many were muted now."""
        self.hosted(meeting_id, host)
        muted = 0
        for caller in self.callers(meeting_id):
            if not caller.muted and self.voice.set_muted(caller.uuid, True):
                self.store.phone_controls.set_muted(caller.uuid, True)
                muted += 1
        if muted:
            self.changes.changed(meeting_id)
        return muted

    def remove(self, meeting_id: str, host: Host, uuid: str) -> bool:
        """Hang up one caller; they leave the meeting at once. False when already gone."""
        self.hosted(meeting_id, host)
        if not self._in_meeting(meeting_id, uuid):
            return False
        self.voice.hang_up(uuid)
        return self.leg_ended(uuid, REMOVED_STATUS)

    def _in_meeting(self, meeting_id: str, uuid: str) -> bool:
        """Only a caller of this meeting, still on the line, is ever acted on."""
        leg = self.store.legs.get(uuid)
        return leg is not None and leg.meeting_id == meeting_id and leg.joined_at is not None \
            and leg.left_at is None
