"""What the sweeper guards besides expiry: callers Vonage does not
know never keep a bridge up, a bridge is hung up after BRIDGE_MAX_HOURS whatever else happens,
and the database keeps only what is inside its window.

The FakeClock is moved and `Lifecycle.sweep()` called directly (as cron's `cli.py sweep` does),
so every rule is tested to the minute without sleeping; Vonage is the fake over TLS, asked
through the real SDK.
"""

from __future__ import annotations

import pytest

from meetbridge.settings import load_settings
from tests.bridge_setup import (
    admit_caller,
    answer_query,
    connect_bridge,
    enter_pin,
    event_body,
    hung_up_legs,
    leg_completed,
    new_uuid,
    status_line,
    wait_for_card,
)

ADA, BOB, EVE = "447700900101", "447700900102", "447700900666"
IDLE_MINUTES = 5
GUARD_ENV = {"MEETING_TTL_HOURS": "2", "BRIDGE_MAX_HOURS": "0.5", "AUTO_BRIDGE": "false"}
DAY = 86400
NEVER_ADMITTED_SECONDS = 2 * 3600  # meetbridge/retention.py (named here so the test also runs,
PRUNE_BATCH = 500                  # and fails, on code without that module)


@pytest.fixture
def settings(base_env):
    return load_settings(dict(base_env, **GUARD_ENV))


def forged_event(client, leg_uuid: str, status: str, number: str) -> None:
    """A non-terminal event for a leg, as anyone could post it: it refreshes our own records."""
    response = client.post("/voice-events", data=event_body(leg_uuid, status, number),
                           headers={"Content-Type": "application/json"})
    assert response.status_code in (200, 204)


def phantom_caller(client, pin: str, number: str) -> str:
    """A caller admitted by webhooks for a call Vonage never placed (the fake knows no such call)."""
    leg_uuid = new_uuid()
    assert [action["action"] for action in enter_pin(client, leg_uuid, pin, number)] == ["talk", "input",
                                                                                         "conversation"]
    return leg_uuid


def lookups(fake_vonage) -> list[str]:
    return [request["uuid"] for request in fake_vonage.requests("get_call")]


# -- phantom callers -----------------------------------------------------------------------------

def test_phantom_caller_kept_fresh_by_forged_events_does_not_keep_the_bridge_up(
        start_meeting, slack_user, client, services, clock, fake_opentok, fake_vonage):
    meeting = start_meeting("Standup")
    bridge = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    phantom = phantom_caller(client, meeting.pin, EVE)

    minutes = 0
    while bridge.leg_uuid not in hung_up_legs(fake_vonage) and minutes < 4 * IDLE_MINUTES:
        clock.advance(60)
        minutes += 1
        forged_event(client, phantom, "answered", EVE)  # "still here", every minute
        services.lifecycle.sweep()

    assert bridge.leg_uuid in hung_up_legs(fake_vonage), f"bridge still connected after {minutes} min"
    # Asked about once it alone had kept the bridge up for BRIDGE_IDLE_MINUTES and closed on
    # Vonage's 404: never a caller, so the bridge had been idle since it connected, and the
    # idle rule hung it up on the next pass.
    assert minutes == IDLE_MINUTES + 1
    assert lookups(fake_vonage) == [phantom]
    assert services.store.legs.callers_in(meeting.id) == 0
    assert services.store.bridges.latest(meeting.id).reason == "idle"


def test_after_a_phantom_is_closed_the_idle_time_counts_from_when_the_last_real_caller_left(
        start_meeting, slack_user, client, services, clock, fake_opentok, fake_vonage):
    meeting = start_meeting("Standup")
    bridge = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    ada = admit_caller(client, fake_vonage, meeting.pin, ADA)
    clock.advance(60)
    phantom = phantom_caller(client, meeting.pin, EVE)
    clock.advance(60)
    leg_completed(client, ada, ADA)  # the phantom still "keeps" the bridge: no idle clock yet

    hung_up_at = None
    for minute in range(3, 4 * IDLE_MINUTES):
        clock.advance(60)
        services.lifecycle.sweep()
        if bridge.leg_uuid in hung_up_legs(fake_vonage):
            hung_up_at = minute
            break

    assert lookups(fake_vonage) == [phantom]  # asked about at minute 6, its 5th minute in
    assert hung_up_at == 7  # BRIDGE_IDLE_MINUTES after Ada left at minute 2, the first pass after the check


def test_a_real_caller_keeps_the_bridge_and_is_asked_about_once_per_idle_period(
        start_meeting, slack_user, client, services, clock, fake_opentok, fake_vonage):
    meeting = start_meeting("Standup")
    bridge = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    caller = admit_caller(client, fake_vonage, meeting.pin, ADA)

    for _ in range(4 * IDLE_MINUTES):
        clock.advance(60)
        services.lifecycle.sweep()

    assert services.store.bridges.active(meeting.id).state == "connected"
    assert bridge.leg_uuid not in hung_up_legs(fake_vonage)
    assert lookups(fake_vonage) == [caller] * 4  # at 5, 10, 15 and 20 minutes
    assert services.store.legs.callers_in(meeting.id) == 1


