"""The meeting dials people, end to end over the app: the outbound call as the real Vonage SDK
sends it to the fake Voice API (POST /v1/calls, body checked field by field), the callee's key
press through signed /voice-dtmf, status events (machine detection's `call_uuid` form included)
through signed /voice-events, and End hanging the dialled leg up.

Facts from Vonage's Voice API description (voice.yml 1.3.7, createCall): `to` is an array of
endpoints, a phone endpoint `{"type": "phone", "number": <E.164 digits, no '+'>}`; `from` one
phone endpoint; `ncco` an inline NCCO array; `event_url` an array of URLs; `ringing_timer` 1-120 s;
the answer is 201 with uuid, status, direction and conversation_uuid."""

from __future__ import annotations

import json
import logging
import re
import threading
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, FormatChecker

from meetbridge import ncco
from meetbridge.dial_out import KEY_TIMEOUT_SECONDS, RINGING_TIMER_SECONDS
from meetbridge.dial_out_records import DialRequest, Requester
from meetbridge.errors import DialOutRefused, UpstreamError
from tests.vonage_calls import CONFERENCE_NUMBER, TIMESTAMP, answer, dtmf, new_uuid, post_json
from tests.waiting import wait_until

SECRET = "vonage-signature-secret-0123456789abcdef"
SCHEMA = json.loads((Path(__file__).parents[1] / "specs" / "vonage" / "ncco-schema.json").read_text())
VALIDATOR = Draft4Validator(SCHEMA, format_checker=FormatChecker())
TYPED = "(202) 555-0143"
DIGITS = "12025550143"


@pytest.fixture
def base_env(base_env) -> dict[str, str]:
    """Signed webhooks on: every webhook below carries Vonage's JWT."""
    return {**base_env, "VONAGE_SIGNATURE_SECRET": SECRET, "AUTO_BRIDGE": "false"}


def valid(actions: list[dict]) -> list[dict]:
    errors = [error.message for error in VALIDATOR.iter_errors(actions)]
    assert errors == [], actions
    return actions


def requester(member: str = "U2") -> Requester:
    return Requester(kind="member", workspace_id="T0001", member_id=member)


def add_phone(meeting, name: str | None = "Maria", member: str = "U2") -> DialRequest:
    return DialRequest(meeting_id=meeting.id, number=TYPED, requester=requester(member), invitee_name=name,
                       for_requester=False, inviter_name="Ada")


def call_me(meeting, member: str = "U2") -> DialRequest:
    return DialRequest(meeting_id=meeting.id, number=TYPED, requester=requester(member), invitee_name=None,
                       for_requester=True)


def new_call(client) -> str:
    """A caller rings the conference number (signed answer webhook) and hears the PIN prompt."""
    leg = new_uuid()
    assert answer(leg, secret=SECRET).send(client).get_json()[-1]["action"] == "input"
    return leg


def fill(client, services, meeting, count: int) -> None:
    """`count` callers already in the meeting (as a right PIN leaves them)."""
    for _ in range(count):
        services.store.database.execute("UPDATE phone_legs SET meeting_id = ?, joined_at = ? WHERE uuid = ?",
                                        [meeting.id, services.clock.now(), new_call(client)])


def press(client, uuid: str, digits: str | None, timed_out: bool = False) -> list[dict]:
    """The callee's key press as Vonage posts it: `from` is our number, `to` the callee's."""
    payload = {"from": CONFERENCE_NUMBER, "to": DIGITS, "uuid": uuid, "conversation_uuid": f"CON-{uuid}",
               "timestamp": TIMESTAMP, "dtmf": {"digits": digits, "timed_out": timed_out}}
    response = post_json("/voice-dtmf", payload, SECRET).send(client)
    assert response.status_code == 200
    return valid(response.get_json())


def status(client, uuid: str, value: str, **more: str) -> None:
    payload = {"from": CONFERENCE_NUMBER, "to": DIGITS, "uuid": uuid, "conversation_uuid": f"CON-{uuid}",
               "status": value, "direction": "outbound", "timestamp": TIMESTAMP, **more}
    assert post_json("/voice-events", payload, SECRET).send(client).status_code == 200


