"""Hanging up the phone bridge: both sides are dropped, OpenTok's and Vonage's."""

from __future__ import annotations

from tests.visitor import dial_allowed_again, joined, press
from tests.vonage_calls import bridge_leg_answer, dialled, new_uuid, status_lines, wait_for_status
from tests.waiting import wait_until

NOT_CONNECTED = "The phone bridge isn't connected, so there is nothing to hang up."


def connected_bridge(slack_user, fake_opentok, fake_vonage, services, client, meeting) -> tuple[str, str]:
    """Connect → dial → the bridge leg answered; returns (leg uuid, OpenTok connection id)."""
    slack_user.click("dial_out", meeting.id, response_key="connect")
    dial = dialled(fake_opentok, services, meeting.id)
    leg = fake_vonage.add_call(new_uuid(), from_="sip:opentok@sip.nexmo.com")
    assert bridge_leg_answer(dial, leg).send(client).status_code == 200
    bridge = services.store.bridges.active(meeting.id)
    assert (bridge.state, bridge.leg_uuid) == ("connected", leg)
    return leg, bridge.connection_id


def test_hang_up_drops_the_sip_connection_and_the_vonage_leg(start_meeting, slack_user, client, services,
                                                             fake_opentok, fake_vonage, fake_slack):
    meeting = start_meeting()
    leg, connection_id = connected_bridge(slack_user, fake_opentok, fake_vonage, services, client, meeting)
    assert fake_opentok.live_connections() == {(meeting.session_id, connection_id)}
    seen = wait_for_status(fake_slack, "Phone bridge: *connected* · 0 phone callers")
    assert slack_user.click("hang_up", meeting.id).status_code == 200
    assert fake_opentok.wait_for("force_disconnect") == [
        {"session_id": meeting.session_id, "connection_id": connection_id}]
    assert fake_vonage.wait_for("hangup") == [{"uuid": leg, "action": "hangup"}]
    assert fake_opentok.live_connections() == set()
    assert fake_vonage.call(leg)["status"] == "completed"
    bridge = services.store.bridges.latest(meeting.id)
    assert (bridge.state, bridge.reason) == ("off", "hung_up")
    # The notice names who hung up. (How the mention renders is bot/card.py's business: it
    # escapes notices today, which shows "<@U0ADA>" as text rather than as a mention.)
    wait_until(lambda: any(line.startswith("Phone bridge: *off* · 0 phone callers\nPhone bridge hung up by ")
                           and "U0ADA" in line for line in status_lines(fake_slack)[seen:]))
    assert fake_slack.responses("click") == []


def test_hang_up_while_connecting_drops_the_sip_connection_only(start_meeting, slack_user, services,
                                                                 fake_opentok, fake_vonage):
    meeting = start_meeting()
    slack_user.click("dial_out", meeting.id, response_key="connect")
    dialled(fake_opentok, services, meeting.id)
    slack_user.click("hang_up", meeting.id)
    assert len(fake_opentok.wait_for("force_disconnect")) == 1
    assert services.store.bridges.latest(meeting.id).state == "off"
    assert fake_vonage.requests("hangup") == []  # no leg uuid yet: nothing to hang up at Vonage


def test_hang_up_when_not_connected_says_so_and_calls_nobody(start_meeting, slack_user, fake_slack,
                                                            fake_opentok, fake_vonage):
    meeting = start_meeting()
    slack_user.click("hang_up", meeting.id)
    assert fake_slack.wait_for_response("click") == [
        {"text": NOT_CONNECTED, "response_type": "ephemeral", "replace_original": False}]
    assert fake_opentok.requests("force_disconnect") == []
    assert fake_vonage.requests("hangup") == []


def test_second_hang_up_says_not_connected(start_meeting, slack_user, client, services, fake_opentok,
                                          fake_vonage, fake_slack):
    meeting = start_meeting()
    connected_bridge(slack_user, fake_opentok, fake_vonage, services, client, meeting)
    slack_user.click("hang_up", meeting.id)
    fake_vonage.wait_for("hangup")
    slack_user.click("hang_up", meeting.id, response_key="again")
    assert fake_slack.wait_for_response("again")[0]["text"] == NOT_CONNECTED
    assert (len(fake_opentok.requests("force_disconnect")), len(fake_vonage.requests("hangup"))) == (1, 1)


def test_hang_up_survives_a_leg_vonage_already_ended(start_meeting, slack_user, client, services,
                                                    fake_opentok, fake_vonage):
    meeting = start_meeting()
    slack_user.click("dial_out", meeting.id, response_key="connect")
    dial = dialled(fake_opentok, services, meeting.id)
    bridge_leg_answer(dial, new_uuid()).send(client)  # Vonage no longer knows this leg: 404
    slack_user.click("hang_up", meeting.id)
    fake_vonage.wait_for("hangup")
    assert services.store.bridges.latest(meeting.id).state == "off"
    assert fake_opentok.live_connections() == set()


def test_join_page_hang_up_drops_both_sides(start_meeting, slack_user, client, services, fake_opentok,
                                            fake_vonage):
    meeting = start_meeting()
    leg, connection_id = connected_bridge(slack_user, fake_opentok, fake_vonage, services, client, meeting)
    joined(client, meeting.id)
    response = press(client, meeting.id, "hang-up")
    assert (response.status_code, response.get_json()) == (200, {"bridge": "off", "message": "Phone bridge hung up."})
    assert fake_opentok.requests("force_disconnect") == [
        {"session_id": meeting.session_id, "connection_id": connection_id}]
    assert fake_vonage.requests("hangup") == [{"uuid": leg, "action": "hangup"}]
    assert client.get(f"/rooms/{meeting.id}/status").get_json()["bridge"] == "off"


def test_join_page_hang_up_when_not_connected_is_a_clear_no_op(start_meeting, client, fake_opentok, fake_vonage):
    meeting = start_meeting()
    joined(client, meeting.id)
    response = press(client, meeting.id, "hang-up")
    assert (response.status_code, response.get_json()) == (200, {
        "bridge": "off", "message": "The phone bridge isn't connected, so there was nothing to hang up."})
    assert fake_opentok.requests("force_disconnect") == []
    assert fake_vonage.requests("hangup") == []
    assert press(client, "no-such-meeting", "hang-up").status_code == 404


def test_bridge_can_connect_again_after_hang_up(start_meeting, slack_user, client, services, fake_opentok,
                                               fake_vonage, clock):
    meeting = start_meeting()
    connected_bridge(slack_user, fake_opentok, fake_vonage, services, client, meeting)
    joined(client, meeting.id)
    assert press(client, meeting.id, "hang-up").status_code == 200
    dial_allowed_again(clock, services.bridge)
    slack_user.click("dial_out", meeting.id, response_key="reconnect")
    dial = dialled(fake_opentok, services, meeting.id, count=2)
    leg = new_uuid()
    assert bridge_leg_answer(dial, leg).send(client).get_json()[0]["name"] == meeting.conversation_name
    assert services.store.bridges.active(meeting.id).leg_uuid == leg
