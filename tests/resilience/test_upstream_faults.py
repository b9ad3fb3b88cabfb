"""Every flow against every way its upstream can fail: a 5xx, a timeout, a
refused connection, a 429 and a malformed JSON answer, held until the upstream recovers.

For each: the person is told in plain words (an ephemeral Slack message or the join page's
JSON error) or, where the flow can finish without the upstream, nothing goes wrong for them;
the database stays consistent (no half-made meeting, no PIN without its meeting, no bridge
left `connecting`); and once the fault clears, doing it again (or the sweeper) works.
"""

from __future__ import annotations

import pytest

from meetbridge import ncco, reasons
from meetbridge.phone_format import grouped_pin
from meetbridge.settings import load_settings
from tests.bridge_setup import admit_caller, connect_bridge, enter_pin, is_re_prompt, status_line
from tests.cards import card_of
from tests.resilience.upstreams import (
    FAULTS,
    inconsistencies,
    row_counts,
    slack_upstream,
    video_upstream,
    voice_upstream,
)
from tests.visitor import dial_allowed_again, joined, press
from tests.vonage_calls import bridge_leg_answer, dialled, new_uuid
from tests.waiting import wait_until

ADA, BOB, NEW_CALLER = "447700900101", "447700900102", "447700900199"
NOTHING = {"meetings": 0, "pins": 0, "bridge_calls": 0}
ONE_CALLER = "Phone bridge: *off* · 1 phone caller"
SLOW = 10  # seconds to wait for what the app does after acking, retries included


@pytest.fixture
def settings(base_env):
    """No auto-bridge: the only bridge is the one a test connects."""
    return load_settings(dict(base_env, AUTO_BRIDGE="false"))


@pytest.fixture(autouse=True)
def no_waiting_between_retries(app, services, monkeypatch) -> None:
    """The bridge's pause before its one dial retry, and the card's 1 s coalescing window."""
    monkeypatch.setattr(services.bridge, "sleep", lambda seconds: None)
    monkeypatch.setattr(app.extensions["meetbridge.cards"], "min_interval", 0.05)


@pytest.fixture
def upstreams(app, services, slack_user, fake_slack, fake_opentok, fake_vonage, voice_keypair):
    # A running server has already answered Slack once: Bolt calls auth.test on its first
    # request and keeps the answer. An outage during that very first call gets Bolt's own
    # answer (a 500, or "install this app"), which is outside these flows.
    assert slack_user.meet("help").status_code == 200
    return {"slack": slack_upstream(fake_slack, app), "video": video_upstream(fake_opentok, services),
            "voice": voice_upstream(fake_vonage, services, voice_keypair[0])}


def card_in_slack(fake_slack, services, meeting) -> dict:
    """The card as Slack holds it now (after every chat.update that got through)."""
    card = card_of(services.store, meeting.id)
    return fake_slack.message(card.channel, card.ts)


def gave_up_on_a_card_update(caplog) -> bool:
    """Lost (repaired by the next change), or held back by Slack's 429 (sent after Retry-After)."""
    return "card update failed" in caplog.text or "rate-limited by Slack" in caplog.text


# -- /meet: create_session, then chat.postMessage ------------------------------------------------

VIDEO_REASONS = {
    "5xx": "the video service gave an unexpected answer",
    "timeout": "the video service did not answer in time",
    "refused": "the video service could not be reached",
    "429": "the video service gave an unexpected answer",
    "malformed JSON": "the video service gave an unexpected answer",
}
SLACK_ERRORS = {"5xx": "internal_error", "timeout": "unreachable", "refused": "unreachable",
                "429": "ratelimited", "malformed JSON": "unexpected answer"}


