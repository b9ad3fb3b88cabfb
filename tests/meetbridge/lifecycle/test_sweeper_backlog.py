"""The sweeper cannot be stalled: another meeting's idle bridge is hung up
on time behind 1,500 caller legs of an ended meeting still to hang up, with Vonage slow.

Unlike test_sweeper.py this runs the server's real sweeper threads on the real clock, with the
rules shortened through the settings' decimals: SWEEP_SECONDS=0.5, BRIDGE_IDLE_MINUTES=0.05 (3 s).
On the old sweeper (one pass hanging up leg after leg, 0.1 s each) the idle bridge was still up
minutes later.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from app import create_app
from meetbridge.clock import SystemClock
from meetbridge.settings import load_settings
from tests.bridge_setup import connect_bridge, hung_up_legs
from tests.waiting import wait_until

PHANTOMS = 1500
SWEEP_SECONDS, IDLE_SECONDS = 0.5, 3.0
SLOW_HANG_UP_SECONDS = 0.1
A_FEW_SECONDS = 2.5  # a rule is kept within SWEEP_SECONDS + a few seconds (2 shared CPU cores here)
BACKLOG_ENV = {"SWEEP_SECONDS": str(SWEEP_SECONDS), "BRIDGE_IDLE_MINUTES": str(IDLE_SECONDS / 60),
               "AUTO_BRIDGE": "false"}


@pytest.fixture
def app(base_env):
    """The whole server with its sweeper threads running on the real clock."""
    flask_app = create_app(load_settings(dict(base_env, **BACKLOG_ENV)), clock=SystemClock(), run_sweeper=True)
    yield flask_app
    flask_app.extensions["meetbridge.shutdown"]()


def seed_live_legs(services, meeting_id: str, count: int) -> list[str]:
    """Caller legs recorded as in the meeting. Vonage never placed these calls (phantoms), so
    each hang-up is a slow 404. Written straight into the table in one transaction: 3,000 webhooks
    would only slow the test down, and MAX_PHONE_CALLERS refuses that many now anyway."""
    legs = [str(uuid.uuid4()) for _ in range(count)]
    now = time.time()
    with services.store.transaction():
        for leg in legs:
            services.store.database.execute(
                "INSERT INTO phone_legs (uuid, meeting_id, joined_at, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?)", [leg, meeting_id, now, now, now])
    return legs


@pytest.mark.parametrize("how", ["legs left live in an ended meeting", "the starter presses End"])
def test_idle_bridge_is_hung_up_on_time_behind_1500_legs_to_hang_up(
        how, start_meeting, slack_user, client, services, fake_opentok, fake_vonage):
    crowded = start_meeting("Crowded")
    phantoms = seed_live_legs(services, crowded.id, PHANTOMS)
    quiet = start_meeting("Quiet")
    fake_vonage.delay("hangup", SLOW_HANG_UP_SECONDS)
    if how == "the starter presses End":
        threading.Thread(target=slack_user.click, args=("end_meeting", crowded.id), daemon=True).start()
    else:  # e.g. an End cut short by a restart, or callers admitted as it ended
        services.store.meetings.mark_ended(crowded.id, time.time(), "ended")
    wait_until(lambda: len(hung_up_legs(fake_vonage)) >= 8, timeout=30)  # the backlog is being worked on

    bridge = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, quiet)
    connected_at = services.store.bridges.active(quiet.id).connected_at

    deadline = IDLE_SECONDS + SWEEP_SECONDS + A_FEW_SECONDS
    wait_until(lambda: bridge.leg_uuid in hung_up_legs(fake_vonage), timeout=deadline + 1)
    hung_up_after = services.store.bridges.latest(quiet.id).ended_at - connected_at
    print(f"\nidle bridge hung up {hung_up_after:.2f} s after it connected ({how}); "
          f"{len(hung_up_legs(fake_vonage))} of {PHANTOMS} backlog hang-ups done by then")
    assert IDLE_SECONDS <= hung_up_after <= deadline
    assert services.store.bridges.latest(quiet.id).reason == "idle"
    assert len(set(hung_up_legs(fake_vonage)) & set(phantoms)) < PHANTOMS  # the backlog was still there
