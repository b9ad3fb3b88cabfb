"""A phone caller never sits in silence: until someone can hear them, music and, every 30 s or
so, a sentence saying the others have been told.

Someone can hear a caller when another caller is in the meeting's conversation, or when the
phone bridge is connected and (with session monitoring configured) someone is on video. Callers
always join the meeting's conversation; while nobody can hear them the music is streamed into
their leg through the Voice API (`PUT /v1/calls/{uuid}/stream`, looping) and stopped (`DELETE`)
as soon as someone can. This one mechanism covers the first caller before the bridge, a bridge
that connects to an empty video session, and a caller left alone when the bridge drops or the
others hang up (docs/phone-waiting.md says why not `musicOnHoldUrl`).

The decision runs after every change of a meeting (a change listener); each start or stop is
claimed in the database, so one process acts on it, and the Voice API requests run in the
background, never on a webhook's thread. When a caller starts waiting, the waiting listeners
(the Slack side's direct message to the starter) hear of it at most once per meeting per 5 minutes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from .clock import Clock
from .errors import UpstreamError
from .settings import Settings
from .storage import Store
from .storage.phone_waiting import Presence
from .voice import VoiceGateway
from .voices import voice_for
from .words import N_, translate

log = logging.getLogger(__name__)
HOLD_MUSIC_PATH = "/phone/hold-music.mp3"
OTHERS_TOLD = N_("Nobody can hear you yet. The others have been told that you are waiting.")
TELL_EVERY_SECONDS = 30
TELL_PASS_SECONDS = 5.0  # how often the tell pass looks for waiting callers due to be told
TELLS_PER_PASS = 50
TELL_STARTER_EVERY_SECONDS = 5 * 60
WAITING_ALERT = "caller-waiting:"  # + meeting id: the starter's direct message, once per 5 minutes

Background = Callable[[Callable[[], None]], None]


class PhoneWaiting:
    """Starts and stops the waiting music of a meeting's callers, and says they are waiting."""

    def __init__(self, settings: Settings, store: Store, voice: VoiceGateway, clock: Clock,
                 start_in_background: Background) -> None:
        self.settings = settings
        self.store = store
        self.voice = voice
        self.clock = clock
        self.start_in_background = start_in_background
        self.music_url = settings.server_url.rstrip("/") + HOLD_MUSIC_PATH
        self._waiting_listeners: list[Callable[[str], None]] = []

    def add_waiting_listener(self, listener: Callable[[str], None]) -> None:
        """Call `listener(meeting_id)` when a caller starts waiting (at most every 5 minutes)."""
        self._waiting_listeners.append(listener)

    def someone_hears(self, presence: Presence) -> bool:
        """Whether a caller of the meeting is heard: another caller in the conversation, or the
        bridge up with someone on video (anyone, when session monitoring is not configured)."""
        if sum(1 for caller in presence.callers if not caller.naming) >= 2:
            return True
        if presence.bridge_state != "connected":
            return False
        return presence.video_participants > 0 or not self.settings.video_events_secret

    def changed(self, meeting_id: str, presence: Presence | None = None) -> None:
        """After any change of the meeting: music for callers nobody hears, none for the others.
        `presence`: the meeting as the change read it once made (else it is read here)."""
        if presence is None:
            presence = self.store.phone_waiting.presence(meeting_id)  # one query: callers, bridge, video
        if presence is None or not presence.callers:
            return
        present = presence.callers
        hears = self.someone_hears(presence)
        now = self.clock.now()
        started = False
        for caller in present:
            if caller.naming:
                continue  # still saying their name: not in the conversation yet
            if hears and caller.waiting and self.store.phone_waiting.stop_waiting(caller.uuid):
                self.start_in_background(partial(self._stop_music, caller.uuid))
            elif not hears and not caller.waiting and self.store.phone_waiting.start_waiting(caller.uuid, now):
                self.start_in_background(partial(self._start_music, caller.uuid, caller.language))
                started = True
        if started and self.store.pin_guard.claim_alert(WAITING_ALERT + meeting_id, now,
                                                        TELL_STARTER_EVERY_SECONDS):
            for listener in self._waiting_listeners:
                listener(meeting_id)

    def tell_pass(self) -> None:
        """Every ~30 s per waiting caller: say again that the others know, and start the music
        again (a stream lost to a failed request, or stopped by a race, comes back)."""
        due = self.store.phone_waiting.claim_tells(self.clock.now(), TELL_EVERY_SECONDS, TELLS_PER_PASS)
        for leg in due:
            self._start_music(leg.uuid, leg.language)

    def _start_music(self, uuid: str, language: str | None) -> None:
        """The music into the leg, then the sentence; stopped again if someone heard meanwhile."""
        try:
            self.voice.play_audio(uuid, self.music_url, loop=0)
            voice = voice_for(language)
            self.voice.say(uuid, translate(OTHERS_TOLD, language), None if voice.is_vonage_default else voice.language)
        except UpstreamError as error:
            log.warning("waiting music not started: %s", error.reason)
            return
        if not self.store.phone_waiting.is_waiting(uuid):
            self._stop_music(uuid)

    def _stop_music(self, uuid: str) -> None:
        """Someone hears the caller now: the music stops."""
        try:
            self.voice.stop_audio(uuid)
        except UpstreamError as error:
            log.warning("waiting music not stopped: %s", error.reason)