def machine(client, uuid: str, value: str = "machine") -> None:
    """Machine detection's event: the leg is `call_uuid`, not `uuid` (webhook reference › Human / Machine)."""
    payload = {"call_uuid": uuid, "from": CONFERENCE_NUMBER, "to": DIGITS, "status": value,
               "conversation_uuid": f"CON-{uuid}", "timestamp": TIMESTAMP}
    assert post_json("/voice-events", payload, SECRET).send(client).status_code == 200


@pytest.fixture
def progress(services) -> list:
    heard: list = []
    services.dial_out.add_progress_listener(heard.append)
    return heard


def test_the_outbound_call_request_field_by_field(services, start_meeting, fake_vonage, settings):
    meeting = start_meeting("Quarterly review")
    started = services.dial_out.call(add_phone(meeting))
    sent = fake_vonage.wait_for("create_call")[0]
    assert sent["to"] == [{"type": "phone", "number": DIGITS}]
    assert sent["from"] == {"type": "phone", "number": CONFERENCE_NUMBER}
    [event_url] = sent["event_url"]  # the call's reservation rides along, for events before the 201
    assert re.fullmatch(re.escape(settings.server_url + "/voice-events?dial=") + "[0-9a-f]{32}", event_url)
    assert sent["event_method"] == "POST"
    assert sent["advanced_machine_detection"] == {"behavior": "hangup"}
    assert sent["ringing_timer"] == RINGING_TIMER_SECONDS
    assert "answer_url" not in sent and "random_from_number" not in sent
    assert valid(sent["ncco"]) == [
        {"action": "talk", "text": "Ada invites you to Quarterly review. Press 1 to join.", "bargeIn": True},
        {"action": "input", "type": ["dtmf"], "dtmf": {"maxDigits": 1, "timeOut": KEY_TIMEOUT_SECONDS},
         "eventUrl": [settings.server_url + "/voice-dtmf"], "eventMethod": "POST"}]
    assert SECRET not in json.dumps(sent) and meeting.pin not in json.dumps(sent)
    assert meeting.id not in json.dumps(sent) and meeting.conversation_name not in json.dumps(sent)
    assert started.masked == "•••0143" and fake_vonage.call(started.call_uuid)["status"] == "started"


def test_call_me_invitation_and_leg_name(services, start_meeting, fake_vonage):
    meeting = start_meeting("Standup")
    started = services.dial_out.call(call_me(meeting, "U7"))
    assert fake_vonage.wait_for("create_call")[0]["ncco"][0]["text"] == \
        "meetbridge invites you to Standup. Press 1 to join."
    assert services.store.legs.get(started.call_uuid).slack_member_id == "U7"


def test_vonage_refusing_the_call_is_an_upstream_error_and_stores_nothing(services, start_meeting, fake_vonage):
    meeting = start_meeting()
    fake_vonage.http_status("create_call", 500)
    with pytest.raises(UpstreamError):
        services.dial_out.call(add_phone(meeting))
    assert services.store.legs.live_legs(meeting.id) == []
    assert services.store.database.query("SELECT * FROM dial_outs") == []


def test_press_1_joins_the_meeting_as_a_counted_named_caller(client, services, start_meeting, progress):
    meeting = start_meeting()
    uuid = services.dial_out.call(add_phone(meeting)).call_uuid
    status(client, uuid, "ringing")
    status(client, uuid, "answered")
    machine(client, uuid, "human")
    assert services.meetings.phone_callers(meeting.id) == {}  # ringing is not in (nor on the Calls card)
    keypad = ncco.keypad_url(services.settings.server_url)
    in_meeting = ncco.join_conversation(meeting.conversation_name, keypad_url=keypad)
    assert press(client, uuid, "1") == in_meeting  # with the keypad during the meeting (*6, *1, *3, *2)
    assert services.meetings.phone_callers(meeting.id) == {uuid: DIGITS}
    leg = services.store.legs.get(uuid)
    assert leg.joined_at is not None and leg.caller_name == "Maria"
    assert services.store.legs.callers_in(meeting.id) == 1
    assert press(client, uuid, "1") == in_meeting  # a repeat: no 2nd count
    assert services.store.legs.callers_in(meeting.id) == 1
    status(client, uuid, "completed")
    assert services.store.legs.callers_in(meeting.id) == 0
    assert [p.code for p in progress] == ["ringing", "joined", "left"]
    assert {p.masked for p in progress} == {"•••0143"} and {p.invitee_name for p in progress} == {"Maria"}


