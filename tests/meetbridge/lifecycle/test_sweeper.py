"""The sweeper, the cost guard: expiry, idle bridges, stuck dials, retries.

The FakeClock is moved and `Lifecycle.sweep()` called directly, so every time rule is tested
to the second without sleeping. Two real processes sweeping one database file show that the
claims are in SQLite, not in luck.
"""

from __future__ import annotations

import pytest

from meetbridge.settings import load_settings
from tests.bridge_setup import (
    admit_caller,
    bridge_answer_query,
    connect_bridge,
    dial_connection_id,
    disconnected,
    ended_section,
    enter_pin,
    hung_up_legs,
    is_re_prompt,
    leg_completed,
    new_uuid,
    start_dial,
    wait_for_card,
    wait_for_status,
)
from tests.meetbridge.lifecycle.sweeper_process import sweep_in_two_processes
from tests.waiting import wait_until

TTL_MINUTES = 30
ADA, BOB = "447700900101", "447700900102"
LIFECYCLE_ENV = {"MEETING_TTL_HOURS": "0.5", "AUTO_BRIDGE": "false"}


@pytest.fixture
def lifecycle_env(base_env) -> dict[str, str]:
    return dict(base_env, **LIFECYCLE_ENV)


@pytest.fixture
def settings(lifecycle_env):
    return load_settings(lifecycle_env)


# -- expiry -----------------------------------------------------------------------------------

def test_meeting_is_not_ended_before_its_ttl(start_meeting, slack_user, client, services, clock,
                                            fake_opentok, fake_vonage):
    meeting = start_meeting("Standup")
    connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    admit_caller(client, fake_vonage, meeting.pin, ADA)
    clock.advance(TTL_MINUTES * 60 - 1)

    services.lifecycle.sweep()

    assert services.store.meetings.get(meeting.id).is_live
    assert (hung_up_legs(fake_vonage), disconnected(fake_opentok)) == ([], [])


def test_meeting_past_its_ttl_is_ended_by_the_sweep_with_every_leg_hung_up(
        start_meeting, slack_user, client, services, clock, fake_opentok, fake_vonage, fake_slack):
    meeting = start_meeting("Standup")
    bridge = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    callers = [admit_caller(client, fake_vonage, meeting.pin, number) for number in (ADA, BOB)]
    clock.advance(TTL_MINUTES * 60)

    services.lifecycle.sweep()

    ended = services.store.meetings.get(meeting.id)
    assert (ended.ended_at, ended.ended_reason) == (clock.now(), "expired")
    assert disconnected(fake_opentok) == [(bridge.session_id, bridge.connection_id)]
    assert sorted(hung_up_legs(fake_vonage)) == sorted([bridge.leg_uuid, *callers])
    assert services.store.pins.live_meeting_id(meeting.pin) is None
    assert is_re_prompt(enter_pin(client, new_uuid(), meeting.pin, "447700900199"))
    assert client.get(f"/rooms/{meeting.id}").status_code == 410
    card = wait_for_card(fake_slack, lambda card: "meeting ended" in card["text"])
    assert ended_section("U0ADA", TTL_MINUTES) in card["blocks"]
    assert [block["type"] for block in card["blocks"]].count("actions") == 0


def test_a_second_sweep_after_expiry_hangs_up_nothing_more(start_meeting, slack_user, client, services, clock,
                                                          fake_opentok, fake_vonage):
    meeting = start_meeting("Standup")
    connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    admit_caller(client, fake_vonage, meeting.pin, ADA)
    clock.advance(TTL_MINUTES * 60)
    services.lifecycle.sweep()

    services.lifecycle.sweep()

    assert (len(hung_up_legs(fake_vonage)), len(disconnected(fake_opentok))) == (2, 1)


# -- idle bridge ------------------------------------------------------------------------------

def test_bridge_with_no_callers_is_hung_up_after_bridge_idle_minutes(
        start_meeting, slack_user, client, services, clock, fake_opentok, fake_vonage, fake_slack):
    meeting = start_meeting("Standup")
    bridge = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    clock.advance(5 * 60 - 1)
    services.lifecycle.sweep()
    assert (hung_up_legs(fake_vonage), disconnected(fake_opentok)) == ([], [])

    clock.advance(1)
    services.lifecycle.sweep()

    assert disconnected(fake_opentok) == [(bridge.session_id, bridge.connection_id)]
    assert hung_up_legs(fake_vonage) == [bridge.leg_uuid]
    latest = services.store.bridges.latest(meeting.id)
    assert (latest.state, latest.reason) == ("off", "idle")
    assert services.store.meetings.get(meeting.id).is_live  # only the bridge goes, not the meeting
    wait_for_status(fake_slack, "Phone bridge: *off* · 0 phone callers\nPhone bridge hung up: no callers for 5 min")