def test_many_phantoms_are_looked_up_a_bounded_batch_per_sweep_and_then_the_bridge_idles(
        start_meeting, slack_user, client, services, clock, fake_opentok, fake_vonage, fake_slack):
    meeting = start_meeting("Standup")
    bridge = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    real = admit_caller(client, fake_vonage, meeting.pin, ADA)
    phantoms = [phantom_caller(client, meeting.pin, f"4477009002{n:02d}") for n in range(20)]
    clock.advance(IDLE_MINUTES * 60)

    services.lifecycle.sweep()
    first = lookups(fake_vonage)
    services.lifecycle.sweep()

    assert len(first) == 16  # CHECKS_PER_PASS
    assert sorted(lookups(fake_vonage)) == sorted([real, *phantoms])  # each once
    assert services.store.legs.callers_in(meeting.id) == 1
    leg_completed(client, real, ADA)
    clock.advance(IDLE_MINUTES * 60)
    services.lifecycle.sweep()
    assert hung_up_legs(fake_vonage) == [bridge.leg_uuid]
    card = wait_for_card(fake_slack, lambda card: "no callers" in (status_line(card) or ""))
    assert status_line(card).startswith("Phone bridge: *off* · 0 phone callers")


# -- the bridge lifetime cap ---------------------------------------------------------------------

def test_bridge_is_hung_up_after_bridge_max_hours_even_with_a_caller_in(
        start_meeting, slack_user, client, services, clock, fake_opentok, fake_vonage, fake_slack):
    meeting = start_meeting("All hands")
    bridge = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    caller = admit_caller(client, fake_vonage, meeting.pin, ADA)
    clock.advance(30 * 60 - 1)
    services.lifecycle.sweep()
    assert services.store.bridges.active(meeting.id).state == "connected"

    clock.advance(1)
    services.lifecycle.sweep()

    assert hung_up_legs(fake_vonage) == [bridge.leg_uuid]  # the bridge only: the caller stays
    latest = services.store.bridges.latest(meeting.id)
    assert (latest.state, latest.reason) == ("off", "max_duration")
    assert services.store.meetings.get(meeting.id).is_live
    assert fake_vonage.call(caller)["status"] == "answered"
    wait_for_card(fake_slack, lambda card: (status_line(card) or "").endswith(
        "Phone bridge hung up: it was connected for the longest allowed (30 min)"))


# -- retention -----------------------------------------------------------------------------------

def count(services, table: str) -> int:
    services.store.webhook_log.flush()
    return services.store.database.query_one(f"SELECT count(*) AS n FROM {table}")["n"]


def test_rows_past_their_window_are_pruned_and_the_rest_kept(
        start_meeting, client, services, clock, fake_vonage):
    meeting = start_meeting("Standup")
    stayed, left = (admit_caller(client, fake_vonage, meeting.pin, number) for number in (ADA, BOB))
    leg_completed(client, left, BOB)
    never_admitted = new_uuid()
    assert client.get("/voice-answer", query_string=answer_query(never_admitted, EVE)).status_code == 200
    for n in range(2 * PRUNE_BATCH + 100):  # more than one batch
        services.store.webhook_log.record(clock.now(), "/voice-events", None, "test", f"old row {n}")
    old_audit = count(services, "webhook_log")
    assert count(services, "phone_legs") == 3

    clock.advance(NEVER_ADMITTED_SECONDS - 60)
    services.lifecycle.sweep()
    assert (count(services, "phone_legs"), count(services, "webhook_log")) == (3, old_audit)

    clock.advance(61)
    services.lifecycle.sweep()  # also ends the meeting (MEETING_TTL_HOURS=2): Ada is hung up now
    assert services.store.legs.get(never_admitted) is None
    assert count(services, "phone_legs") == 2
    assert hung_up_legs(fake_vonage) == [stayed]
    ada_left_at = clock.now()

    clock.advance(30 * DAY + 30 - NEVER_ADMITTED_SECONDS - 1)  # RETENTION_DAYS after the first rows
    services.store.webhook_log.record(clock.now(), "/voice-events", None, "test", "recent row")
    before = count(services, "webhook_log")
    services.lifecycle.sweep()

    print(f"\naudit rows {before} -> {count(services, 'webhook_log')}, legs 3 -> {count(services, 'phone_legs')}")
    assert count(services, "webhook_log") == before - old_audit
    assert [row["detail"] for row in services.store.webhook_log.recent(5)] == ["recent row"]
    assert services.store.legs.get(left) is None  # finished 30 days ago
    assert services.store.legs.get(stayed).left_at == ada_left_at  # finished 2 h later: kept


def test_pruning_stops_between_batches_when_its_time_is_up(start_meeting, services, clock):
    for n in range(3 * PRUNE_BATCH):
        services.store.webhook_log.record(clock.now(), "/voice-events", None, "test", f"row {n}")
    services.store.webhook_log.flush()
    clock.advance(31 * DAY)
    turns = iter([True, True, False])

    deleted = services.lifecycle.retention.prune(lambda: next(turns, False))

    assert deleted["audit rows"] == 2 * PRUNE_BATCH
    assert count(services, "webhook_log") == PRUNE_BATCH