def meet_failed(upstream: str, fault: str) -> str:
    if upstream == "video":
        return (f"Sorry, I couldn't start the meeting: {VIDEO_REASONS[fault]}. "
                "Nothing was created. Please try `/meet` again in a minute.")
    return (f"Sorry, I couldn't post the meeting card here (Slack said `{SLACK_ERRORS[fault]}`). "
            "Nothing was created. Please try again, or invite me to this channel.")


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("upstream", ["video", "slack"])
def test_meet_during_a_fault_says_nothing_was_created_and_works_once_it_clears(
        upstreams, upstream, fault, slack_user, fake_slack, services):
    failing = upstreams[upstream]
    failing.inject(fault, {"video": "create_session", "slack": "chat.postMessage"}[upstream])

    assert slack_user.meet("Plans").status_code == 200

    [told] = fake_slack.wait_for_response("meet", timeout=SLOW)
    assert (told["response_type"], told["text"]) == ("ephemeral", meet_failed(upstream, fault))
    assert (row_counts(services.store), inconsistencies(services.store)) == (NOTHING, {})

    failing.clear()
    slack_user.meet("Plans", response_key="retry")

    [card] = fake_slack.wait_for("chat.postMessage", timeout=SLOW)
    wait_until(lambda: services.store.database.query("SELECT 1 FROM slack_cards WHERE ts IS NOT NULL"))
    [meeting] = services.store.database.query("SELECT id, pin FROM meetings")
    assert card["blocks"][1]["accessory"]["url"].endswith(f"/rooms/{meeting['id']}")
    assert f"PIN {grouped_pin(meeting['pin'])}" in card["text"]
    assert (row_counts(services.store), inconsistencies(services.store)) == (
        {"meetings": 1, "pins": 1, "bridge_calls": 0}, {})


# -- Connect phone bridge: dial ------------------------------------------------------------------

DIAL_REASONS = {
    "5xx": "the video service had an internal error",
    "timeout": "the video service did not answer in time",
    "refused": "the video service could not be reached",
    "429": "the video service had an internal error",
    "malformed JSON": "the video service gave an unexpected answer",
}


def press_connect(via: str, meeting, slack_user, client, fake_slack, response_key: str) -> object:
    """What the person sees after pressing Connect on the card or on the join page."""
    if via == "card":
        slack_user.click("dial_out", meeting.id, response_key=response_key)
        return [sent["text"] for sent in fake_slack.wait_for_response(response_key, timeout=SLOW)]
    joined(client, meeting.id)
    response = press(client, meeting.id, "dial-out")
    return response.status_code, response.get_json()


def connect_failed(via: str, fault: str) -> object:
    reason = DIAL_REASONS[fault]
    if via == "card":
        return [f"Couldn't connect the phone bridge: {reason}. Press *Connect phone bridge* to try again."]
    return 502, {"error": f"Couldn't connect the phone bridge: {reason}.", "bridge": "failed"}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("via", ["card", "join page"])
def test_connect_during_a_video_fault_fails_the_bridge_plainly_and_a_later_connect_dials(
        upstreams, via, fault, start_meeting, slack_user, client, fake_slack, fake_opentok, services, clock):
    meeting = start_meeting("Standup")
    upstreams["video"].inject(fault, "dial")

    assert press_connect(via, meeting, slack_user, client, fake_slack, "click") == connect_failed(via, fault)

    bridge = services.store.bridges.latest(meeting.id)
    assert (bridge.state, reasons.word(bridge.reason, "en")) == ("failed", DIAL_REASONS[fault])
    assert inconsistencies(services.store) == {}
    # A dial that reached OpenTok after all rings our number later: that leg is ended, never joined.
    late_legs = [bridge_leg_answer(dial, new_uuid()).send(client).get_json()
                 for dial in fake_opentok.requests("dial")]
    assert late_legs == [[{"action": "talk", "text": ncco.NOT_EXPECTED}]] * len(late_legs)  # never an empty NCCO

    upstreams["video"].clear()
    dial_allowed_again(clock, services.bridge)  # the spending cap's interval between two dials
    if via == "card":
        slack_user.click("dial_out", meeting.id, response_key="retry")
    else:
        assert press(client, meeting.id, "dial-out").get_json() == {"bridge": "connecting"}
    dial = dialled(fake_opentok, services, meeting.id)
    assert bridge_leg_answer(dial, new_uuid()).send(client).get_json()[0]["action"] == "conversation"
    assert services.store.bridges.active(meeting.id).state == "connected"
    assert fake_slack.responses("retry") == []
    assert inconsistencies(services.store) == {}


# -- Hang up phone bridge: force_disconnect (OpenTok) and hang-up (Vonage) -------------------------