def test_bridge_with_a_caller_in_is_not_hung_up(start_meeting, slack_user, client, services, clock,
                                               fake_opentok, fake_vonage):
    meeting = start_meeting("Standup")
    connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    admit_caller(client, fake_vonage, meeting.pin, ADA)
    clock.advance(TTL_MINUTES * 60 - 60)

    services.lifecycle.sweep()

    assert (hung_up_legs(fake_vonage), disconnected(fake_opentok)) == ([], [])
    assert services.store.bridges.active(meeting.id).state == "connected"


def test_idle_time_counts_from_when_the_last_caller_left_not_from_connect(
        start_meeting, slack_user, client, services, clock, fake_opentok, fake_vonage):
    meeting = start_meeting("Standup")
    bridge = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    caller = admit_caller(client, fake_vonage, meeting.pin, ADA)
    clock.advance(10 * 60)
    leg_completed(client, caller, ADA)
    clock.advance(5 * 60 - 1)
    services.lifecycle.sweep()
    assert (hung_up_legs(fake_vonage), disconnected(fake_opentok)) == ([], [])

    clock.advance(1)
    services.lifecycle.sweep()

    assert hung_up_legs(fake_vonage) == [bridge.leg_uuid]
    assert disconnected(fake_opentok) == [(bridge.session_id, bridge.connection_id)]


# -- a dial nobody answered -------------------------------------------------------------------

def test_dial_without_an_answer_webhook_within_45_seconds_is_failed_and_disconnected(
        start_meeting, slack_user, client, services, clock, fake_opentok, fake_vonage, fake_slack):
    meeting = start_meeting("Standup")
    dial = start_dial(slack_user, fake_opentok, services, meeting.id)
    connection_id = dial_connection_id(fake_opentok, meeting.session_id)
    clock.advance(44)
    services.lifecycle.sweep()
    assert (services.store.bridges.active(meeting.id).state, disconnected(fake_opentok)) == ("connecting", [])

    clock.advance(1)
    services.lifecycle.sweep()

    latest = services.store.bridges.latest(meeting.id)
    assert (latest.state, latest.reason) == ("failed", "unanswered")
    assert disconnected(fake_opentok) == [(meeting.session_id, connection_id)]
    assert hung_up_legs(fake_vonage) == []  # no Vonage leg was ever announced
    wait_for_status(fake_slack, "Phone bridge: *failed: the phone network never answered the bridge call*"
                                " · 0 phone callers")
    late = client.get("/voice-answer", query_string=bridge_answer_query(dial, new_uuid()))
    # A leg that turns up after all is ended at once (a short goodbye, never an empty NCCO), not joined.
    assert [action["action"] for action in late.get_json()] == ["talk"]


# -- two sweepers at once ---------------------------------------------------------------------

def test_two_processes_sweeping_at_once_hang_up_each_leg_exactly_once(
        start_meeting, slack_user, client, services, clock, fake_opentok, fake_vonage, lifecycle_env):
    expiring = start_meeting("Expiring")
    expiring_bridge = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, expiring)
    callers = [admit_caller(client, fake_vonage, expiring.pin, number) for number in (ADA, BOB)]
    clock.advance(25 * 60)
    idle = start_meeting("Idle")
    idle_bridge = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, idle)
    clock.advance(5 * 60)
    stuck = start_meeting("Stuck")
    start_dial(slack_user, fake_opentok, services, stuck.id)
    stuck_connection = dial_connection_id(fake_opentok, stuck.session_id)
    fake_vonage.delay("hangup", 0.2)  # both sweepers are mid-pass together
    fake_opentok.delay("force_disconnect", 0.2)

    assert sweep_in_two_processes(lifecycle_env, clock.now() + 60) == [0, 0]

    assert sorted(hung_up_legs(fake_vonage)) == sorted([expiring_bridge.leg_uuid, *callers, idle_bridge.leg_uuid])
    assert sorted(disconnected(fake_opentok)) == sorted([
        (expiring.session_id, expiring_bridge.connection_id), (idle.session_id, idle_bridge.connection_id),
        (stuck.session_id, stuck_connection)])
    states = [services.store.bridges.latest(meeting.id).state for meeting in (expiring, idle, stuck)]
    assert states == ["off", "off", "failed"]
    assert [services.store.meetings.get(m.id).ended_reason for m in (expiring, idle, stuck)] == [
        "expired", None, None]


