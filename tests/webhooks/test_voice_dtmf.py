"""/voice-dtmf: the PIN admits a caller to the meeting's conversation, nothing else does, and
guessing is bounded for the whole service."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest

from app import create_app
from meetbridge import ncco
from meetbridge.pin_guard import BUDGET_WINDOW_SECONDS, FORGET_AFTER_SECONDS, WITHHELD_FACTOR
from tests.vonage_calls import CALLER_NUMBER, answer, bridge_leg_answer, dialled, dtmf, legacy_dtmf, new_uuid
from tests.webhooks.callers import WRONG_PIN, fail_pins, goodbye, joined, new_call, reprompt

GOODBYE = goodbye(ncco.GOODBYE)
LOCKED_OUT = goodbye(ncco.LOCKED_OUT)
BUSY = goodbye(ncco.BUSY)


def legs_in_database(services) -> int:
    return services.store.database.query_one("SELECT count(*) AS n FROM phone_legs")["n"]


# -- admission ----------------------------------------------------------------------------------

def test_right_pin_joins_the_same_random_conversation_as_the_bridge_leg(start_meeting, client, services,
                                                                       fake_opentok):
    meeting = start_meeting("Planning")
    leg = new_call(client)
    response = dtmf(leg, meeting.pin).send(client)
    assert (response.status_code, response.mimetype) == (200, "application/json")
    assert response.get_json() == joined(meeting)
    assert meeting.id not in response.get_data(as_text=True)  # the meeting id is the join link
    assert services.store.legs.get(leg).meeting_id == meeting.id
    assert services.store.legs.callers_in(meeting.id) == 1
    # Auto-bridge dialled; the bridge leg lands in the conversation of the same name.
    bridge_ncco = bridge_leg_answer(dialled(fake_opentok, services, meeting.id), new_uuid()).send(client).get_json()
    assert bridge_ncco == [{"action": "conversation", "name": meeting.conversation_name, "startOnEnter": True,
                            "endOnExit": False}]


def test_conversation_names_are_random_per_meeting(start_meeting):
    first, second = start_meeting("One"), start_meeting("Two")
    names = [first.conversation_name, second.conversation_name]
    assert names[0] != names[1]
    assert all(name.startswith("meetbridge-") and len(name) == len("meetbridge-") + 32 for name in names)
    assert first.id not in names[0] and second.id not in names[1]


def test_right_pin_in_the_legacy_string_payload_joins(start_meeting, client, services):
    meeting = start_meeting()
    leg = new_call(client)
    assert legacy_dtmf(leg, meeting.pin).send(client).get_json() == joined(meeting)
    assert services.store.legs.callers_in(meeting.id) == 1


def test_wrong_pin_is_asked_again(start_meeting, client, settings, services):
    meeting = start_meeting()
    leg = new_call(client)
    assert dtmf(leg, WRONG_PIN).send(client).get_json() == reprompt(settings, ncco.RETRY)
    assert services.store.legs.get(leg).meeting_id is None
    assert services.store.legs.callers_in(meeting.id) == 0


@pytest.mark.parametrize("digits, timed_out", [("", False), (None, True), ("", True)])
def test_empty_or_timed_out_input_is_asked_again(client, settings, digits, timed_out):
    leg = new_call(client)
    response = dtmf(leg, digits, timed_out=timed_out).send(client)
    assert response.get_json() == reprompt(settings, ncco.NO_INPUT)


def test_legacy_timed_out_payload_is_asked_again(client, settings):
    leg = new_call(client)
    assert legacy_dtmf(leg, "", timed_out=True).send(client).get_json() == reprompt(settings, ncco.NO_INPUT)


@pytest.mark.parametrize("digits, timed_out", [(WRONG_PIN, False), ("", False), (None, True), ("12", False)])
def test_third_failed_attempt_says_goodbye_without_prompt_or_conversation(start_meeting, client, services,
                                                                         digits, timed_out):
    meeting = start_meeting()
    leg = new_call(client)
    answers = [dtmf(leg, digits, timed_out=timed_out).send(client).get_json() for _ in range(3)]
    assert [a[-1]["action"] for a in answers] == ["input", "input", "talk"]
    assert answers[-1] == GOODBYE
    assert services.store.legs.callers_in(meeting.id) == 0


def test_right_pin_after_two_wrong_ones_still_joins(start_meeting, client):
    meeting = start_meeting()
    leg = new_call(client)
    dtmf(leg, WRONG_PIN).send(client)
    dtmf(leg, "").send(client)
    assert dtmf(leg, meeting.pin).send(client).get_json() == joined(meeting)


def test_a_call_gets_no_check_after_its_last_attempt(start_meeting, client, services):
    """Attempts are counted before the look-up: the right PIN on the 4th…11th entry of one call
    is never checked (the old code admitted the 11th guess with PIN_ATTEMPTS=3)."""
    meeting = start_meeting()
    leg = new_call(client)
    for _ in range(3):
        dtmf(leg, WRONG_PIN).send(client)
    answers = [dtmf(leg, meeting.pin).send(client).get_json() for _ in range(8)]
    assert answers == [GOODBYE] * 8
    assert services.store.legs.callers_in(meeting.id) == 0
    assert services.store.legs.get(leg).attempts == 3


def test_dtmf_for_a_call_never_answered_gets_goodbye_and_stores_nothing(start_meeting, client, services):
    """A uuid /voice-answer never saw is not a phone call: no look-up, no row, no admission."""
    meeting = start_meeting()
    before = legs_in_database(services)
    for _ in range(3):
        assert dtmf(new_uuid(), meeting.pin).send(client).get_json() == goodbye(ncco.NOT_EXPECTED)
    assert legs_in_database(services) == before
    assert services.store.legs.callers_in(meeting.id) == 0
    assert services.store.pin_guard.lockout(CALLER_NUMBER) is None


def test_a_repeated_input_webhook_of_an_admitted_caller_joins_again(start_meeting, client, services):
    meeting = start_meeting()
    leg = new_call(client)
    dtmf(leg, meeting.pin).send(client)
    assert dtmf(leg, meeting.pin).send(client).get_json() == joined(meeting)
    assert services.store.legs.callers_in(meeting.id) == 1


def test_pin_of_an_ended_meeting_is_refused(start_meeting, client, services, settings):
    meeting = start_meeting()
    assert services.lifecycle.end(meeting.id, reason="ended")
    leg = new_call(client)
    assert dtmf(leg, meeting.pin).send(client).get_json() == reprompt(settings, ncco.RETRY)
    assert services.store.legs.get(leg).meeting_id is None


def test_pin_of_a_meeting_past_its_lifetime_is_refused(start_meeting, client, clock, settings):
    meeting = start_meeting()
    clock.advance(settings.meeting_ttl_seconds + 1)
    leg = new_call(client)
    assert dtmf(leg, meeting.pin).send(client).get_json() == reprompt(settings, ncco.RETRY)


@pytest.mark.parametrize("extra_env", [{"MAX_PHONE_CALLERS": "2"}])
def test_a_full_meeting_turns_the_next_caller_away_without_counting_a_failure(start_meeting, client, services,
                                                                            settings):
    meeting = start_meeting()
    for number in ("447700900201", "447700900202"):
        assert dtmf(new_call(client, number), meeting.pin, from_=number).send(client).get_json() == joined(meeting)
    leg = new_call(client, "447700900203")
    assert dtmf(leg, meeting.pin, from_="447700900203").send(client).get_json() == goodbye(ncco.FULL)
    assert services.store.legs.callers_in(meeting.id) == 2
    assert services.store.pin_guard.gate("447700900203", 0).budget_used == 0
    assert dtmf(leg, meeting.pin).send(client).get_json() == GOODBYE  # that call is over


# -- lock-outs ----------------------------------------------------------------------------------

def test_number_with_too_many_failures_is_refused_without_prompt(start_meeting, client, settings, services):
    meeting = start_meeting()
    waiting = new_call(client)  # got its prompt before the lock-out
    fail_pins(client, settings.pin_lockout_failures)
    assert answer(new_uuid()).send(client).get_json() == LOCKED_OUT
    # Even the right PIN, from a call that got a prompt before the lockout, is refused now.
    assert dtmf(waiting, meeting.pin).send(client).get_json() == LOCKED_OUT
    assert services.store.legs.callers_in(meeting.id) == 0


def test_one_failure_short_of_the_lockout_still_gets_the_prompt(client, settings):
    fail_pins(client, settings.pin_lockout_failures - 1)
    assert answer(new_uuid()).send(client).get_json()[-1]["action"] == "input"


def test_lockout_counts_one_number_only(client, settings):
    fail_pins(client, settings.pin_lockout_failures)
    assert answer(new_uuid(), from_="447700900999").send(client).get_json()[-1]["action"] == "input"


def test_first_lockout_lasts_one_minute_not_fifteen(start_meeting, client, clock, settings):
    """A spoofed lock-out of a real person costs them a minute."""
    meeting = start_meeting()
    fail_pins(client, settings.pin_lockout_failures)
    clock.advance(59)
    assert answer(new_uuid()).send(client).get_json() == LOCKED_OUT
    clock.advance(2)
    assert dtmf(new_call(client), meeting.pin).send(client).get_json() == joined(meeting)


def test_lockouts_back_off_one_two_four_minutes(client, clock, settings):
    lengths = []
    for _ in range(3):
        fail_pins(client, settings.pin_lockout_failures)
        locked_for = 0
        while answer(new_uuid()).send(client).get_json() == LOCKED_OUT:
            clock.advance(30)
            locked_for += 30
        lengths.append(locked_for)
    assert lengths == [60, 120, 240]


def test_strikes_are_forgotten_after_a_quiet_hour(client, clock, settings):
    for _ in range(3):  # three lock-outs: the next would last 8 minutes
        fail_pins(client, settings.pin_lockout_failures)
        clock.advance(4 * 60 + 1)
    clock.advance(FORGET_AFTER_SECONDS + 1)
    fail_pins(client, settings.pin_lockout_failures)
    clock.advance(61)
    assert answer(new_uuid()).send(client).get_json()[-1]["action"] == "input"


def test_failures_apart_by_more_than_fifteen_minutes_start_a_new_run(client, clock, settings):
    fail_pins(client, settings.pin_lockout_failures - 1)
    clock.advance(15 * 60 + 1)
    fail_pins(client, settings.pin_lockout_failures - 1)
    assert answer(new_uuid()).send(client).get_json()[-1]["action"] == "input"


@pytest.mark.parametrize("extra_env", [{"PIN_LOCKOUT_FAILURES": "4"}])
def test_withheld_numbers_share_one_key_with_a_higher_threshold(start_meeting, client, settings, services):
    """Rotating 'no number', 'Unknown' and junk does not escape the lock-out (the old code
    limited withheld callers per call only: 450 guesses over 150 calls, no lock-out)."""
    meeting = start_meeting()
    threshold = settings.pin_lockout_failures * WITHHELD_FACTOR
    for index in range(threshold - 1):
        from_ = [None, "Unknown", "anonymous"][index % 3]
        dtmf(new_call(client, from_), WRONG_PIN, from_=from_).send(client)
    waiting = new_call(client, None)
    dtmf(waiting, WRONG_PIN, from_=None).send(client)  # the threshold-th failure
    for from_ in (None, "Unknown", "12"):
        assert answer(new_uuid(), from_=from_).send(client).get_json() == LOCKED_OUT
    assert dtmf(waiting, meeting.pin, from_=None).send(client).get_json() == LOCKED_OUT
    assert answer(new_uuid()).send(client).get_json()[-1]["action"] == "input"  # real numbers are not


# -- the service-wide failure budget -------------------------------------------------------------

BUDGET_ENV = {"PIN_FAILURE_BUDGET": "6", "PIN_LOCKOUT_FAILURES": "50"}


def fail_from_many_numbers(client, failures: int) -> None:
    for index in range(failures):
        number = f"4477009{index:05d}"
        dtmf(new_call(client, number), WRONG_PIN, from_=number).send(client)


@pytest.mark.parametrize("extra_env", [BUDGET_ENV])
def test_spent_budget_turns_new_callers_away_as_busy_and_stores_nothing(start_meeting, client, services, clock):
    start_meeting()
    fail_from_many_numbers(client, 6)
    before = legs_in_database(services)
    leg = new_uuid()
    assert answer(leg, from_="447700955555").send(client).get_json() == BUSY
    assert legs_in_database(services) == before
    clock.advance(BUDGET_WINDOW_SECONDS + 1)  # the failures leave the sliding hour
    assert answer(new_uuid(), from_="447700955555").send(client).get_json()[-1]["action"] == "input"


@pytest.mark.parametrize("extra_env", [BUDGET_ENV])
def test_callers_mid_entry_get_no_more_checks_while_the_budget_is_spent(start_meeting, client, services):
    meeting = start_meeting()
    waiting = new_call(client, "447700955555")
    fail_from_many_numbers(client, 6)
    assert dtmf(waiting, meeting.pin, from_="447700955555").send(client).get_json() == BUSY
    assert services.store.legs.callers_in(meeting.id) == 0


@pytest.mark.parametrize("extra_env", [{**BUDGET_ENV, "PIN_FAILURE_BUDGET": "2"}])
def test_a_right_pin_does_not_use_the_budget(start_meeting, client):
    meeting = start_meeting()
    for index in range(5):
        number = f"44770091{index:04d}"
        assert dtmf(new_call(client, number), meeting.pin, from_=number).send(client).get_json() == joined(meeting)


@pytest.mark.parametrize("extra_env", [BUDGET_ENV])
def test_busy_alert_is_logged_at_most_once_a_minute(start_meeting, client, clock, caplog):
    start_meeting()
    fail_from_many_numbers(client, 6)
    caplog.set_level(logging.WARNING, logger="meetbridge.alerts")
    for _ in range(5):
        answer(new_uuid(), from_="447700955555").send(client)
    clock.advance(30)
    answer(new_uuid(), from_="447700955555").send(client)
    clock.advance(31)
    answer(new_uuid(), from_="447700955555").send(client)
    alerts = [r for r in caplog.records if r.name == "meetbridge.alerts"]
    assert [(r.getMessage(), r.alert, r.budget) for r in alerts] == [("alert", "pin_failure_budget_spent", 6)] * 2


@pytest.mark.parametrize("extra_env", [BUDGET_ENV])
def test_the_budget_is_shared_by_every_worker(start_meeting, client, settings, clock):
    """A second app on the same database (another worker process, or host) sees the spend."""
    start_meeting()
    other = create_app(settings, clock=clock, run_sweeper=False)
    try:
        fail_from_many_numbers(other.test_client(), 6)
        assert answer(new_uuid(), from_="447700955555").send(client).get_json() == BUSY
    finally:
        other.extensions["meetbridge.shutdown"]()


@pytest.mark.parametrize("extra_env", [BUDGET_ENV])
def test_the_busy_alert_is_said_once_a_minute_by_all_workers_together(start_meeting, client, settings, clock,
                                                                      caplog):
    start_meeting()
    fail_from_many_numbers(client, 6)
    caplog.set_level(logging.WARNING, logger="meetbridge.alerts")
    other = create_app(settings, clock=clock, run_sweeper=False)
    try:
        for sender in (client, other.test_client(), client, other.test_client()):
            assert answer(new_uuid(), from_="447700955555").send(sender).get_json() == BUSY
    finally:
        other.extensions["meetbridge.shutdown"]()
    assert len([r for r in caplog.records if r.name == "meetbridge.alerts"]) == 1


@pytest.mark.parametrize("extra_env", [{"PIN_FAILURE_BUDGET": "10", "PIN_LOCKOUT_FAILURES": "500"}])
def test_concurrent_guesses_never_overshoot_the_budget(start_meeting, app, services):
    """40 calls key wrong PINs at once from 8 threads: exactly 10 are checked."""
    start_meeting()
    clients = [app.test_client() for _ in range(8)]
    legs = [new_call(clients[0], f"4477009{index:05d}") for index in range(40)]

    def guess(index: int) -> list[dict]:
        return dtmf(legs[index], WRONG_PIN, from_=f"4477009{index:05d}").send(clients[index % 8]).get_json()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(guess, range(40)))
    checked = [a for a in answers if a != BUSY]
    assert len(checked) == 10 and all(a[-1]["action"] == "input" for a in checked)


# -- auto-bridge --------------------------------------------------------------------------------

def test_first_admitted_caller_starts_the_bridge(start_meeting, client, fake_opentok, settings):
    meeting = start_meeting()
    dtmf(new_call(client), meeting.pin).send(client)
    dial = fake_opentok.wait_for("dial")[0]
    assert dial["sessionId"] == meeting.session_id
    assert dial["sip"]["uri"] == settings.sip_uri
    assert dial["sip"]["headers"]["X-Meetbridge-Meeting"] == meeting.id


def test_second_caller_does_not_dial_again(start_meeting, client, fake_opentok, services):
    meeting = start_meeting()
    dtmf(new_call(client), meeting.pin).send(client)
    dialled(fake_opentok, services, meeting.id)
    dtmf(new_call(client, from_="447700900456"), meeting.pin).send(client)
    services.background.shutdown()  # every queued background job has run
    assert len(fake_opentok.requests("dial")) == 1


@pytest.mark.parametrize("extra_env", [{"AUTO_BRIDGE": "false"}])
def test_without_auto_bridge_an_admitted_caller_dials_nothing(start_meeting, client, fake_opentok, services):
    meeting = start_meeting()
    assert dtmf(new_call(client), meeting.pin).send(client).get_json() == joined(meeting)
    services.background.shutdown()  # every queued background job has run
    assert fake_opentok.requests("dial") == []
    assert services.store.bridges.latest(meeting.id) is None
