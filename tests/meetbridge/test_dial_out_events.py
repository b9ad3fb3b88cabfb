"""Status events of dialled calls that come at awkward times: before Vonage's 201 was stored,
after the meeting's End hung the call up, or never (the call is closed by expire_stale and its
card line goes with it)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from meetbridge.retention import DIAL_LINE_SECONDS, Retention
from meetbridge.storage.dial_outs import STALE_SECONDS
from tests.meetbridge.dial_out_domain import RecordingOutbound, add_phone, dialling


class EarlyEvents(RecordingOutbound):
    """Vonage's event for the new call arrives while the call request is still being answered."""

    def __init__(self, statuses: list[str]) -> None:
        super().__init__()
        self.statuses = statuses
        self.dial_out = None

    def create_call(self, to, from_number, ncco_actions, event_url, ringing_timer, length_timer) -> str:
        uuid = super().create_call(to, from_number, ncco_actions, event_url, ringing_timer, length_timer)
        [reservation] = parse_qs(urlparse(event_url).query)["dial"]
        for status in self.statuses:
            assert self.dial_out.call_event(uuid, status, reservation)  # the call is found already
        return uuid


def early(domain, *statuses: str):
    dialled = dialling(domain)
    outbound = EarlyEvents(list(statuses))
    outbound.dial_out = dialled.dial_out
    dialled.dial_out.voice = outbound
    return dialled, outbound


def codes(dialled) -> list[str]:
    return [progress.code for progress in dialled.progress]


def test_a_busy_before_the_201_is_told_and_the_call_is_over(domain):
    domain.live_meeting()
    dialled, outbound = early(domain, "started", "busy")
    uuid = dialled.dial_out.call(add_phone()).call_uuid
    assert codes(dialled) == ["busy"]  # not "ringing" afterwards
    assert domain.store.dial_outs.by_call(uuid).code == "busy"
    assert domain.store.legs.live_legs("m1") == []  # its leg is stored as over: End has nothing to hang up
    assert dialled.dial_out.press(uuid, "1", timed_out=False).joined is False


def test_ringing_before_the_201_is_told_once(domain):
    domain.live_meeting()
    dialled, _ = early(domain, "ringing", "ringing")
    uuid = dialled.dial_out.call(add_phone()).call_uuid
    assert codes(dialled) == ["ringing"]
    assert dialled.dial_out.press(uuid, "1", timed_out=False).joined
    assert codes(dialled) == ["ringing", "joined"]


def test_an_event_naming_another_calls_reservation_is_not_bound(domain):
    domain.live_meeting()
    dialled = dialling(domain)
    first = dialled.dial_out.call(add_phone()).call_uuid
    [row] = domain.store.database.query("SELECT id FROM dial_outs")
    assert dialled.dial_out.call_event("0b3c5c51-2a8e-4a55-9d3a-4e2b1f7b1f00", "busy", row["id"]) is False
    assert domain.store.dial_outs.by_call(first).code == "ringing"


def test_ends_hang_up_of_a_ringing_call_reads_ended_not_failed(domain):
    domain.live_meeting()
    dialled = dialling(domain)
    uuid = dialled.dial_out.call(add_phone()).call_uuid
    domain.store.meetings.mark_ended("m1", domain.clock.now(), "ended")
    assert dialled.dial_out.call_event(uuid, "cancelled")
    assert codes(dialled) == ["ringing", "ended"]


def test_a_cancelled_call_of_a_live_meeting_still_reads_failed(domain):
    domain.live_meeting()
    dialled = dialling(domain)
    uuid = dialled.dial_out.call(add_phone()).call_uuid
    dialled.dial_out.call_event(uuid, "cancelled")
    assert codes(dialled) == ["ringing", "failed"]


def test_a_call_vonage_never_finished_expires_once(domain):
    domain.live_meeting(lifetime=86400)
    dialled = dialling(domain)
    uuid = dialled.dial_out.call(add_phone()).call_uuid
    domain.clock.advance(STALE_SECONDS - 1)
    assert dialled.dial_out.events.expire_stale() == 0
    domain.clock.advance(2)
    assert dialled.dial_out.events.expire_stale() == 1
    assert dialled.dial_out.events.expire_stale() == 0
    assert codes(dialled) == ["ringing", "failed"] and domain.store.dial_outs.by_call(uuid).code == "failed"


def test_a_never_finished_call_of_an_ended_meeting_expires_as_ended(domain):
    domain.live_meeting()
    dialled = dialling(domain)
    dialled.dial_out.call(add_phone())
    domain.store.meetings.mark_ended("m1", domain.clock.now(), "ended")
    domain.clock.advance(STALE_SECONDS + 1)
    dialled.dial_out.expire_stale()
    assert codes(dialled) == ["ringing", "ended"]


def test_card_lines_whose_end_was_never_heard_are_pruned(domain):
    lines = domain.store.dial_lines
    lines.put("m1", "leg-old", "Maria", "joined", domain.clock.now())
    domain.clock.advance(DIAL_LINE_SECONDS - 10)
    lines.put("m1", "leg-new", "Ada", "ringing", domain.clock.now())
    domain.clock.advance(20)
    assert Retention(domain.settings, domain.store, domain.clock).prune()["card dial lines"] == 1
    assert lines.of_meeting("m1") == [("Ada", "ringing")]
