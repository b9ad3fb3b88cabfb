"""/voice-keypad: a caller in the meeting presses *6, *1, *3, *2 (Vonage's asynchronous `input`
sends each key on its own as it is pressed). Each command is a Voice API request to the fake
Vonage (PUT /v1/calls/{uuid} mute/unmute, PUT /v1/calls/{uuid}/talk); everything else, and
keys from a leg that is not in a live meeting, change nothing and are answered with an empty 200."""

from __future__ import annotations

import pytest

from meetbridge import phone_keypad
from meetbridge.meetings import MeetingRequest
from tests.vonage_calls import CALLER_NUMBER, TIMESTAMP, dtmf, event, new_uuid, post_json
from tests.webhooks.callers import joined, new_call

SECRET = "vonage-signature-secret-0123456789abcdef"


@pytest.fixture
def meeting(services):
    return services.meetings.start(MeetingRequest(workspace_id="T0001", place_id="C1", starter_id="U1",
                                                  topic="Design review"))


def keys(leg: str, digits: str, secret: str | None = None):
    """The asynchronous input webhook as Vonage sends it: one key (or several) per request."""
    payload = {"from": CALLER_NUMBER, "to": "15550100000", "uuid": leg, "conversation_uuid": f"CON-{leg}",
               "timestamp": TIMESTAMP, "dtmf": {"digits": digits, "timed_out": False}}
    return post_json("/voice-keypad", payload, secret)


def press(client, leg: str, *presses: str) -> None:
    for digits in presses:
        response = keys(leg, digits).send(client)
        assert (response.status_code, response.data) == (200, b"")


def caller_in(client, fake_vonage, meeting, number: str = CALLER_NUMBER) -> str:
    """A caller who keyed the right PIN and is in the conversation (a live leg at Vonage)."""
    leg = new_call(client, number)
    assert dtmf(leg, meeting.pin, from_=number).send(client).get_json() == joined(meeting)
    fake_vonage.add_call(leg, to="15550100000", from_=number)
    return leg


def spoken(fake_vonage) -> list[dict]:
    """Speech the keypad sent (the waiting callers' reminder is another feature's)."""
    return [talk for talk in fake_vonage.requests("start_talk") if talk["text"] in KEYPAD_SENTENCES
            or talk["text"].startswith(("On video", "On the phone", "Am Telefon"))
            or talk["text"] in GERMAN]


KEYPAD_SENTENCES = {phone_keypad.MUTED, phone_keypad.UNMUTED, phone_keypad.HAND_RAISED, phone_keypad.HAND_LOWERED,
                    phone_keypad.KEYS}


def vonage_requests(fake_vonage) -> list[tuple[str, dict]]:
    """Every mute/unmute and speech request, in order, without the uuid noise of other legs."""
    sent = [("update_call", entry) for entry in fake_vonage.requests("update_call")]
    sent += [("start_talk", entry) for entry in spoken(fake_vonage)]
    return sent


def test_star_then_six_mutes_the_caller_with_vonages_per_call_mute_and_says_so(client, services, fake_vonage,
                                                                              meeting):
    leg = caller_in(client, fake_vonage, meeting)
    press(client, leg, "*", "6")
    assert fake_vonage.requests("update_call") == [{"uuid": leg, "action": "mute"}]
    assert [(talk["uuid"], talk["text"]) for talk in spoken(fake_vonage)] == [
        (leg, phone_keypad.MUTED)]
    assert services.store.legs.get(leg).muted == 1


def test_star_six_again_unmutes(client, services, fake_vonage, meeting, clock):
    leg = caller_in(client, fake_vonage, meeting)
    press(client, leg, "*", "6")
    clock.advance(2)
    press(client, leg, "*", "6")
    assert fake_vonage.requests("update_call") == [{"uuid": leg, "action": "mute"},
                                                   {"uuid": leg, "action": "unmute"}]
    assert [talk["text"] for talk in spoken(fake_vonage)] == [phone_keypad.MUTED,
                                                                             phone_keypad.UNMUTED]
    assert services.store.legs.get(leg).muted == 0


def test_keys_arriving_together_act_like_keys_one_by_one(client, services, fake_vonage, meeting):
    leg = caller_in(client, fake_vonage, meeting)
    press(client, leg, "*6")
    assert fake_vonage.requests("update_call") == [{"uuid": leg, "action": "mute"}]


def test_star_one_reads_the_list_of_keys(client, fake_vonage, meeting):
    leg = caller_in(client, fake_vonage, meeting)
    press(client, leg, "*", "1")
    assert [(talk["uuid"], talk["text"]) for talk in spoken(fake_vonage)] == [
        (leg, phone_keypad.KEYS)]
    assert fake_vonage.requests("update_call") == []


def test_star_three_says_who_is_here_with_names_never_numbers(client, services, fake_vonage, meeting):
    me = caller_in(client, fake_vonage, meeting)
    maria = caller_in(client, fake_vonage, meeting)
    caller_in(client, fake_vonage, meeting)  # no name: counted, never read out as a number
    services.store.database.execute("UPDATE phone_legs SET caller_name = ? WHERE uuid = ?", ["Maria", maria])
    services.store.meetings.update(meeting.id, video_participants=2)
    press(client, me, "*", "3")
    [talk] = spoken(fake_vonage)
    assert talk["text"] == ("On video: 2. On the phone: 3, you included. Also on the phone: Maria. "
                            "Callers without a name: 1.")
    assert CALLER_NUMBER[-4:] not in talk["text"]


