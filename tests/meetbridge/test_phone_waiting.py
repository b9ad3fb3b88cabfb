"""A caller never sits in silence: music and "the others have been told" while nobody can hear
them, stopped as soon as someone can; the starter's direct message at most every 5 minutes.

Driven through the app's real edges (signed Slack clicks, Vonage webhooks, the session-monitoring
front door) against the fake Vonage, which records each Voice API request the music makes."""

from __future__ import annotations

import pytest

from app import create_app
from meetbridge.phone_waiting import OTHERS_TOLD, TELL_EVERY_SECONDS, TELL_STARTER_EVERY_SECONDS
from meetbridge.retention import WAITING_NOTICE_SECONDS
from meetbridge.words import translate
from tests.bridge_setup import (
    CONFERENCE_NUMBER,
    answer_query,
    bridge_answer_query,
    connect_bridge,
    dtmf_body,
    enter_pin,
    leg_completed,
    new_uuid,
)
from tests.waiting import wait_until

MUSIC = "http://127.0.0.1:9/phone/hold-music.mp3"
PATIENCE = 15.0  # seconds for the background pool under a loaded CI machine; met at once normally
MONITORED = {"VIDEO_EVENTS_SECRET": "video-events-secret-0123456789"}


def admit(client, fake_vonage, meeting, number: str) -> str:
    """A caller on the line at Vonage keys the right PIN; the leg's uuid."""
    leg = new_uuid()
    fake_vonage.add_call(leg, from_=number, to=CONFERENCE_NUMBER)
    actions = enter_pin(client, leg, meeting.pin, number)
    assert actions[-1] == {"action": "conversation", "name": meeting.conversation_name, "startOnEnter": True,
                           "endOnExit": False}
    return leg


def auto_bridge_answers(client, fake_opentok, fake_vonage, services, meeting) -> str:
    """The bridge the first caller started (AUTO_BRIDGE) is answered by Vonage: connected."""
    (dial,) = fake_opentok.wait_for("dial", timeout=PATIENCE)
    wait_until(lambda: getattr(services.store.bridges.latest(meeting.id), "connection_id", None), timeout=PATIENCE)
    leg = new_uuid()
    fake_vonage.add_call(leg, from_="sip:opentok@sip.nexmo.com")
    assert client.get("/voice-answer", query_string=bridge_answer_query(dial, leg)).status_code == 200
    assert services.store.bridges.active(meeting.id).state == "connected"
    return leg


def streams(fake_vonage, kind: str) -> list[str]:
    return [request["uuid"] for request in fake_vonage.requests(kind)]


def stopped(fake_vonage) -> set[str]:
    """The legs whose music was stopped. A start that finds the caller heard meanwhile stops the
    music once more itself (the stop may have reached Vonage before the start), so a leg can be
    stopped twice; both requests are for the same leg."""
    return {request["uuid"] for request in fake_vonage.wait_for("stop_stream", timeout=PATIENCE)}


def waiting_messages(fake_slack) -> list[dict]:
    return [message for message in fake_slack.requests("chat.postMessage")
            if message.get("text", "").startswith("A caller is waiting in")]


def test_a_lone_caller_hears_music_and_is_told_until_the_bridge_connects(
        start_meeting, client, fake_vonage, fake_opentok, fake_slack, services):
    meeting = start_meeting("Budget")
    leg = admit(client, fake_vonage, meeting, "447700900001")

    (started,) = fake_vonage.wait_for("start_stream", timeout=PATIENCE)
    assert started == {"uuid": leg, "stream_url": [MUSIC], "loop": 0}
    (told,) = fake_vonage.wait_for("start_talk", timeout=PATIENCE)
    assert (told["uuid"], told["text"]) == (leg, OTHERS_TOLD)
    wait_until(lambda: waiting_messages(fake_slack), timeout=PATIENCE)
    (message,) = waiting_messages(fake_slack)
    assert message["channel"] == "U0ADA"  # the starter, in the app's direct messages
    assert message["text"] == "A caller is waiting in Budget"
    (button,) = message["blocks"][1]["elements"]
    assert button["url"] == f"http://127.0.0.1:9/rooms/{meeting.id}"

    auto_bridge_answers(client, fake_opentok, fake_vonage, services, meeting)  # no session monitoring
    assert stopped(fake_vonage) == {leg}
    assert services.store.phone_waiting.is_waiting(leg) is False


@pytest.mark.parametrize("extra_env", [MONITORED])
def test_with_session_monitoring_the_bridge_alone_is_not_someone_who_hears(
        start_meeting, slack_user, client, fake_vonage, fake_opentok, services):
    meeting = start_meeting()
    connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    leg = admit(client, fake_vonage, meeting, "447700900001")
    assert [started["uuid"] for started in fake_vonage.wait_for("start_stream", timeout=PATIENCE)] == [leg]
    assert services.store.phone_waiting.is_waiting(leg)

    services.video_monitor.connection_event(meeting.session_id, "connectionCreated", "viewer-1", None)
    assert stopped(fake_vonage) == {leg}

    # Everyone leaves the video: the bridge is hung up and the caller, alone again, waits again.
    services.video_monitor.connection_event(meeting.session_id, "connectionDestroyed", "viewer-1", None)
    wait_until(lambda: len(fake_vonage.requests("start_stream")) == 2, timeout=PATIENCE)
    assert streams(fake_vonage, "start_stream") == [leg, leg]


def test_a_second_caller_is_someone_who_hears_the_first(start_meeting, client, fake_vonage, services):
    meeting = start_meeting()
    first = admit(client, fake_vonage, meeting, "447700900001")
    fake_vonage.wait_for("start_stream", timeout=PATIENCE)
    second = admit(client, fake_vonage, meeting, "447700900002")
    assert stopped(fake_vonage) == {first}
    assert streams(fake_vonage, "start_stream") == [first]  # the second never waits

    # The first hangs up: the second is alone now, and hears the music.
    leg_completed(client, first, "447700900001")
    wait_until(lambda: streams(fake_vonage, "start_stream") == [first, second], timeout=PATIENCE)


