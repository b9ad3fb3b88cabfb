"""The services object handed to every Bolt listener and Flask blueprint.

Built once in app.create_app(); nothing in the code reaches for globals instead.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .background import Background
from .bridge import BridgeService
from .clock import Clock
from .lifecycle import Lifecycle
from .meetings import MeetingService
from .phone_entry import PhoneEntry
from .settings import Settings
from .status import ChangeListeners
from .storage import Store
from .video import VideoGateway
from .video_monitor import VideoMonitor
from .voice import VoiceGateway


@dataclass
class Services:
    settings: Settings
    store: Store
    clock: Clock
    rng: random.Random
    video: VideoGateway
    voice: VoiceGateway
    changes: ChangeListeners
    background: Background
    meetings: MeetingService
    bridge: BridgeService
    phone_entry: PhoneEntry
    lifecycle: Lifecycle
    video_monitor: VideoMonitor
