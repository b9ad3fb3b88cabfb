"""The keypad during a meeting: `*6` mute / unmute yourself, `*1` the keys, `*3` who is here,
`*2` raise / lower your hand. Anything else is ignored.

Vonage sends the keys of an asynchronous `input` one per webhook, as pressed (`*`, then `6`);
a webhook carrying several keys is read the same way, key by key. A `*` waits a few seconds
for its digit. Only a caller admitted to a live meeting, still on the line, is acted on, and a
leg's commands reach Vonage at most once a second however fast it presses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .clock import Clock
from .phone_callers import PhoneCaller, caller_of
from .records import Meeting, PhoneLeg
from .status import ChangeListeners
from .storage import Rule, Store
from .voices import voice_for
from .words import N_, translate

STAR_WAIT_SECONDS = 5.0  # a `*` completes a command with a digit pressed within this time
ACT_EVERY_SECONDS = 1.0  # at most one command per leg reaches Vonage in this time
MAX_NAMES_READ = 8  # `*3` reads this many names, then counts the rest
# Vonage answers at most 15 Voice REST requests a second per account (beyond: 429). A command
# makes at most two (mute + the spoken confirmation), so every caller of every meeting together
# gets five commands a second, which leaves room for the rest of the service.
SERVICE_RULE = Rule(bucket="keypad", limit=5, window_seconds=1.0)

MUTED = N_("You are muted. Press star 6 to unmute.")
UNMUTED = N_("You are unmuted.")
HAND_RAISED = N_("Your hand is raised. Press star 2 to lower it.")
HAND_LOWERED = N_("Your hand is lowered.")
KEYS = N_("Press star 6 to mute or unmute yourself. Star 2 raises or lowers your hand. "
          "Star 3 tells you who is here. Star 1 repeats these keys.")
WHO_ON_VIDEO = N_("On video: {video}.")
WHO_ON_PHONE = N_("On the phone: {phone}, you included.")
WHO_NAMED = N_("Also on the phone: {names}.")
WHO_UNNAMED = N_("Callers without a name: {count}.")


class Speaker(Protocol):
    """What the keypad needs of meetbridge.voice.VoiceGateway."""

    def set_muted(self, uuid: str, muted: bool) -> bool:
        """Mute or unmute a leg; False when it is gone."""

    def say(self, uuid: str, text: str, language: str | None = None) -> bool:
        """Speak into a leg, heard by that leg; False when it is gone."""


@dataclass(frozen=True)
class KeypadOutcome:
    """What a keypad webhook did: a code for the audit log, and the meeting it touched."""

    code: str  # not_in_meeting / ignored / too_fast / busy / muted / unmuted / keys / who / hand_raised / hand_lowered
    meeting_id: str | None = None


def who_is_here(video: int, callers: list[PhoneCaller], listener: str, language: str | None = None) -> str:
    """`*3`'s sentences in the caller's language: counts, then the other callers' spoken names
    (at most MAX_NAMES_READ), then how many have none; never a number."""
    others = [caller for caller in callers if caller.uuid != listener]
    named = [caller.name for caller in others if caller.name][:MAX_NAMES_READ]
    unnamed = len(others) - len(named)
    said = [translate(WHO_ON_VIDEO, language, video=video)] if video else []
    said.append(translate(WHO_ON_PHONE, language, phone=len(callers)))
    if named:
        said.append(translate(WHO_NAMED, language, names=", ".join(named)))
    if unnamed:
        said.append(translate(WHO_UNNAMED, language, count=unnamed))
    return " ".join(said)


class PhoneKeypad:
    """Commands typed by a caller already in a meeting."""

    COMMANDS = frozenset("1236")

    def __init__(self, store: Store, voice: Speaker, clock: Clock, changes: ChangeListeners) -> None:
        self.store = store
        self.voice = voice
        self.clock = clock
        self.changes = changes

    def press(self, uuid: str, keys: str | None) -> KeypadOutcome:
        """Keys from a caller leg; at most one command per webhook acts."""
        now = self.clock.now()
        leg = self.store.legs.get(uuid)
        meeting = self._live_meeting_of(leg, now)
        if leg is None or meeting is None:
            return KeypadOutcome("not_in_meeting")
        for key in keys or "":
            if key == "*":
                self.store.phone_controls.press_star(uuid, now)
            elif key not in self.COMMANDS:
                self.store.phone_controls.forget_star(uuid)
            else:
                claimed = self.store.phone_controls.claim_command(uuid, now, now - STAR_WAIT_SECONDS,
                                                                  now - ACT_EVERY_SECONDS)
                if claimed == "acted" and self.store.rate_limits.take([SERVICE_RULE], now) is not None:
                    return KeypadOutcome("busy", meeting.id)  # the whole service's keypad budget is spent
                if claimed == "acted":
                    return KeypadOutcome(self._run(key, leg, meeting, now), meeting.id)
                if claimed == "too_fast":
                    return KeypadOutcome("too_fast", meeting.id)
        return KeypadOutcome("ignored", meeting.id)

    def _live_meeting_of(self, leg: PhoneLeg | None, now: float) -> Meeting | None:
        """The live meeting the leg was admitted to and is still in; None otherwise."""
        if leg is None or leg.meeting_id is None or leg.joined_at is None or leg.left_at is not None:
            return None
        meeting = self.store.meetings.get(leg.meeting_id)
        if meeting is None or not meeting.is_live or meeting.expires_at <= now:
            return None
        return meeting

    def _run(self, key: str, leg: PhoneLeg, meeting: Meeting, now: float) -> str:
        """One command; the caller hears a short sentence in every case."""
        if key == "6":
            return self._toggle_mute(leg, meeting)
        if key == "2":
            raised = self.store.phone_controls.toggle_hand(leg.uuid, now)
            self.changes.changed(meeting.id)
            self._say(leg, HAND_RAISED if raised else HAND_LOWERED)
            return "hand_raised" if raised else "hand_lowered"
        if key == "3":
            callers = [caller_of(one) for one in self.store.phone_controls.roster(meeting.id)]
            self._say_text(leg, who_is_here(meeting.video_participants, callers, leg.uuid, leg.language))
            return "who"
        self._say(leg, KEYS)
        return "keys"

    def _toggle_mute(self, leg: PhoneLeg, meeting: Meeting) -> str:
        """Vonage's per-call mute first; the stored state follows only when Vonage did it."""
        muted = not leg.muted
        if not self.voice.set_muted(leg.uuid, muted):
            return "not_in_meeting"
        self.store.phone_controls.set_muted(leg.uuid, muted)
        self.changes.changed(meeting.id)
        self._say(leg, MUTED if muted else UNMUTED)
        return "muted" if muted else "unmuted"

    def _say(self, leg: PhoneLeg, sentence: str) -> None:
        """A sentence in the language of the number the caller dialled."""
        self._say_text(leg, translate(sentence, leg.language))

    def _say_text(self, leg: PhoneLeg, text: str) -> None:
        """Words already in the caller's language, with a voice of that language."""
        voice = voice_for(leg.language)
        self.voice.say(leg.uuid, text, None if voice.is_vonage_default else voice.language)
