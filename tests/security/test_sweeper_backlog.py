"""A backlog of phantom legs cannot stall the sweeper (1,500 phantom legs),
end to end: gunicorn's two workers with their own sweeper threads, the crowded meeting ended by
its starter's button, the quiet meeting's bridge connected over HTTP, Vonage slow to hang up.

tests/meetbridge/lifecycle/test_sweeper_backlog.py proves the same rule in depth (both ways a backlog
arises, timings); this is the thin version through real ports and processes. The legs are
written into the database file as the old code left them: MAX_PHONE_CALLERS refuses that many
through the webhooks now, and 3,000 webhooks would only slow the suite.
"""

from __future__ import annotations

import time
import uuid

from tests.security.measurements import record
from tests.security.steps import click, connect_bridge, start_meeting
from tests.waiting import wait_until

BACKLOG = 1500
SLOW_HANG_UP_SECONDS = 0.1
A_FEW_SECONDS = 3.0  # a rule is kept within SWEEP_SECONDS + a few seconds (2 shared cores)


def seed_live_legs(app, meeting_id: str, count: int) -> set[str]:
    legs = {str(uuid.uuid4()) for _ in range(count)}
    now = time.time()
    with app.store.transaction():
        for leg in legs:
            app.store.database.execute(
                "INSERT INTO phone_legs (uuid, meeting_id, joined_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                [leg, meeting_id, now, now, now])
    return legs


def forget_backlog(app, meeting_id: str) -> None:
    """The session's server need not spend its shutdown hanging up what the test made up."""
    app.store.database.execute("UPDATE phone_legs SET left_at = ? WHERE meeting_id = ? AND left_at IS NULL",
                               [time.time(), meeting_id])


def hung_up(app) -> list[str]:
    return [request["uuid"] for request in app.vonage.requests("hangup")]


def test_another_meetings_idle_bridge_is_hung_up_on_time_behind_1500_legs_to_hang_up(two_workers):
    app = two_workers
    idle, sweep = app.settings.bridge_idle_seconds, app.settings.sweep_seconds
    crowded, quiet = start_meeting(app, "Crowded"), start_meeting(app, "Quiet")
    backlog = seed_live_legs(app, crowded.id, BACKLOG)
    app.vonage.delay("hangup", SLOW_HANG_UP_SECONDS)
    try:
        assert click(app, "end_meeting", crowded.id).status_code == 200
        wait_until(lambda: len(set(hung_up(app)) & backlog) >= 8)  # the backlog is being worked on
        bridge_leg = connect_bridge(app, quiet)
        connected_at = app.store.bridges.active(quiet.id).connected_at

        wait_until(lambda: bridge_leg in hung_up(app), timeout=idle + sweep + A_FEW_SECONDS + 1)
        bridge = app.store.bridges.latest(quiet.id)
        backlog_done = len(set(hung_up(app)) & backlog)
    finally:
        app.vonage.delay("hangup", 0)
        forget_backlog(app, crowded.id)

    hung_up_after = bridge.ended_at - connected_at
    assert idle <= hung_up_after <= idle + sweep + A_FEW_SECONDS
    assert bridge.reason == "idle"
    assert backlog_done < BACKLOG  # the backlog was still there
    record("idle bridge behind 1,500 legs to hang up", "hung up after 92 s (3 s rule)",
           f"hung up after {hung_up_after:.1f} s (3 s rule), {backlog_done} of {BACKLOG} legs hung up by then")
