"""DialOut's interface: numbers normalised or refused, every guardrail refusing with its code,
a placed call stored as a leg of the meeting (pure domain: temp-file store, fake clock)."""

from __future__ import annotations

import pytest

from meetbridge.dial_out import RINGING_PER_MEETING, VISITOR_CALLS_PER_HOUR, DialStarted
from meetbridge.errors import DialOutRefused, UpstreamError
from tests.meetbridge.dial_out_domain import GOOD_US_E164, add_phone, call_me, dialling, member, visitor


def refusal(call) -> DialOutRefused:
    with pytest.raises(DialOutRefused) as refused:
        call()
    return refused.value


@pytest.mark.parametrize("typed, region, e164", [
    ("(202) 555-0143", None, "+12025550143"),  # national format: DIAL_OUT_COUNTRIES[0] (the conference number's)
    ("+1 202 555 0143", "DE", "+12025550143"),
    ("202.555.0143", "us", "+12025550143"),
    ("  +1-201-555-0123 ", None, "+12015550123"),
])
def test_normalise_gives_e164(domain, typed, region, e164):
    assert dialling(domain).dial_out.normalise(typed, region) == e164


@pytest.mark.parametrize("typed, code", [
    ("+1 555 010 0199", "invalid_number"),  # 555-01xx: not a valid North American number
    ("12", "invalid_number"),
    ("", "invalid_number"),
    ("call me maybe", "invalid_number"),
    ("9" * 80, "invalid_number"),
    ("+44 20 7946 0018", "country_not_allowed"),  # London, and only US is allowed by default
    ("+1 900 555 0199", "number_type_not_allowed"),  # premium rate
    ("+1 500 555 0100", "number_type_not_allowed"),  # personal number
])
def test_normalise_refuses(domain, typed, code):
    assert refusal(lambda: dialling(domain).dial_out.normalise(typed, None)).code == code


def test_the_allowed_countries_come_from_the_setting(domain):
    dial_out = dialling(domain, dial_out_countries=("GB", "US")).dial_out
    assert dial_out.normalise("020 7946 0018", None) == "+442079460018"  # GB first: national GB numbers
    assert dial_out.normalise("+1 202 555 0143", None) == "+12025550143"
    assert refusal(lambda: dial_out.normalise("+33 1 42 68 53 00", None)).code == "country_not_allowed"


def test_a_placed_call_is_a_leg_of_the_meeting(domain):
    domain.live_meeting()
    dialled = dialling(domain)
    started = dialled.dial_out.call(add_phone())
    assert started == DialStarted(call_uuid=dialled.outbound.calls[0]["uuid"], masked="•••0143")
    assert dialled.outbound.calls[0]["to"] == GOOD_US_E164.removeprefix("+")
    assert dialled.outbound.calls[0]["from"] == "15550100000"
    leg = domain.store.legs.get(started.call_uuid)
    assert leg is not None and leg.meeting_id == "m1" and leg.joined_at is None and leg.caller_name == "Maria"
    assert [(p.code, p.masked, p.invitee_name) for p in dialled.progress] == [("ringing", "•••0143", "Maria")]
    assert [leg.uuid for leg in domain.store.legs.live_legs("m1")] == [started.call_uuid]  # End hangs it up


def test_call_me_names_the_leg_as_the_member(domain):
    domain.live_meeting()
    dialled = dialling(domain)
    started = dialled.dial_out.call(call_me(requester=member("U7")))
    leg = domain.store.legs.get(started.call_uuid)
    assert leg is not None and leg.slack_member_id == "U7" and leg.caller_name is None


@pytest.mark.parametrize("setting, code", [("off", "dial_out_off"), ("starter", "starter_only")])
def test_dial_out_setting_refuses(domain, setting, code):
    domain.live_meeting()  # started by U1
    dialled = dialling(domain, dial_out=setting)
    assert refusal(lambda: dialled.dial_out.call(add_phone(requester=member("U2")))).code == code
    assert refusal(lambda: dialled.dial_out.call(call_me(requester=visitor()))).code == code
    assert dialled.outbound.calls == []


def test_starter_may_call_when_only_the_starter_may(domain):
    domain.live_meeting()
    dialling(domain, dial_out="starter").dial_out.call(call_me(requester=member("U1")))


