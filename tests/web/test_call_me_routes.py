"""The join page's "Call my phone instead": POST /rooms/<id>/call-me places the call for a visitor
who joined (202), GET /rooms/<id>/call-me is that visitor's own call's progress; every refusal
in plain words, and the attacks a web route meets (no cookie, another meeting's cookie, a
simple cross-site form post, an ended meeting, a fourth call in an hour)."""

from __future__ import annotations

from pathlib import Path

import pytest

from meetbridge.dial_out_status import PROGRESS_CODES
from meetbridge.meetings import MeetingRequest
from tests.visitor import joined
from tests.vonage_calls import CONFERENCE_NUMBER, TIMESTAMP, post_json
from web.visitor_cookie import COOKIE_NAME

TYPED = "(202) 555-0143"
DIGITS = "12025550143"


@pytest.fixture
def meeting(services):
    return services.meetings.start(MeetingRequest(workspace_id="T0001", place_id="C1", starter_id="U1",
                                                  topic="Design review"))


def call_me(client, meeting_id: str, number: str = TYPED, name: str = "Ada"):
    return client.post(f"/rooms/{meeting_id}/call-me", json={"number": number, "name": name})


def progress(client, meeting_id: str):
    return client.get(f"/rooms/{meeting_id}/call-me")


def event(client, uuid: str, status: str) -> None:
    payload = {"from": CONFERENCE_NUMBER, "to": DIGITS, "uuid": uuid, "conversation_uuid": f"CON-{uuid}",
               "status": status, "direction": "outbound", "timestamp": TIMESTAMP}
    assert post_json("/voice-events", payload).send(client).status_code == 200


def test_a_joined_visitor_is_called_and_follows_the_call_until_it_ends(client, services, meeting, fake_vonage):
    joined(client, meeting.id, "Ada Lovelace")
    assert progress(client, meeting.id).get_json() == {"call": None}
    response = call_me(client, meeting.id, name="Ada Lovelace")
    assert response.status_code == 202
    assert response.get_json() == {"call": {"state": "ringing", "number": "•••0143", "final": False}}
    [sent] = fake_vonage.requests("create_call")
    assert sent["to"] == [{"type": "phone", "number": DIGITS}] and sent["from"]["number"] == CONFERENCE_NUMBER
    assert sent["ncco"][0]["text"] == "meetbridge invites you to Design review. Press 1 to join."
    [leg] = services.store.legs.live_legs(meeting.id)
    assert leg.caller_name == "Ada Lovelace"  # shown by the visitor's name once in
    event(client, leg.uuid, "ringing")
    assert progress(client, meeting.id).get_json()["call"]["state"] == "ringing"
    event(client, leg.uuid, "busy")
    assert progress(client, meeting.id).get_json() == {"call": {"state": "busy", "number": "•••0143", "final": True}}
    assert DIGITS not in progress(client, meeting.id).get_data(as_text=True)


def test_pressing_1_shows_joined(client, services, meeting, fake_vonage):
    joined(client, meeting.id)
    call_me(client, meeting.id)
    [leg] = services.store.legs.live_legs(meeting.id)
    dtmf = {"from": CONFERENCE_NUMBER, "to": DIGITS, "uuid": leg.uuid, "conversation_uuid": f"CON-{leg.uuid}",
            "dtmf": {"digits": "1", "timed_out": False}, "timestamp": TIMESTAMP}
    answer = post_json("/voice-dtmf", dtmf).send(client)
    assert answer.get_json()[-1]["action"] == "conversation", (answer.status_code, answer.get_json())
    assert progress(client, meeting.id).get_json()["call"] == {"state": "joined", "number": "•••0143", "final": False}


def test_without_the_cookie_it_is_403_and_nothing_is_dialled(client, meeting, fake_vonage):
    response = call_me(client, meeting.id)
    assert response.status_code == 403 and "Join the meeting on this page first" in response.get_json()["error"]
    assert progress(client, meeting.id).status_code == 403
    assert fake_vonage.requests("create_call") == []


def test_another_meetings_cookie_or_a_forged_one_is_403(client, services, meeting, fake_vonage):
    other = services.meetings.start(MeetingRequest(workspace_id="T0001", place_id="C1", starter_id="U1", topic=None))
    joined(client, other.id)
    value = client.get_cookie(COOKIE_NAME, path=f"/rooms/{other.id}").value
    for forged in [value, meeting.id, value.replace(other.id, meeting.id)]:
        client.set_cookie(COOKIE_NAME, forged, path=f"/rooms/{meeting.id}")
        assert call_me(client, meeting.id).status_code == 403, forged
        assert progress(client, meeting.id).status_code == 403, forged
    assert fake_vonage.requests("create_call") == []


def test_a_form_post_or_text_plain_is_415(client, meeting, fake_vonage):
    joined(client, meeting.id)
    for body, content_type in [('{"number": "(202) 555-0143", "name": "Ada"}', "text/plain"),
                               ("number=2025550143&name=Ada", "application/x-www-form-urlencoded")]:
        response = client.post(f"/rooms/{meeting.id}/call-me", data=body, content_type=content_type)
        assert response.status_code == 415
    assert fake_vonage.requests("create_call") == []