@pytest.mark.parametrize("digits, timed_out, code", [("2", False, "declined"), ("#", False, "declined"),
                                                     (None, True, "no_answer"), ("", False, "no_answer")])
def test_any_other_key_or_none_is_a_goodbye(client, services, start_meeting, progress, digits, timed_out, code):
    meeting = start_meeting()
    uuid = services.dial_out.call(add_phone(meeting)).call_uuid
    assert press(client, uuid, digits, timed_out) == ncco.say_goodbye(ncco.INVITE_DECLINED)
    assert services.store.legs.get(uuid).joined_at is None
    status(client, uuid, "completed")
    assert [p.code for p in progress] == ["ringing", code]  # completed afterwards tells nothing more


def test_press_1_after_the_meeting_ended_is_a_goodbye(client, services, start_meeting, progress, fake_vonage):
    meeting = start_meeting()
    uuid = services.dial_out.call(add_phone(meeting)).call_uuid
    services.store.meetings.mark_ended(meeting.id, services.clock.now(), "ended")
    assert press(client, uuid, "1") == ncco.say_goodbye(ncco.MEETING_GONE)
    assert services.store.legs.callers_in(meeting.id) == 0
    assert [p.code for p in progress] == ["ringing", "ended"]  # cancelled because the meeting ended


def test_press_1_when_the_meeting_filled_up_meanwhile(client, services, start_meeting, settings):
    meeting = start_meeting()
    uuid = services.dial_out.call(add_phone(meeting)).call_uuid
    fill(client, services, meeting, settings.max_phone_callers)  # callers who keyed the PIN fill every place
    assert press(client, uuid, "1") == ncco.say_goodbye(ncco.FULL)
    assert services.store.legs.get(uuid).joined_at is None


def test_an_inbound_caller_pressing_1_is_not_let_in(client, services, start_meeting):
    """Only a leg the meeting dialled answers an invitation: a caller's "1" is a (wrong) PIN, even
    signed; an unknown uuid is not expected; a dialled leg that hung up does not join."""
    meeting = start_meeting()
    caller = new_call(client)
    assert dtmf(caller, "1", secret=SECRET).send(client).get_json()[0]["text"] == ncco.RETRY
    assert press(client, new_uuid(), "1") == ncco.say_goodbye(ncco.NOT_EXPECTED)
    uuid = services.dial_out.call(add_phone(meeting)).call_uuid
    status(client, uuid, "completed")
    assert press(client, uuid, "1")[0]["text"] != ncco.JOINING
    assert services.store.legs.callers_in(meeting.id) == 0


def test_unsigned_press_is_refused(client, services, start_meeting):
    meeting = start_meeting()
    uuid = services.dial_out.call(add_phone(meeting)).call_uuid
    payload = {"from": CONFERENCE_NUMBER, "to": DIGITS, "uuid": uuid, "dtmf": {"digits": "1", "timed_out": False}}
    assert post_json("/voice-dtmf", payload).send(client).status_code == 401
    assert services.store.legs.get(uuid).joined_at is None


STATUSES = [("busy", {}, "busy"), ("timeout", {}, "no_answer"), ("unanswered", {"detail": "unavailable"}, "no_answer"),
            ("rejected", {"detail": "declined"}, "declined"), ("failed", {"detail": "cannot_route"}, "failed"),
            ("cancelled", {}, "failed"), ("completed", {}, "declined")]