GERMAN = {"Sie sind stummgeschaltet. Drücken Sie Stern 6, um die Stummschaltung aufzuheben."}


def test_a_caller_on_a_german_number_hears_the_keypad_in_german_with_a_german_voice(client, services,
                                                                                    fake_vonage, meeting):
    leg = caller_in(client, fake_vonage, meeting)
    services.store.database.execute("UPDATE phone_legs SET language = ? WHERE uuid = ?", ["de-DE", leg])
    press(client, leg, "*6")
    [talk] = spoken(fake_vonage)
    assert (talk["text"], talk["language"]) == (
        "Sie sind stummgeschaltet. Drücken Sie Stern 6, um die Stummschaltung aufzuheben.", "de-DE")


def test_star_two_raises_then_lowers_the_hand(client, services, fake_vonage, meeting, clock):
    leg = caller_in(client, fake_vonage, meeting)
    press(client, leg, "*", "2")
    assert services.store.legs.get(leg).hand_raised_at == clock.now()
    clock.advance(5)
    press(client, leg, "*", "2")
    assert services.store.legs.get(leg).hand_raised_at is None
    assert [talk["text"] for talk in spoken(fake_vonage)] == [phone_keypad.HAND_RAISED,
                                                                             phone_keypad.HAND_LOWERED]
    assert fake_vonage.requests("update_call") == []


@pytest.mark.parametrize("presses", [["*", "9"], ["5"], ["6"], ["#"], ["*"], ["*", "#", "6"], ["*0"], ["1234"]],
                         ids=["star-9", "5", "6 without star", "hash", "star alone", "hash cancels", "star-0",
                              "digits"])
def test_unknown_keys_are_ignored(client, services, fake_vonage, meeting, presses):
    leg = caller_in(client, fake_vonage, meeting)
    press(client, leg, *presses)
    assert vonage_requests(fake_vonage) == []
    assert services.store.legs.get(leg).muted == 0


def test_a_star_waits_only_a_few_seconds_for_its_digit(client, fake_vonage, meeting, clock):
    leg = caller_in(client, fake_vonage, meeting)
    press(client, leg, "*")
    clock.advance(phone_keypad.STAR_WAIT_SECONDS + 1)
    press(client, leg, "6")
    assert vonage_requests(fake_vonage) == []


def test_keys_from_a_leg_not_in_a_meeting_do_nothing(client, services, fake_vonage, meeting):
    stranger = new_uuid()  # never answered
    keying_pin = new_call(client)  # answered, PIN not entered yet
    left = caller_in(client, fake_vonage, meeting)
    assert event(left, "completed").send(client).status_code == 200
    for leg in (stranger, keying_pin, left):
        press(client, leg, "*", "6", "*", "1")
    assert vonage_requests(fake_vonage) == []
    assert services.store.legs.get(stranger) is None


def test_keys_after_the_meeting_ended_do_nothing(client, services, fake_vonage, meeting):
    leg = caller_in(client, fake_vonage, meeting)
    services.store.meetings.update(meeting.id, ended_at=services.clock.now(), ended_reason="ended")
    press(client, leg, "*", "6")
    assert vonage_requests(fake_vonage) == []


def test_a_leg_pressing_keys_in_a_loop_reaches_vonage_at_most_once_a_second(client, services, fake_vonage,
                                                                           meeting, clock):
    leg = caller_in(client, fake_vonage, meeting)
    for _ in range(40):
        press(client, leg, "*", "6")
        clock.advance(0.02)  # 50 commands a second
    assert len(fake_vonage.requests("update_call")) == 1  # 0.8 s of presses: one command acted
    clock.advance(1)
    press(client, leg, "*6")
    assert [entry["action"] for entry in fake_vonage.requests("update_call")] == ["mute", "unmute"]


def test_a_bad_payload_is_a_400_and_a_missing_uuid_too(client):
    assert post_json("/voice-keypad", {"dtmf": {"digits": "1"}}).send(client).status_code == 400
    assert post_json("/voice-keypad", {"uuid": new_uuid(), "dtmf": 6}).send(client).status_code == 400


class TestSigned:
    @pytest.fixture
    def base_env(self, base_env) -> dict[str, str]:
        return {**base_env, "VONAGE_SIGNATURE_SECRET": SECRET}

    def test_unsigned_keys_are_refused_and_change_nothing(self, client, services, fake_vonage, meeting):
        leg = new_uuid()
        assert keys(leg, "*6").send(client).status_code == 401

    def test_signed_keys_act(self, client, services, fake_vonage, meeting):
        from tests.vonage_calls import answer

        leg = new_uuid()
        assert answer(leg, secret=SECRET).send(client).status_code == 200
        assert dtmf(leg, meeting.pin, secret=SECRET).send(client).get_json() == joined(meeting)
        fake_vonage.add_call(leg)
        assert keys(leg, "*6", secret=SECRET).send(client).status_code == 200
        assert fake_vonage.requests("update_call") == [{"uuid": leg, "action": "mute"}]


def test_every_caller_together_gets_a_few_commands_a_second_under_vonages_request_limit(
        client, services, fake_vonage, meeting, clock):
    legs = [caller_in(client, fake_vonage, meeting, f"4477009{n:05d}") for n in range(8)]
    for leg in legs:  # eight callers press *6 within the same second
        press(client, leg, "*6")
    limit = phone_keypad.SERVICE_RULE.limit
    assert len(fake_vonage.requests("update_call")) == limit  # and at most two requests per command
    clock.advance(1.1)
    press(client, legs[-1], "*6")
    assert len(fake_vonage.requests("update_call")) == limit + 1
