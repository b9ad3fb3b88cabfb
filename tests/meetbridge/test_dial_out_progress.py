"""A dialled call's progress: every Vonage status → the code people are told, and the press-1
flow in the domain (pure: temp-file store, fake clock, no HTTP)."""

from __future__ import annotations

import pytest

from meetbridge import ncco
from meetbridge.dial_out_status import PROGRESS_CODES, progress_code
from meetbridge.phone_entry import CallerLeg
from meetbridge.retention import Retention
from tests.meetbridge.dial_out_domain import add_phone, call_me, dialling

# Every status of the Voice API's call-status enum and event webhook reference.
BEFORE_JOINING = {
    "started": None, "ringing": "ringing", "answered": None, "human": None, "machine": "voicemail",
    "busy": "busy", "timeout": "no_answer", "unanswered": "no_answer", "rejected": "declined",
    "failed": "failed", "cancelled": "failed", "completed": "declined", "disconnected": None,
}


def in_meeting(domain) -> list[dict]:
    """The meeting's conversation, with the in-meeting keypad every joined caller gets."""
    return ncco.join_conversation("conv-m1", keypad_url=ncco.keypad_url(domain.settings.server_url))


@pytest.mark.parametrize("status", list(BEFORE_JOINING))
def test_each_status_before_the_callee_pressed_1(status):
    assert progress_code(status, joined=False) == BEFORE_JOINING[status]


@pytest.mark.parametrize("status", list(BEFORE_JOINING))
def test_after_joining_only_completed_counts_and_means_left(status):
    assert progress_code(status, joined=True) == ("left" if status == "completed" else None)


def test_every_code_is_reachable():
    # joined: by pressing 1; left: completed after joining; ended: the meeting's End hung it up
    reached = {code for code in BEFORE_JOINING.values() if code} | {"left", "joined", "ended"}
    assert reached == set(PROGRESS_CODES)


def test_unknown_statuses_tell_nothing():
    assert progress_code("transfer", joined=False) is None and progress_code("record", joined=True) is None


def test_press_1_joins_and_the_bridge_is_asked_for(domain):
    domain.live_meeting()
    asked: list[str] = []
    dialled = dialling(domain, auto_bridge=True)
    dialled.dial_out.answers.connect_bridge = asked.append  # the press-1 side dials the bridge
    uuid = dialled.dial_out.call(call_me()).call_uuid
    pressed = dialled.dial_out.press(uuid, "1", timed_out=False)
    assert pressed is not None and pressed.joined and pressed.meeting_id == "m1"
    assert pressed.ncco == in_meeting(domain)
    assert domain.store.legs.callers_in("m1") == 1 and "m1" in domain.changed
    for job in domain.dialled_in_background:
        job()
    assert asked == ["m1"]
    assert [p.code for p in dialled.progress] == ["ringing", "joined"]


def test_a_press_for_a_leg_the_meeting_did_not_dial_is_not_dial_outs(domain):
    domain.live_meeting()
    assert dialling(domain).dial_out.press("0b3c5c51-2a8e-4a55-9d3a-4e2b1f7b1f00", "1", False) is None


def test_a_dialled_leg_never_gets_a_pin_attempt(domain):
    """Routed wrongly to the PIN flow, a dialled leg is still only told goodbye (meeting_id is set)."""
    meeting = domain.live_meeting()
    uuid = dialling(domain).dial_out.call(add_phone()).call_uuid
    outcome = domain.calls.phone_entry.enter_pin(CallerLeg(uuid, None), meeting.pin, False)
    assert not outcome.joined and domain.store.legs.callers_in("m1") == 0


def test_a_press_after_the_leg_ended_does_not_join(domain):
    domain.live_meeting()
    dialled = dialling(domain)
    uuid = dialled.dial_out.call(add_phone()).call_uuid
    domain.calls.phone_entry.call_status(uuid, "completed")
    dialled.dial_out.call_event(uuid, "completed")
    pressed = dialled.dial_out.press(uuid, "1", timed_out=False)
    assert pressed is not None and not pressed.joined
    assert domain.store.legs.callers_in("m1") == 0


def test_dialled_calls_are_forgotten_after_the_retention_period(domain):
    domain.live_meeting(lifetime=40 * 86400)
    dialling(domain).dial_out.call(add_phone())
    retention = Retention(domain.settings, domain.store, domain.clock)
    retention.prune()
    assert len(domain.store.database.query("SELECT id FROM dial_outs")) == 1
    domain.clock.advance(domain.settings.retention_seconds + 1)
    assert retention.prune()["dial-out calls"] == 1
    assert domain.store.database.query("SELECT id FROM dial_outs") == []


def test_input_again_for_a_joined_leg_keeps_it_in(domain):
    domain.live_meeting()
    dialled = dialling(domain)
    uuid = dialled.dial_out.call(add_phone()).call_uuid
    dialled.dial_out.press(uuid, "1", timed_out=False)
    again = dialled.dial_out.press(uuid, "2", timed_out=False)
    assert again is not None and again.joined and again.ncco == in_meeting(domain)
    assert domain.store.legs.callers_in("m1") == 1
    assert [p.code for p in dialled.progress] == ["ringing", "joined"]
