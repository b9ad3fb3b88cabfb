"""Injecting one fault into one upstream (Slack Web API, OpenTok, Vonage Voice) and clearing it.

Each fault holds until cleared, so the SDKs' own retries (slack_sdk on 429 and dropped
connections, the bridge's one dial retry) meet it too. Timeouts are real timeouts: the
fake holds the request longer than a client built with a short timeout will wait, so the
tests stay fast without sleeping. Refused connections point the client at a closed port.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from meetbridge.video import VideoGateway
from meetbridge.voice import VoiceGateway
from tests.conftest import APP_ID, VIDEO_KEY, VIDEO_SECRET
from tests.fakes import unused_port

FAULTS = ("5xx", "timeout", "refused", "429", "malformed JSON")
CLIENT_TIMEOUT_SECONDS = 0.3  # Slack and OpenTok clients under test
VOICE_TIMEOUT_SECONDS = 1  # the vonage client takes whole seconds only
HELD_SECONDS = 1.5  # how long the fake sits on a request when the fault is a timeout


def refused_address() -> str:
    """host:port where nothing listens."""
    return f"127.0.0.1:{unused_port()}"


@dataclass
class Upstream:
    """One platform as the app sees it: its fake, and the clients in the app that reach it."""

    fake: Any
    swap_clients: Callable[[str | None], None]  # None restores the app's own clients
    malformed_status: int = 200
    _swapped: bool = field(default=False, init=False)

    def inject(self, fault: str, kind: str) -> None:
        if fault == "5xx":
            self.fake.http_status(kind, 503, times=None)
        elif fault == "429":
            self._rate_limit(kind)
        elif fault == "malformed JSON":
            self.fake.malformed_json(kind, times=None, status=self.malformed_status)
        elif fault == "timeout":
            self.fake.delay(kind, HELD_SECONDS)
            self._swap("timeout")
        elif fault == "refused":
            self._swap("refused")
        else:
            raise ValueError(fault)

    def clear(self) -> None:
        """The platform recovers: faults and records forgotten, the app's clients restored."""
        self.fake.reset()
        if self._swapped:
            self.swap_clients(None)
            self._swapped = False

    def _rate_limit(self, kind: str) -> None:
        self.fake.http_status(kind, 429, times=None)

    def _swap(self, how: str) -> None:
        self.swap_clients(how)
        self._swapped = True


class SlackUpstream(Upstream):
    def _rate_limit(self, kind: str) -> None:
        self.fake.http_status(kind, 429, times=None, retry_after=0)  # slack_sdk honours Retry-After


def slack_upstream(fake_slack: Any, app: Any) -> Upstream:
    """The WebClients that post and update cards (single workspace: one for every team; the
    card senders' own one reports a 429 instead of sleeping it out)."""
    cards = app.extensions["meetbridge.cards"]
    clients = [cards.client_for_team("T0001"), cards.client_for_team("T0001", wait_on_rate_limit=False)]
    own = {"base_url": clients[0].base_url, "timeout": clients[0].timeout}

    def swap(how: str | None) -> None:
        for client in clients:
            if how == "timeout":
                client.timeout = CLIENT_TIMEOUT_SECONDS
            elif how == "refused":
                client.base_url = f"http://{refused_address()}/api/"
            else:
                client.base_url, client.timeout = own["base_url"], own["timeout"]

    return SlackUpstream(fake_slack, swap)


def video_upstream(fake_opentok: Any, services: Any) -> Upstream:
    """The OpenTok gateway that /meet (create_session) and the bridge (dial, disconnect) use."""
    own = services.video

    def swap(how: str | None) -> None:
        gateway = own
        if how == "timeout":
            gateway = VideoGateway(VIDEO_KEY, VIDEO_SECRET, fake_opentok.url, timeout=CLIENT_TIMEOUT_SECONDS)
        elif how == "refused":
            gateway = VideoGateway(VIDEO_KEY, VIDEO_SECRET, f"http://{refused_address()}")
        services.meetings.video = services.bridge.video = gateway

    return Upstream(fake_opentok, swap)


def voice_upstream(fake_vonage: Any, services: Any, private_key: str) -> Upstream:
    """The Vonage gateway that hangs up legs (bridge hang-up, meeting end, sweeps).

    Vonage's hang-up answers 204 without a body and the SDK takes any 2xx as done, so the
    malformed answer that can hurt is an error whose body is not JSON (a proxy's 502).
    """
    own = services.voice

    def swap(how: str | None) -> None:
        gateway = own
        if how == "timeout":
            gateway = VoiceGateway(APP_ID, private_key, fake_vonage.host, timeout=VOICE_TIMEOUT_SECONDS)
        elif how == "refused":
            gateway = VoiceGateway(APP_ID, private_key, refused_address())
        services.bridge.voice = services.lifecycle.voice = gateway

    return Upstream(fake_vonage, swap, malformed_status=502)


# -- what "consistent" means for the database ----------------------------------------------------

CONSISTENCY_CHECKS = {
    "PIN without its meeting":
        "SELECT pins.pin FROM pins LEFT JOIN meetings ON meetings.id = pins.meeting_id "
        "WHERE meetings.id IS NULL",
    "live PIN of an ended meeting":
        "SELECT pins.pin FROM pins JOIN meetings ON meetings.id = pins.meeting_id "
        "WHERE pins.released_at IS NULL AND meetings.ended_at IS NOT NULL",
    "live meeting without its live PIN":
        "SELECT meetings.id FROM meetings LEFT JOIN pins ON pins.pin = meetings.pin "
        "AND pins.meeting_id = meetings.id AND pins.released_at IS NULL "
        "WHERE meetings.ended_at IS NULL AND pins.pin IS NULL",
    "bridge without its meeting":
        "SELECT bridge_calls.id FROM bridge_calls LEFT JOIN meetings ON meetings.id = bridge_calls.meeting_id "
        "WHERE meetings.id IS NULL",
    "bridge still active in an ended meeting":
        "SELECT bridge_calls.id FROM bridge_calls JOIN meetings ON meetings.id = bridge_calls.meeting_id "
        "WHERE bridge_calls.state IN ('connecting', 'connected') AND meetings.ended_at IS NOT NULL",
}
STUCK_DIALLING = "SELECT id FROM bridge_calls WHERE state = 'connecting'"


def inconsistencies(store: Any, dialling_allowed: bool = False) -> dict[str, int]:
    """Every broken invariant and how many rows break it; {} when the database is consistent."""
    checks = dict(CONSISTENCY_CHECKS)
    if not dialling_allowed:
        checks["bridge stuck in connecting"] = STUCK_DIALLING
    found = {name: len(store.database.query(sql)) for name, sql in checks.items()}
    return {name: count for name, count in found.items() if count}


def row_counts(store: Any) -> dict[str, int]:
    return {table: store.database.query_one(f"SELECT count(*) AS n FROM {table}")["n"]
            for table in ("meetings", "pins", "bridge_calls")}
