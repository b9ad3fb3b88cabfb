"""Connecting the phone bridge from the card and the join page."""

from __future__ import annotations

import threading
from pathlib import Path

import jwt
import pytest

from tests.conftest import VIDEO_KEY, VIDEO_SECRET, VOICE_KEY, VOICE_SECRET, SlackUser
from tests.visitor import dial_allowed_again, joined, press
from tests.vonage_calls import bridge_leg_answer, dialled, new_uuid, status_lines, wait_for_status
from tests.waiting import wait_until

SIP_URI = "sip:15550100000@sip.nexmo.com;transport=tls"
NOT_ROUTED = "the video session is not routed, so it cannot dial a phone line"
INTERNAL_ERROR = "the video service had an internal error"


@pytest.fixture
def sleeps(services, monkeypatch) -> list[float]:
    """The bridge's retry pause, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(services.bridge, "sleep", slept.append)
    return slept


def ephemeral(text: str) -> dict:
    return {"text": text, "response_type": "ephemeral", "replace_original": False}


def test_connect_dials_our_vonage_number_with_digest_auth_and_our_headers(start_meeting, slack_user,
                                                                         fake_opentok, services):
    meeting = start_meeting("Weekly")
    assert slack_user.click("dial_out", meeting.id).status_code == 200
    dial = fake_opentok.wait_for("dial")[0]
    headers = dial["sip"]["headers"]
    assert dial == {
        "sessionId": meeting.session_id,
        "token": dial["token"],
        "sip": {"uri": SIP_URI, "auth": {"username": VOICE_KEY, "password": VOICE_SECRET},
                "headers": {"X-Meetbridge-Meeting": meeting.id, "X-Meetbridge-Token": headers["X-Meetbridge-Token"]},
                "secure": False, "video": False},
    }
    assert len(headers["X-Meetbridge-Token"]) >= 32
    claims = jwt.decode(dial["token"], VIDEO_SECRET, algorithms=["HS256"])
    assert (claims["iss"], claims["session_id"], claims["connection_data"]) == (
        VIDEO_KEY, meeting.session_id, '{"meetbridge": "phone-bridge"}')
    wait_until(lambda: services.store.bridges.active(meeting.id) is not None)
    assert services.store.bridges.active(meeting.id).state == "connecting"


@pytest.mark.sqlite_only
def test_every_dial_gets_a_fresh_token_and_the_database_keeps_only_its_hash(start_meeting, slack_user,
                                                                           fake_opentok, services, settings,
                                                                           clock):
    meeting = start_meeting()
    slack_user.click("dial_out", meeting.id)
    first = dialled(fake_opentok, services, meeting.id)["sip"]["headers"]["X-Meetbridge-Token"]
    services.bridge.hang_up(meeting.id, reason="hung up")
    dial_allowed_again(clock, services.bridge)
    slack_user.click("dial_out", meeting.id)
    second = dialled(fake_opentok, services, meeting.id, count=2)["sip"]["headers"]["X-Meetbridge-Token"]
    assert first != second
    stored = b"".join(Path(settings.database_path + suffix).read_bytes() for suffix in ("", "-wal"))
    assert first.encode() not in stored and second.encode() not in stored


def test_connecting_shows_on_the_card(start_meeting, slack_user, fake_opentok, fake_slack):
    meeting = start_meeting()
    fake_opentok.delay("dial", 0.5)
    slack_user.click("dial_out", meeting.id)
    wait_for_status(fake_slack, "Phone bridge: *connecting* · 0 phone callers")


def test_ten_simultaneous_clicks_make_one_sip_call(app, start_meeting, fake_opentok, fake_slack, services):
    meeting = start_meeting()
    fake_opentok.delay("dial", 0.5)  # all clicks arrive while the first dial is in flight
    users = [SlackUser(app.test_client(), fake_slack, user_id=f"U0{n:04d}") for n in range(10)]
    start = threading.Barrier(len(users))

    def click(n: int) -> None:
        start.wait()
        assert users[n].click("dial_out", meeting.id, response_key=f"user{n}").status_code == 200

    threads = [threading.Thread(target=click, args=(n,)) for n in range(len(users))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    dialled(fake_opentok, services, meeting.id)
    wait_until(lambda: sum(len(fake_slack.responses(f"user{n}")) for n in range(10)) == 9)
    answers = {n: fake_slack.responses(f"user{n}") for n in range(10)}
    assert sorted(len(sent) for sent in answers.values()) == [0] + [1] * 9
    told = [sent[0] for sent in answers.values() if sent]
    assert told == [ephemeral("The phone bridge is already connecting. Nothing to do.")] * 9
    assert len(fake_opentok.requests("dial")) == 1


def test_click_while_connected_says_already_connected(start_meeting, slack_user, fake_opentok, fake_slack,
                                                     services, client):
    meeting = start_meeting()
    slack_user.click("dial_out", meeting.id)
    bridge_leg_answer(dialled(fake_opentok, services, meeting.id), new_uuid()).send(client)
    slack_user.click("dial_out", meeting.id, response_key="again")
    assert fake_slack.wait_for_response("again") == [
        ephemeral("The phone bridge is already connected. Nothing to do.")]
    assert len(fake_opentok.requests("dial")) == 1


def test_relayed_session_refusal_shows_failed_with_the_reason(start_meeting, slack_user, fake_opentok,
                                                             fake_slack, services, sleeps):
    meeting = start_meeting()
    fake_opentok.http_status("dial", 409)
    slack_user.click("dial_out", meeting.id)
    assert fake_slack.wait_for_response("click") == [ephemeral(
        f"Couldn't connect the phone bridge: {NOT_ROUTED}. Press *Connect phone bridge* to try again.")]
    bridge = services.store.bridges.latest(meeting.id)
    assert (bridge.state, bridge.reason) == ("failed", "video.not_routed")
    wait_for_status(fake_slack, f"Phone bridge: *failed: {NOT_ROUTED}* · 0 phone callers")
    assert (len(fake_opentok.requests("dial")), sleeps) == (1, [])  # a refusal is not retried


def test_transient_server_error_is_retried_once_and_connects(start_meeting, slack_user, fake_opentok,
                                                            fake_slack, services, sleeps):
    meeting = start_meeting()
    fake_opentok.http_status("dial", 500, times=1)
    slack_user.click("dial_out", meeting.id)
    dialled(fake_opentok, services, meeting.id, count=2)
    assert sleeps == [1.0]
    assert services.store.bridges.active(meeting.id).state == "connecting"
    assert len(fake_opentok.live_connections()) == 1
    assert fake_slack.responses("click") == []


def test_persistent_server_error_fails_and_a_later_click_dials_again(start_meeting, slack_user, fake_opentok,
                                                                    fake_slack, services, sleeps, client, clock):
    meeting = start_meeting()
    fake_opentok.http_status("dial", 500, times=2)
    slack_user.click("dial_out", meeting.id)
    assert fake_slack.wait_for_response("click") == [ephemeral(
        f"Couldn't connect the phone bridge: {INTERNAL_ERROR}. Press *Connect phone bridge* to try again.")]
    assert (len(fake_opentok.requests("dial")), sleeps) == (2, [1.0])
    assert services.store.bridges.latest(meeting.id).state == "failed"
    seen = wait_for_status(fake_slack, f"Phone bridge: *failed: {INTERNAL_ERROR}* · 0 phone callers")

    dial_allowed_again(clock, services.bridge)
    slack_user.click("dial_out", meeting.id, response_key="retry")
    dial = dialled(fake_opentok, services, meeting.id, count=3)
    assert services.store.bridges.active(meeting.id).state == "connecting"
    bridge_leg_answer(dial, new_uuid()).send(client)
    wait_for_status(fake_slack, "Phone bridge: *connected* · 0 phone callers", after=seen)
    assert fake_slack.responses("retry") == []


def test_unreachable_video_service_fails_the_bridge(start_meeting, slack_user, fake_opentok, fake_slack,
                                                   services, sleeps):
    meeting = start_meeting()
    fake_opentok.drop_connection("dial", times=2)
    slack_user.click("dial_out", meeting.id)
    sent = fake_slack.wait_for_response("click")
    assert "Couldn't connect the phone bridge: the video service could not be reached" in sent[0]["text"]
    assert services.store.bridges.latest(meeting.id).state == "failed"


def test_click_for_another_workspaces_meeting_dials_nothing(app, start_meeting, fake_slack, fake_opentok):
    meeting = start_meeting()
    stranger = SlackUser(app.test_client(), fake_slack, user_id="U0EVE", team_id="T0OTHER")
    stranger.click("dial_out", meeting.id, response_key="eve")
    sent = fake_slack.wait_for_response("eve")
    assert sent[0]["text"].startswith("I can't find that meeting")
    assert fake_opentok.requests("dial") == []


def test_click_on_an_ended_meeting_dials_nothing(start_meeting, slack_user, fake_slack, fake_opentok, services):
    meeting = start_meeting()
    services.lifecycle.end(meeting.id, reason="ended")
    slack_user.click("dial_out", meeting.id)
    assert fake_slack.wait_for_response("click") == [ephemeral("This meeting has already ended.")]
    assert fake_opentok.requests("dial") == []


def test_join_page_connect_answers_202_then_409(start_meeting, client, fake_opentok):
    meeting = start_meeting()
    joined(client, meeting.id)
    response = press(client, meeting.id, "dial-out")
    assert (response.status_code, response.get_json()) == (202, {"bridge": "connecting"})
    assert fake_opentok.requests("dial")[0]["sip"]["headers"]["X-Meetbridge-Meeting"] == meeting.id
    again = press(client, meeting.id, "dial-out")
    assert (again.status_code, again.get_json()) == (
        409, {"error": "The phone bridge is already connecting.", "bridge": "connecting"})
    assert len(fake_opentok.requests("dial")) == 1


def test_join_page_connect_reports_a_failed_dial_as_502(start_meeting, client, fake_opentok, sleeps, clock,
                                                       services):
    meeting = start_meeting()
    joined(client, meeting.id)
    fake_opentok.http_status("dial", 409)
    response = press(client, meeting.id, "dial-out")
    assert (response.status_code, response.get_json()) == (
        502, {"error": f"Couldn't connect the phone bridge: {NOT_ROUTED}.", "bridge": "failed"})
    status = client.get(f"/rooms/{meeting.id}/status").get_json()
    assert (status["bridge"], status["bridgeReason"]) == ("failed", NOT_ROUTED)
    dial_allowed_again(clock, services.bridge)
    assert press(client, meeting.id, "dial-out").status_code == 202  # a later try dials again


def test_join_page_connect_for_unknown_or_ended_meetings(start_meeting, client, services, fake_opentok):
    assert press(client, "no-such-meeting", "dial-out").status_code == 404
    meeting = start_meeting()
    joined(client, meeting.id)
    services.lifecycle.end(meeting.id, reason="ended")
    assert press(client, meeting.id, "dial-out").status_code == 410
    assert fake_opentok.requests("dial") == []


def test_card_is_never_updated_with_secrets(start_meeting, slack_user, fake_opentok, fake_slack, services):
    meeting = start_meeting()
    slack_user.click("dial_out", meeting.id)
    token = dialled(fake_opentok, services, meeting.id)["sip"]["headers"]["X-Meetbridge-Token"]
    wait_until(lambda: status_lines(fake_slack))
    assert token not in str(fake_slack.requests("chat.update"))
    assert VOICE_SECRET not in str(fake_slack.requests("chat.update"))