def test_two_processes_sweeping_at_once_retry_a_failed_hang_up_exactly_once(
        start_meeting, slack_user, client, services, clock, fake_opentok, fake_vonage, lifecycle_env):
    meeting = start_meeting("Standup")
    bridge = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    caller = admit_caller(client, fake_vonage, meeting.pin, ADA)
    fake_vonage.http_status("hangup", 500, times=2)
    slack_user.click("end_meeting", meeting.id)
    fake_vonage.wait_for("hangup", 2)
    wait_until(lambda: services.store.legs.cleanup_pending() and services.store.bridges.cleanup_pending())
    fake_vonage.delay("hangup", 0.3)  # both sweepers see the pending rows before either finishes

    assert sweep_in_two_processes(lifecycle_env, clock.now()) == [0, 0]

    assert sorted(hung_up_legs(fake_vonage)[2:]) == sorted([bridge.leg_uuid, caller])
    assert [fake_vonage.call(uuid)["status"] for uuid in (bridge.leg_uuid, caller)] == ["completed"] * 2
    assert (services.store.legs.cleanup_pending(), services.store.bridges.cleanup_pending()) == ([], [])


# -- legs the events forgot -------------------------------------------------------------------

def test_caller_whose_completed_event_was_lost_is_found_gone_and_the_bridge_then_idles(
        start_meeting, slack_user, client, services, clock, fake_opentok, fake_vonage):
    meeting = start_meeting("Standup")
    bridge = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    caller = admit_caller(client, fake_vonage, meeting.pin, ADA)
    fake_vonage.add_call(caller, status="completed", from_=ADA)  # Vonage knows; we were never told
    clock.advance(10 * 60)
    services.lifecycle.sweep()
    assert services.store.legs.callers_in(meeting.id) == 0
    assert [r["uuid"] for r in fake_vonage.requests("get_call")] == [caller]

    clock.advance(5 * 60)
    services.lifecycle.sweep()

    assert hung_up_legs(fake_vonage) == [bridge.leg_uuid]


def test_caller_still_connected_after_ten_silent_minutes_is_kept(
        start_meeting, slack_user, client, services, clock, fake_opentok, fake_vonage):
    meeting = start_meeting("Standup")
    connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    admit_caller(client, fake_vonage, meeting.pin, ADA)
    clock.advance(10 * 60)
    services.lifecycle.sweep()
    clock.advance(5 * 60)
    services.lifecycle.sweep()

    assert services.store.legs.callers_in(meeting.id) == 1
    assert hung_up_legs(fake_vonage) == []


def test_caller_admitted_as_the_meeting_ended_is_hung_up_by_the_next_sweep(
        start_meeting, client, services, clock, fake_vonage):
    meeting = start_meeting("Standup")
    caller = admit_caller(client, fake_vonage, meeting.pin, ADA)
    # The race: the meeting is marked ended between this caller's PIN check and the end's
    # look-up of live legs, so end() never saw the leg.
    services.store.meetings.mark_ended(meeting.id, clock.now(), "ended")

    services.lifecycle.sweep()
    services.lifecycle.sweep()

    assert hung_up_legs(fake_vonage) == [caller]


def test_two_processes_sweeping_at_once_ask_vonage_about_each_lone_caller_once(
        start_meeting, slack_user, client, services, clock, fake_opentok, fake_vonage, lifecycle_env):
    meeting = start_meeting("Standup")
    connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    callers = [admit_caller(client, fake_vonage, meeting.pin, f"4477009003{n:02d}") for n in range(6)]
    fake_vonage.delay("get_call", 0.2)  # both sweepers are looking legs up together

    assert sweep_in_two_processes(lifecycle_env, clock.now() + 5 * 60) == [0, 0]

    assert sorted(request["uuid"] for request in fake_vonage.requests("get_call")) == sorted(callers)
