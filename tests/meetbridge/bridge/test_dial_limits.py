"""Dial spending is capped whoever asks: at most one dial per meeting every
BRIDGE_DIAL_INTERVAL_SECONDS and BRIDGE_DIALS_PER_HOUR, counted in the database so every worker
sees the same count. Over it: the page gets 429 + Retry-After, Slack an ephemeral explanation,
the card a line. Issue 11: one client made 1,126 OpenTok dials in 10 s looping dial/hang-up."""

from __future__ import annotations

import pytest

from app import create_app
from meetbridge import reasons
from meetbridge.bridge import DIAL_LIMIT_NOTICE
from meetbridge.errors import DialRateLimited
from tests.visitor import joined, press
from tests.vonage_calls import answer, dtmf, new_uuid
from tests.waiting import wait_until


def loop_dial_and_hang_up(client, clock, meeting_id: str, presses: int, seconds: float) -> list:
    """The attack: press dial-out then hang-up over and over, `presses` times in `seconds`."""
    answers = []
    for _ in range(presses):
        answers.append(press(client, meeting_id, "dial-out"))
        press(client, meeting_id, "hang-up")
        clock.advance(seconds / presses)
    return answers


def test_100_dial_out_presses_in_a_minute_make_at_most_2_sip_dials(start_meeting, client, clock, fake_opentok):
    meeting = start_meeting()
    joined(client, meeting.id)
    answers = loop_dial_and_hang_up(client, clock, meeting.id, presses=100, seconds=60)
    assert len(fake_opentok.requests("dial")) == 2  # at 0 s and 30 s
    refused = [a for a in answers if a.status_code == 429]
    assert (len(refused), sorted({a.status_code for a in answers})) == (98, [202, 429])
    first = answers[1]
    assert (first.headers["Retry-After"], first.get_json()) == ("30", {
        "error": "The phone bridge was dialled too often lately; try again in 30 s.", "retryAfter": 30})


@pytest.mark.parametrize("extra_env", [{"BRIDGE_DIALS_PER_HOUR": "3", "BRIDGE_DIAL_INTERVAL_SECONDS": "10"}])
def test_dials_per_hour_are_capped_and_retry_after_says_when_the_oldest_leaves(start_meeting, client, clock,
                                                                              fake_opentok, services):
    meeting = start_meeting()
    joined(client, meeting.id)
    for _ in range(3):
        assert press(client, meeting.id, "dial-out").status_code == 202
        press(client, meeting.id, "hang-up")
        clock.advance(11)
    refused = press(client, meeting.id, "dial-out")
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, str(3600 - 33))
    clock.advance(3600 - 33)
    assert press(client, meeting.id, "dial-out").status_code == 202
    assert len(fake_opentok.requests("dial")) == 4


def test_slack_button_over_the_cap_gets_an_ephemeral_and_the_card_a_line(start_meeting, slack_user, client,
                                                                         fake_slack, fake_opentok, services):
    meeting = start_meeting()
    slack_user.click("dial_out", meeting.id)
    fake_opentok.wait_for("dial")
    wait_until(lambda: services.store.bridges.active(meeting.id) is not None)
    services.bridge.hang_up(meeting.id, reason="hung up")
    slack_user.click("dial_out", meeting.id, response_key="again")
    assert fake_slack.wait_for_response("again") == [{
        "text": "The phone bridge was dialled too often lately, so it wasn't dialled now (a cap on phone costs). "
                "Try again in 30 s.", "response_type": "ephemeral", "replace_original": False}]
    wait_until(lambda: reasons.word(DIAL_LIMIT_NOTICE, "en") in str(fake_slack.requests("chat.update")[-1:]))
    assert len(fake_opentok.requests("dial")) == 1


def test_repeated_refusals_update_the_card_once(start_meeting, client, fake_slack, services, fake_opentok):
    meeting = start_meeting()
    joined(client, meeting.id)
    press(client, meeting.id, "dial-out")
    press(client, meeting.id, "hang-up")
    wait_until(lambda: services.store.meetings.get(meeting.id).bridge_notice is not None)
    changes = []
    services.changes.add(changes.append)
    for _ in range(20):
        assert press(client, meeting.id, "dial-out").status_code == 429
    assert (changes, services.store.meetings.get(meeting.id).bridge_notice) == ([meeting.id], DIAL_LIMIT_NOTICE)


def test_auto_bridge_is_capped_too(start_meeting, client, fake_opentok, services):
    meeting = start_meeting()
    joined(client, meeting.id)
    press(client, meeting.id, "dial-out")
    press(client, meeting.id, "hang-up")
    leg = new_uuid()
    answer(leg).send(client)
    dtmf(leg, meeting.pin).send(client)  # the first caller would start the bridge
    services.background.shutdown()  # every queued background job (the auto-bridge dial) has run
    assert services.store.legs.callers_in(meeting.id) == 1  # admitted: auto-bridge asked to dial
    assert len(fake_opentok.requests("dial")) == 1
    assert services.store.bridges.latest(meeting.id).state == "off"  # no second bridge row
    with pytest.raises(DialRateLimited):
        services.bridge.connect(meeting.id)


def test_the_cap_holds_across_workers_sharing_the_database(start_meeting, client, settings, clock,
                                                           fake_opentok, services):
    meeting = start_meeting()
    other_worker = create_app(settings, clock=clock, run_sweeper=False)
    try:
        other = other_worker.test_client()
        joined(client, meeting.id)
        joined(other, meeting.id)
        assert press(client, meeting.id, "dial-out").status_code == 202
        assert press(other, meeting.id, "hang-up").status_code == 200
        assert press(other, meeting.id, "dial-out").status_code == 429
    finally:
        other_worker.extensions["meetbridge.shutdown"]()
    assert len(fake_opentok.requests("dial")) == 1


def test_already_connecting_is_still_a_409_not_a_429(start_meeting, client, fake_opentok):
    meeting = start_meeting()
    joined(client, meeting.id)
    assert press(client, meeting.id, "dial-out").status_code == 202
    assert press(client, meeting.id, "dial-out").status_code == 409
