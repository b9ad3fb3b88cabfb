"""Dialled legs on the Slack Calls card: a member the meeting called ("Call my phone") is listed
as themself, `{"slack_id"}`, an invitee ("Add by phone") by the name typed, and each leaves
with the very object it was added with (Slack's rule for calls.participants.remove)."""

from __future__ import annotations

from meetbridge.dial_out_records import DialRequest, Requester
from tests.cards import card_of
from tests.vonage_calls import CONFERENCE_NUMBER, TIMESTAMP, post_json
from tests.waiting import wait_until

TYPED = "(202) 555-0143"
DIGITS = "12025550143"


def outbound(client, path: str, uuid: str, **fields) -> None:
    payload = {"from": CONFERENCE_NUMBER, "to": DIGITS, "uuid": uuid, "conversation_uuid": f"CON-{uuid}",
               "timestamp": TIMESTAMP, **fields}
    assert post_json(path, payload).send(client).status_code == 200


def dial_and_press_1(client, services, meeting, for_requester: bool, name: str | None) -> str:
    who = Requester(kind="member", workspace_id=meeting.team_id, member_id="U0ADA")
    uuid = services.dial_out.call(DialRequest(meeting_id=meeting.id, number=TYPED, requester=who,
                                              invitee_name=name, for_requester=for_requester)).call_uuid
    outbound(client, "/voice-dtmf", uuid, dtmf={"digits": "1", "timed_out": False})
    return uuid


def test_call_me_lists_the_member_as_themself_and_removes_them_the_same_way(
        client, start_meeting, services, fake_slack, fake_vonage):
    meeting = start_meeting("Standup")
    call_id = card_of(services.store, meeting.id).calls_id
    uuid = dial_and_press_1(client, services, meeting, for_requester=True, name=None)
    assert fake_slack.wait_for("calls.participants.add") == [{"id": call_id, "users": [{"slack_id": "U0ADA"}]}]
    assert fake_slack.call(call_id)["users"] == [{"slack_id": "U0ADA"}]
    outbound(client, "/voice-events", uuid, status="completed", direction="outbound")
    assert fake_slack.wait_for("calls.participants.remove") == [{"id": call_id, "users": [{"slack_id": "U0ADA"}]}]
    wait_until(lambda: fake_slack.call(call_id)["users"] == [])


def test_add_phone_lists_the_invitee_by_the_name_typed(client, start_meeting, services, fake_slack, fake_vonage):
    meeting = start_meeting("Standup")
    call_id = card_of(services.store, meeting.id).calls_id
    uuid = dial_and_press_1(client, services, meeting, for_requester=False, name="Maria")
    user = {"external_id": uuid, "display_name": "Maria (phone)"}
    assert fake_slack.wait_for("calls.participants.add") == [{"id": call_id, "users": [user]}]
    outbound(client, "/voice-events", uuid, status="completed", direction="outbound")
    assert fake_slack.wait_for("calls.participants.remove") == [{"id": call_id, "users": [user]}]
    wait_until(lambda: fake_slack.call(call_id)["users"] == [])
    assert DIGITS not in str(fake_slack.requests("calls.participants.add"))