def test_a_bad_number_is_400_with_the_reason(client, meeting, fake_vonage):
    joined(client, meeting.id)
    answers = {"not a number": "isn't a phone number", "+44 20 7946 0018": "that country",
               "+1 900 555 0199": "premium-rate"}
    for number, words in answers.items():
        response = call_me(client, meeting.id, number=number)
        assert response.status_code == 400 and words in response.get_json()["error"], number
    assert call_me(client, meeting.id, name="").status_code == 400
    assert client.post(f"/rooms/{meeting.id}/call-me", json=["x"]).status_code == 400
    assert fake_vonage.requests("create_call") == []


def test_an_ended_meeting_is_410_and_an_unknown_one_404(client, services, meeting, fake_vonage):
    joined(client, meeting.id)
    services.lifecycle.end(meeting.id, "ended")
    response = call_me(client, meeting.id)
    assert (response.status_code, response.get_json()) == (410, {"error": "This meeting has ended."})
    assert call_me(client, "no-such-meeting").status_code == 404
    assert fake_vonage.requests("create_call") == []


def test_the_fourth_call_in_an_hour_is_429_with_retry_after_and_an_hour_later_it_calls(
        client, services, meeting, fake_vonage, clock):
    joined(client, meeting.id)
    for _ in range(3):
        assert call_me(client, meeting.id).status_code == 202
    fourth = call_me(client, meeting.id)
    assert fourth.status_code == 429 and "as many calls as it may in an hour" in fourth.get_json()["error"]
    assert 0 < int(fourth.headers["Retry-After"]) <= 3600
    assert len(fake_vonage.requests("create_call")) == 3
    joined(client, meeting.id)  # a fresh token keeps the visitor's id: no way round the limit
    assert call_me(client, meeting.id).status_code == 429
    clock.advance(3601)
    for leg in services.store.legs.live_legs(meeting.id):
        event(client, leg.uuid, "unanswered")
    assert call_me(client, meeting.id).status_code == 202


def test_progress_is_only_ever_the_visitors_own_call(app, client, meeting, fake_vonage):
    joined(client, meeting.id, "Ada")
    call_me(client, meeting.id)
    someone_else = app.test_client()
    joined(someone_else, meeting.id, "Grace")
    assert progress(someone_else, meeting.id).get_json() == {"call": None}
    assert progress(client, meeting.id).get_json()["call"]["number"] == "•••0143"


def test_progress_reads_are_rate_limited_per_visitor(client, meeting):
    joined(client, meeting.id)
    answers = [progress(client, meeting.id).status_code for _ in range(61)]
    assert answers[:60] == [200] * 60 and answers[60] == 429


@pytest.fixture
def extra_env(request) -> dict[str, str]:
    """Settings a test gives with `@pytest.mark.parametrize("extra_env", [...], indirect=True)`."""
    return getattr(request, "param", {})


def test_the_page_offers_it_only_when_members_may_have_the_meeting_call(client, meeting):
    assert 'id="call-me-card"' in client.get(f"/rooms/{meeting.id}").get_data(as_text=True)


@pytest.mark.parametrize("extra_env", [{"DIAL_OUT": "off"}, {"DIAL_OUT": "starter"}], indirect=True)
def test_with_dial_out_off_or_starter_only_the_page_does_not_offer_it_and_the_route_refuses(
        client, meeting, fake_vonage, extra_env):
    page = client.get(f"/rooms/{meeting.id}").get_data(as_text=True)
    assert "call-me-card" not in page and "call_me.js" not in page
    joined(client, meeting.id)
    response = call_me(client, meeting.id)
    assert response.status_code == 403
    assert response.get_json()["error"] in ("Calling phones from meetings is switched off here. Dial in with the "
                                             "number and PIN instead.",
                                             "Only the person who started this meeting can have it call phones here.")
    assert fake_vonage.requests("create_call") == []


@pytest.mark.parametrize("extra_env", [{"DIAL_OUT_COUNTRIES": "US,GB"}], indirect=True)
def test_a_national_number_is_read_in_the_browsers_country_when_allowed(client, meeting, fake_vonage, extra_env):
    joined(client, meeting.id)
    response = client.post(f"/rooms/{meeting.id}/call-me", json={"number": "020 7183 8750", "name": "Ada"},
                           headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert response.status_code == 202
    assert fake_vonage.requests("create_call")[0]["to"] == [{"type": "phone", "number": "442071838750"}]
    # A browser of a country calls are not allowed to says nothing: the first allowed country reads it.
    response = client.post(f"/rooms/{meeting.id}/call-me", json={"number": "(202) 555-0143", "name": "Ada"},
                           headers={"Accept-Language": "fr-FR"})
    assert response.status_code == 202
    assert fake_vonage.requests("create_call")[1]["to"] == [{"type": "phone", "number": "12025550143"}]


def test_new_cookies_from_one_address_do_not_get_round_the_limit(app, meeting, fake_vonage):
    """Clearing cookies makes a new visitor; one address still asks at most 10 times an hour."""
    answers = []
    for _ in range(4):
        browser = app.test_client()  # a fresh cookie jar each time, the same address
        joined(browser, meeting.id)
        answers += [call_me(browser, meeting.id).status_code for _ in range(3)]
    assert answers == [202] * 10 + [429] * 2
    assert len(fake_vonage.requests("create_call")) == 10


def test_every_progress_code_has_page_words():
    """The page words each code the status route can give (web/static/call_me_words.js)."""
    words = (Path(__file__).parents[2] / "web" / "static" / "call_me_words.js").read_text()
    assert [code for code in PROGRESS_CODES if f"  {code}: " not in words] == []