def test_unknown_other_workspace_and_ended_meetings_are_refused(domain):
    dialled = dialling(domain)
    assert refusal(lambda: dialled.dial_out.call(add_phone(meeting_id="nope"))).code == "not_found"
    domain.live_meeting()
    assert refusal(lambda: dialled.dial_out.call(add_phone(requester=member(team="T9")))).code == "not_found"
    domain.store.meetings.mark_ended("m1", domain.clock.now(), "ended")
    assert refusal(lambda: dialled.dial_out.call(add_phone())).code == "meeting_ended"
    domain.live_meeting("m2", pin="987654321", lifetime=10)
    domain.clock.advance(11)
    assert refusal(lambda: dialled.dial_out.call(add_phone(meeting_id="m2"))).code == "meeting_ended"
    assert dialled.outbound.calls == []


def test_a_bad_number_is_refused_before_any_call(domain):
    domain.live_meeting()
    dialled = dialling(domain)
    assert refusal(lambda: dialled.dial_out.call(add_phone("+1 900 555 0199"))).code == "number_type_not_allowed"
    assert dialled.outbound.calls == []


def test_member_hourly_limit(domain):
    domain.live_meeting(lifetime=3 * 3600)
    dialled = dialling(domain, dial_out_per_member_hour=2)
    for _ in range(2):
        dialled.dial_out.call(add_phone())
    refused = refusal(lambda: dialled.dial_out.call(add_phone()))
    assert refused.code == "member_hourly_limit" and 3590 <= refused.retry_after <= 3600
    dialled.dial_out.call(add_phone(requester=member("U3")))  # another member still may
    domain.clock.advance(3601)
    dialled.dial_out.call(add_phone())  # an hour later, again


def test_team_hourly_limit(domain):
    domain.live_meeting()
    dialled = dialling(domain, dial_out_per_team_hour=2)
    dialled.dial_out.call(add_phone(requester=member("U2")))
    dialled.dial_out.call(add_phone(requester=visitor("v1")))
    assert refusal(lambda: dialled.dial_out.call(add_phone(requester=member("U3")))).code == "team_hourly_limit"
    assert refusal(lambda: dialled.dial_out.call(call_me(requester=visitor("v2")))).code == "team_hourly_limit"


def test_visitor_limit(domain):
    domain.live_meeting()
    dialled = dialling(domain)
    for _ in range(VISITOR_CALLS_PER_HOUR):
        dialled.dial_out.call(call_me(requester=visitor("v1")))
    assert refusal(lambda: dialled.dial_out.call(call_me(requester=visitor("v1")))).code == "visitor_limit"
    dialled.dial_out.call(call_me(requester=visitor("v2")))


def test_meeting_ringing_limit_and_its_end(domain):
    domain.live_meeting()
    dialled = dialling(domain, dial_out_per_member_hour=100)
    for _ in range(RINGING_PER_MEETING):
        dialled.dial_out.call(add_phone())
    assert refusal(lambda: dialled.dial_out.call(add_phone())).code == "meeting_ringing_limit"
    dialled.dial_out.call_event(dialled.outbound.calls[0]["uuid"], "busy")  # one stops ringing
    dialled.dial_out.call(add_phone())


def test_meeting_full_counts_callers_and_ringing_calls(domain):
    domain.live_meeting()
    dialled = dialling(domain, max_phone_callers=2)
    dialled.dial_out.call(add_phone())
    dialled.dial_out.call(add_phone())
    assert refusal(lambda: dialled.dial_out.call(add_phone())).code == "meeting_full"


def test_a_refused_limit_takes_no_place_of_another(domain):
    domain.live_meeting()
    dialled = dialling(domain, dial_out_per_member_hour=1, dial_out_per_team_hour=2)
    dialled.dial_out.call(add_phone(requester=member("U2")))
    for _ in range(3):  # refused by the member limit: the workspace's places stay free
        assert refusal(lambda: dialled.dial_out.call(add_phone(requester=member("U2")))).code == "member_hourly_limit"
    dialled.dial_out.call(add_phone(requester=member("U3")))


def test_a_call_vonage_refuses_stores_nothing_and_gives_its_places_back(domain):
    domain.live_meeting()
    dialled = dialling(domain, dial_out_per_member_hour=1)
    dialled.outbound.fail = UpstreamError("voice", "voice.place_call")
    with pytest.raises(UpstreamError):
        dialled.dial_out.call(add_phone())
    assert domain.store.legs.live_legs("m1") == [] and dialled.progress == []
    assert domain.store.database.query("SELECT * FROM dial_outs") == []
    dialled.outbound.fail = None
    dialled.dial_out.call(add_phone())  # the member's one call an hour was given back
