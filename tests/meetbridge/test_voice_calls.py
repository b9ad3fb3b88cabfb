"""VoiceCalls, the voice webhooks' front door: each call says what happened (bridge or caller,
joined or not, known or not), so no edge re-derives it from an NCCO or a table."""

from __future__ import annotations

from meetbridge import ncco
from meetbridge.ids import token_hash
from meetbridge.outcomes import AnswerOutcome, DtmfOutcome, EventOutcome, LegKind
from meetbridge.phone_entry import CallerLeg
from tests.meetbridge.phone_domain import PIN, PhoneDomain

CALLER = CallerLeg(uuid="11111111-1111-4111-8111-111111111111", number="447700900123")
BRIDGE_LEG = "22222222-2222-4222-8222-222222222222"
DIAL_TOKEN = "dial-token-0123456789"


def dialling(domain: PhoneDomain, meeting_id: str = "m1") -> str:
    """A bridge dial in flight, as BridgeService.connect records it before OpenTok answers."""
    domain.store.bridges.insert_connecting("b1", meeting_id, token_hash(DIAL_TOKEN), domain.clock.now())
    return "b1"


def test_a_caller_who_types_a_live_pin_has_joined_the_meeting(domain: PhoneDomain):
    meeting = domain.live_meeting()
    answered = domain.calls.answer(CALLER, None, None)
    entered = domain.calls.enter_pin(CALLER, PIN, False)
    assert answered == AnswerOutcome(ncco.pin_prompt("http://127.0.0.1:9/voice-dtmf", len(PIN)), LegKind.CALLER)
    in_meeting = ncco.join_conversation("conv-m1", keypad_url="http://127.0.0.1:9/voice-keypad")
    assert entered == DtmfOutcome(in_meeting, joined=True, meeting_id=meeting.id)
    assert domain.changed == [meeting.id]


def test_a_wrong_pin_is_not_a_join_and_asks_again(domain: PhoneDomain):
    domain.live_meeting()
    domain.calls.answer(CALLER, None, None)
    entered = domain.calls.enter_pin(CALLER, "999999999", False)
    assert entered == DtmfOutcome(ncco.pin_prompt("http://127.0.0.1:9/voice-dtmf", len(PIN), ncco.RETRY),
                                  joined=False)


def test_a_repeated_keypad_webhook_of_a_caller_already_in_is_still_a_join(domain: PhoneDomain):
    domain.live_meeting()
    domain.calls.answer(CALLER, None, None)
    domain.calls.enter_pin(CALLER, PIN, False)
    again = domain.calls.enter_pin(CALLER, PIN, False)
    assert (again.joined, again.ncco) == (True, ncco.join_conversation("conv-m1",
                                                                      keypad_url="http://127.0.0.1:9/voice-keypad"))


def test_the_bridge_legs_answer_joins_the_conversation_and_connects_the_bridge(domain: PhoneDomain):
    meeting = domain.live_meeting()
    bridge_id = dialling(domain)
    answered = domain.calls.answer(CallerLeg(BRIDGE_LEG, None), meeting.id, DIAL_TOKEN)
    assert answered == AnswerOutcome(ncco.join_conversation("conv-m1", greeting=None), LegKind.BRIDGE, "join")
    bridge = domain.store.bridges.get(bridge_id)
    assert (bridge.state, bridge.leg_uuid) == ("connected", BRIDGE_LEG)


def test_a_forged_bridge_token_is_answered_as_a_caller(domain: PhoneDomain):
    meeting = domain.live_meeting()
    dialling(domain)
    answered = domain.calls.answer(CallerLeg(BRIDGE_LEG, None), meeting.id, "not-the-token")
    assert (answered.leg, answered.bridge_verdict) == (LegKind.CALLER, "forged")
    assert answered.ncco[-1]["action"] == "input"  # the PIN prompt, like any caller
    assert domain.store.bridges.get("b1").state == "connecting"


def test_a_used_dial_token_is_sent_away_as_a_stale_bridge_leg(domain: PhoneDomain):
    meeting = domain.live_meeting()
    dialling(domain)
    domain.calls.answer(CallerLeg(BRIDGE_LEG, None), meeting.id, DIAL_TOKEN)
    other_leg = CallerLeg("33333333-3333-4333-8333-333333333333", None)
    assert domain.calls.answer(other_leg, meeting.id, DIAL_TOKEN) == AnswerOutcome(
        ncco.say_goodbye(ncco.NOT_EXPECTED), LegKind.BRIDGE, "stale")


def test_the_bridge_legs_completed_event_turns_the_bridge_off(domain: PhoneDomain):
    meeting = domain.live_meeting()
    dialling(domain)
    domain.calls.answer(CallerLeg(BRIDGE_LEG, None), meeting.id, DIAL_TOKEN)
    assert domain.calls.call_event(BRIDGE_LEG, "answered") == EventOutcome(LegKind.BRIDGE)
    assert domain.calls.call_event(BRIDGE_LEG, "completed") == EventOutcome(LegKind.BRIDGE, bridge_ended=True)
    bridge = domain.store.bridges.get("b1")
    assert (bridge.state, bridge.reason, bridge.ended_at) == ("off", "leg:completed", domain.clock.now())


def test_a_callers_completed_event_is_a_caller_leaving(domain: PhoneDomain):
    meeting = domain.live_meeting()
    domain.calls.answer(CALLER, None, None)
    domain.calls.enter_pin(CALLER, PIN, False)
    assert domain.calls.call_event(CALLER.uuid, "completed") == EventOutcome(LegKind.CALLER)
    assert domain.store.legs.callers_in(meeting.id) == 0


def test_events_for_a_leg_never_answered_are_unknown_and_store_nothing(domain: PhoneDomain):
    outcome = domain.calls.call_event("44444444-4444-4444-8444-444444444444", "completed")
    assert (outcome, outcome.known) == (EventOutcome(LegKind.UNKNOWN), False)
    assert domain.store.legs.get("44444444-4444-4444-8444-444444444444") is None