@pytest.mark.parametrize("value, more, code", STATUSES, ids=[s[0] for s in STATUSES])
def test_each_status_before_joining(client, services, start_meeting, progress, value, more, code):
    meeting = start_meeting()
    uuid = services.dial_out.call(add_phone(meeting)).call_uuid
    status(client, uuid, "ringing")
    status(client, uuid, value, **more)
    status(client, uuid, value, **more)  # a duplicate tells nothing twice
    assert [p.code for p in progress] == ["ringing", code]
    assert services.store.legs.get(uuid).left_at is not None
    assert services.store.legs.live_legs(meeting.id) == []


def test_voicemail_from_machine_detection(client, services, start_meeting, progress):
    meeting = start_meeting()
    uuid = services.dial_out.call(add_phone(meeting)).call_uuid
    status(client, uuid, "answered")
    machine(client, uuid, "machine")
    status(client, uuid, "completed")  # Vonage hangs up after detecting the machine
    assert [p.code for p in progress] == ["ringing", "voicemail"]


def test_machine_detection_event_with_a_malformed_call_uuid_is_a_400(client):
    payload = {"call_uuid": "not-a-uuid", "status": "machine"}
    assert post_json("/voice-events", payload, SECRET).send(client).status_code == 400


def test_end_hangs_up_a_ringing_and_a_joined_dialled_leg(client, services, start_meeting, fake_vonage, progress):
    meeting = start_meeting()
    ringing = services.dial_out.call(add_phone(meeting)).call_uuid
    joined = services.dial_out.call(call_me(meeting)).call_uuid
    press(client, joined, "1")
    services.lifecycle.end(meeting.id, "ended")
    wait_until(lambda: len(fake_vonage.requests("hangup")) >= 2)
    assert {request["uuid"] for request in fake_vonage.requests("hangup")} >= {ringing, joined}
    assert fake_vonage.call(ringing)["status"] == "completed" and fake_vonage.call(joined)["status"] == "completed"
    assert services.store.legs.live_legs(meeting.id) == []


def test_dialled_legs_count_toward_max_phone_callers(client, services, start_meeting, settings):
    meeting = start_meeting()
    fill(client, services, meeting, settings.max_phone_callers - 1)
    uuid = services.dial_out.call(add_phone(meeting)).call_uuid
    press(client, uuid, "1")
    assert services.store.legs.callers_in(meeting.id) == settings.max_phone_callers
    late = new_call(client)
    assert dtmf(late, meeting.pin, secret=SECRET).send(client).get_json() == ncco.say_goodbye(ncco.FULL)


def test_simultaneous_requests_never_pass_the_ringing_limit(services, start_meeting, fake_vonage):
    """Twenty requests at once from twenty members: exactly RINGING_PER_MEETING calls are placed."""
    meeting = start_meeting()
    refused: list[str] = []

    def ask(index: int) -> None:
        try:
            services.dial_out.call(add_phone(meeting, member=f"U{index}"))
        except Exception as error:  # noqa: BLE001
            refused.append(getattr(error, "code", repr(error)))
    threads = [threading.Thread(target=ask, args=(index,)) for index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert len(fake_vonage.requests("create_call")) == 10
    assert refused == ["meeting_ringing_limit"] * 10


def test_the_number_never_reaches_the_logs(client, services, start_meeting, caplog):
    caplog.set_level(logging.DEBUG)
    meeting = start_meeting()
    uuid = services.dial_out.call(add_phone(meeting)).call_uuid
    status(client, uuid, "ringing")
    press(client, uuid, "1")
    status(client, uuid, "completed")
    with pytest.raises(DialOutRefused):
        services.dial_out.call(DialRequest(meeting_id=meeting.id, number="+1 900 555 0199", requester=requester(),
                                           invitee_name="Maria", for_requester=False))
    logged = " ".join(str(vars(record)) for record in caplog.records)
    assert "dial_out placed" in logged and "•••0143" in logged
    for secret in ("2025550143", "555-0143", "9005550199", "Maria"):
        assert secret not in logged