def test_the_waiting_caller_is_told_again_every_half_minute(start_meeting, client, fake_vonage, services, clock):
    meeting = start_meeting()
    leg = admit(client, fake_vonage, meeting, "447700900001")
    fake_vonage.wait_for("start_talk", timeout=PATIENCE)
    services.phone_waiting.tell_pass()
    assert len(fake_vonage.requests("start_talk")) == 1  # not yet due

    clock.advance(TELL_EVERY_SECONDS)
    services.phone_waiting.tell_pass()
    services.phone_waiting.tell_pass()  # once per round, however often the pass runs
    assert streams(fake_vonage, "start_talk") == [leg, leg]
    assert streams(fake_vonage, "start_stream") == [leg, leg]  # the music is asserted again too


def test_the_starter_is_told_once_per_meeting_per_five_minutes(start_meeting, client, fake_vonage,
                                                                fake_slack, clock):
    meeting = start_meeting("Standup")
    first = admit(client, fake_vonage, meeting, "447700900001")
    wait_until(lambda: waiting_messages(fake_slack), timeout=PATIENCE)
    leg_completed(client, first, "447700900001")
    admit(client, fake_vonage, meeting, "447700900002")  # waits too, a minute later
    fake_vonage.wait_for("start_stream", count=2, timeout=PATIENCE)
    assert len(waiting_messages(fake_slack)) == 1

    clock.advance(TELL_STARTER_EVERY_SECONDS)
    admit(client, fake_vonage, meeting, "447700900003")
    fake_vonage.wait_for("stop_stream", timeout=PATIENCE)  # the third hears the second: nobody waits, nobody is told
    assert len(waiting_messages(fake_slack)) == 1


def test_a_caller_waiting_after_five_minutes_is_told_to_the_starter_again(start_meeting, client, fake_vonage,
                                                                           fake_slack, clock):
    meeting = start_meeting("Standup")
    first = admit(client, fake_vonage, meeting, "447700900001")
    wait_until(lambda: waiting_messages(fake_slack), timeout=PATIENCE)
    leg_completed(client, first, "447700900001")
    clock.advance(TELL_STARTER_EVERY_SECONDS)
    admit(client, fake_vonage, meeting, "447700900002")
    wait_until(lambda: len(waiting_messages(fake_slack)) == 2, timeout=PATIENCE)


def test_two_hosts_tell_the_starter_once(start_meeting, client, fake_vonage, fake_slack, settings, clock):
    """The 5-minute rule holds across hosts on one database: each host has its own PhoneWaiting."""
    other_host = create_app(settings, clock=clock, run_sweeper=False)
    try:
        meeting = start_meeting("Standup")
        first = admit(client, fake_vonage, meeting, "447700900001")
        wait_until(lambda: waiting_messages(fake_slack), timeout=PATIENCE)
        leg_completed(client, first, "447700900001")
        second = admit(other_host.test_client(), fake_vonage, meeting, "447700900002")
        wait_until(lambda: streams(fake_vonage, "start_stream") == [first, second], timeout=PATIENCE)
        assert len(waiting_messages(fake_slack)) == 1
    finally:
        other_host.extensions["meetbridge.shutdown"]()


def test_the_waiting_caller_is_told_in_the_language_of_the_number_dialled(start_meeting, client, fake_vonage,
                                                                          services):
    meeting = start_meeting()
    leg = new_uuid()
    fake_vonage.add_call(leg, from_="447700900001", to=CONFERENCE_NUMBER)
    assert client.get("/voice-answer", query_string=answer_query(leg, "447700900001")).status_code == 200
    services.store.database.execute("UPDATE phone_legs SET language = 'de-DE' WHERE uuid = ?", [leg])
    client.post("/voice-dtmf", data=dtmf_body(leg, meeting.pin, "447700900001"),
                headers={"Content-Type": "application/json"})
    (told,) = fake_vonage.wait_for("start_talk", timeout=PATIENCE)
    assert (told["text"], told["language"]) == (translate(OTHERS_TOLD, "de-DE"), "de-DE")
    assert told["text"] != OTHERS_TOLD


def test_the_starters_notices_are_pruned_after_a_day(start_meeting, client, fake_vonage, fake_slack, services,
                                                     clock):
    meeting = start_meeting()
    admit(client, fake_vonage, meeting, "447700900001")
    wait_until(lambda: waiting_messages(fake_slack), timeout=PATIENCE)
    retention = services.lifecycle.retention
    assert retention.prune()["caller-waiting notices"] == 0
    clock.advance(max(WAITING_NOTICE_SECONDS, services.settings.meeting_ttl_seconds) + 1)
    assert retention.prune()["caller-waiting notices"] == 1


def test_the_bridge_dropping_leaves_the_caller_waiting_again(start_meeting, client, fake_vonage, fake_opentok,
                                                             services):
    meeting = start_meeting()
    leg = admit(client, fake_vonage, meeting, "447700900001")
    fake_vonage.wait_for("start_stream", timeout=PATIENCE)
    bridge_leg = auto_bridge_answers(client, fake_opentok, fake_vonage, services, meeting)
    fake_vonage.wait_for("stop_stream", timeout=PATIENCE)
    leg_completed(client, bridge_leg, "opentok")  # Vonage reports the bridge's leg ended
    wait_until(lambda: streams(fake_vonage, "start_stream") == [leg, leg], timeout=PATIENCE)
    assert services.store.phone_waiting.is_waiting(leg)