@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize(("upstream", "kind"), [("video", "force_disconnect"), ("voice", "hangup")])
def test_hang_up_during_a_fault_turns_the_bridge_off_and_the_sweep_finishes_the_job(
        upstreams, upstream, kind, fault, start_meeting, slack_user, client, fake_opentok, fake_vonage,
        services):
    meeting = start_meeting("Standup")
    connected = connect_bridge(slack_user, client, fake_opentok, fake_vonage, services, meeting)
    upstreams[upstream].inject(fault, kind)

    joined(client, meeting.id)
    response = press(client, meeting.id, "hang-up")

    assert (response.status_code, response.get_json()) == (200, {"bridge": "off", "message": "Phone bridge hung up."})
    bridge = services.store.bridges.latest(meeting.id)
    assert bridge.state == "off"
    assert [pending.id for pending in services.store.bridges.cleanup_pending()] == [bridge.id]
    assert inconsistencies(services.store) == {}

    upstreams[upstream].clear()
    services.lifecycle.sweep()

    assert fake_opentok.live_connections() == set()
    assert fake_vonage.call(connected.leg_uuid)["status"] == "completed"
    assert services.store.bridges.cleanup_pending() == []


# -- End meeting: caller hang-ups (Vonage) and the ended card (chat.update) -------------------------

def is_ended_card(card: dict) -> bool:
    return "meeting ended" in card["text"] and all(block["type"] != "actions" for block in card["blocks"])


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize(("upstream", "kind"), [("voice", "hangup"), ("slack", "chat.update")])
def test_end_meeting_during_a_fault_ends_it_and_what_was_left_is_finished_once_it_clears(
        upstreams, upstream, kind, fault, start_meeting, slack_user, client, fake_slack, fake_vonage,
        services, caplog):
    meeting = start_meeting("Standup")
    caller = admit_caller(client, fake_vonage, meeting.pin, ADA)
    wait_until(lambda: status_line(card_in_slack(fake_slack, services, meeting)) == ONE_CALLER)
    upstreams[upstream].inject(fault, kind)  # so the only card update it meets is the ended card

    slack_user.click("end_meeting", meeting.id, response_key="end")

    wait_until(lambda: not services.store.meetings.get(meeting.id).is_live)
    assert is_re_prompt(enter_pin(client, new_uuid(), meeting.pin, NEW_CALLER))  # the PIN is released
    if upstream == "voice":
        wait_until(lambda: services.store.legs.cleanup_pending(), timeout=SLOW)
    else:
        wait_until(lambda: gave_up_on_a_card_update(caplog), timeout=SLOW)
    assert inconsistencies(services.store) == {}

    upstreams[upstream].clear()
    slack_user.click("end_meeting", meeting.id, response_key="again")  # the starter tries again
    services.lifecycle.sweep()

    assert [sent["text"] for sent in fake_slack.wait_for_response("again")] == ["This meeting has already ended."]
    wait_until(lambda: is_ended_card(card_in_slack(fake_slack, services, meeting)), timeout=SLOW)
    assert fake_vonage.call(caller)["status"] == "completed"
    assert services.store.legs.cleanup_pending() == []
    assert fake_slack.responses("end") == []  # ending itself needed no apology
    assert inconsistencies(services.store) == {}


# -- Live card updates: chat.update --------------------------------------------------------------

@pytest.mark.parametrize("fault", FAULTS)
def test_a_card_update_lost_to_a_slack_fault_is_repaired_by_the_next_change(
        upstreams, fault, start_meeting, client, fake_slack, fake_vonage, services, caplog):
    meeting = start_meeting("Standup")
    upstreams["slack"].inject(fault, "chat.update")
    admit_caller(client, fake_vonage, meeting.pin, ADA)
    wait_until(lambda: gave_up_on_a_card_update(caplog), timeout=SLOW)
    assert meeting.id not in caplog.text  # a meeting id is a join credential: logs name a digest

    upstreams["slack"].clear()
    admit_caller(client, fake_vonage, meeting.pin, BOB)

    wait_until(lambda: status_line(card_in_slack(fake_slack, services, meeting))
               == "Phone bridge: *off* · 2 phone callers", timeout=SLOW)
    assert services.store.legs.callers_in(meeting.id) == 2
