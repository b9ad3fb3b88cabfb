"""The phone and join-page domain wired by hand over a temp-file store and a fake clock:
no Flask, no Slack, no HTTP. The video and voice gateways are stand-ins that record what the
domain asked of them (the HTTP-level fakes cover the SDKs in the app tests)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from meetbridge.bridge import BridgeService
from meetbridge.lifecycle import Lifecycle
from meetbridge.meetings import MeetingService
from meetbridge.phone_entry import PhoneEntry
from meetbridge.records import Meeting
from meetbridge.rooms import Rooms
from meetbridge.settings import Settings, load_settings
from meetbridge.status import ChangeListeners
from meetbridge.storage import Store, open_store
from meetbridge.voice_calls import VoiceCalls
from tests.conftest import FakeClock

NOW = 1_900_000_000.0
PIN = "123456789"


@dataclass
class RecordingVideo:
    """Stands in for VideoGateway: remembers the connections the domain put out."""

    disconnected: list[tuple[str, str]] = field(default_factory=list)

    def force_disconnect(self, session_id: str, connection_id: str) -> bool:
        self.disconnected.append((session_id, connection_id))
        return True


@dataclass
class RecordingVoice:
    """Stands in for VoiceGateway: remembers the legs the domain hung up."""

    hung_up: list[str] = field(default_factory=list)

    def hang_up(self, uuid: str) -> bool:
        self.hung_up.append(uuid)
        return True


@dataclass
class PhoneDomain:
    """The wired domain plus what a test looks at: the store, the clock, the card's news."""

    settings: Settings
    store: Store
    clock: FakeClock
    video: RecordingVideo
    voice: RecordingVoice
    bridge: BridgeService
    calls: VoiceCalls
    rooms: Rooms
    changed: list[str]
    dialled_in_background: list[Callable[[], None]]

    def live_meeting(self, meeting_id: str = "m1", pin: str = PIN, lifetime: float = 3600) -> Meeting:
        """A meeting as /meet leaves it: row, claimed PIN, random conversation name."""
        meeting = Meeting(id=meeting_id, team_id="T1", channel_id="C1", creator_id="U1", topic="Standup",
                          session_id=f"1_{meeting_id}", pin=pin, created_at=self.clock.now(),
                          expires_at=self.clock.now() + lifetime, conversation_name=f"conv-{meeting_id}")
        self.store.meetings.insert(meeting)
        self.store.pins.claim(pin, meeting_id, released_before=0)
        return meeting


def phone_domain(private_key: str, database_path: str) -> tuple[PhoneDomain, Callable[[], None]]:
    """The domain over a fresh store, and what closes it."""
    settings = settings_for(private_key, database_path)
    store = open_store(settings.database_url)
    clock = FakeClock(NOW)
    video, voice, changes = RecordingVideo(), RecordingVoice(), ChangeListeners()
    changed: list[str] = []
    changes.add(changed.append)
    background: list[Callable[[], None]] = []
    meetings = MeetingService(settings, store, video, clock, random.Random(1))  # type: ignore[arg-type]
    bridge = BridgeService(settings, store, meetings, video, voice, clock, changes)  # type: ignore[arg-type]
    phone_entry = PhoneEntry(settings, store, bridge, clock, changes, background.append)
    lifecycle = Lifecycle(settings, store, bridge, phone_entry, voice, clock, changes)  # type: ignore[arg-type]
    built = PhoneDomain(settings, store, clock, video, voice, bridge, VoiceCalls(phone_entry, bridge, changes),
                        Rooms(store, meetings, bridge, lifecycle, clock), changed, background)

    def close() -> None:
        lifecycle.close()
        store.close()
    return built, close


def settings_for(private_key: str, database_path: str) -> Settings:
    """A complete configuration; nothing here is ever called over the network."""
    return load_settings({
        "SLACK_SIGNING_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1-test", "VIDEO_API_KEY": "47000001",
        "VIDEO_API_SECRET": "video-secret-0123456789abcdef", "VOICE_API_KEY": "abcd1234",
        "VOICE_API_SECRET": "voice-secret", "VONAGE_APPLICATION_ID": "aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
        "VONAGE_PRIVATE_KEY": private_key, "CONFERENCE_NUMBER": "+15550100000",
        "SERVER_URL": "http://127.0.0.1:9", "DATABASE_PATH": database_path, "AUTO_BRIDGE": "false",
        "ASK_CALLER_NAME": "false"})  # the name step has tests of its own
