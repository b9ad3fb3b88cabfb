"""users.info behind the dial-out buttons: the invitee hears the member's name ("Ada invites
you…"), a number typed without its country code is read in the member's country (their time
zone), and when Slack will not say (no users:read, user_not_found) the call still goes out:
"A colleague", and the first allowed country."""

from __future__ import annotations

import time

import pytest

from bot.member_profiles import MemberProfile, MemberProfiles, display_name, member_country
from tests.bot.slack_modals import opened_view, submit, typed
from tests.bot.test_dial_out_buttons import eventually, placed_calls
from tests.fakes.slack_api import FakeSlack


@pytest.fixture
def extra_env(request) -> dict[str, str]:
    """Settings a test gives with `@pytest.mark.parametrize("extra_env", [...], indirect=True)`."""
    return getattr(request, "param", {})


def add_maria(slack_user, fake_slack, client, meeting, number: str = "(201) 555-0123"):
    slack_user.click("add_phone", meeting.id)
    view = opened_view(fake_slack)
    fake_slack.wait_for("users.info")
    time.sleep(0.2)  # the click's users.info answer is kept before the member can submit
    return submit(client, view, {"phone": {"phone": typed(number)}, "name": {"name": typed("Maria")}})


def test_the_invitee_hears_the_members_display_name(start_meeting, slack_user, fake_slack, fake_vonage, client):
    meeting = start_meeting("Planning")
    add_maria(slack_user, fake_slack, client, meeting)
    [call] = eventually(lambda: placed_calls(fake_vonage))
    assert call["ncco"][0]["text"] == "Ada invites you to Planning. Press 1 to join."
    asked = fake_slack.requests("users.info")[0]
    assert (asked["user"], asked["include_locale"]) == ("U0ADA", "1")  # slack_sdk sends a true bool as 1


@pytest.mark.parametrize("error", ["user_not_found", "ratelimited", "fatal_error"])
def test_when_users_info_fails_the_call_still_goes_out_from_a_colleague(
        start_meeting, slack_user, fake_slack, fake_vonage, client, error):
    fake_slack.fail("users.info", error, times=None)  # from the start: /meet asks it too (the host link's language)
    meeting = start_meeting("Planning")
    add_maria(slack_user, fake_slack, client, meeting)
    [call] = eventually(lambda: placed_calls(fake_vonage))
    assert call["ncco"][0]["text"] == "A colleague invites you to Planning. Press 1 to join."


@pytest.fixture
def without_users_read(fake_slack: FakeSlack) -> None:
    fake_slack.workspace.scope = "commands,chat:write,chat:write.public,calls:read,calls:write"


def test_an_install_without_users_read_still_calls(without_users_read, start_meeting, slack_user, fake_slack,
                                                   fake_vonage, client):
    meeting = start_meeting("Planning")
    add_maria(slack_user, fake_slack, client, meeting)
    [call] = eventually(lambda: placed_calls(fake_vonage))
    assert call["ncco"][0]["text"].startswith("A colleague invites you")


@pytest.mark.parametrize("extra_env", [{"DIAL_OUT_COUNTRIES": "US,GB"}], indirect=True)
def test_a_national_number_is_read_in_the_members_country(start_meeting, slack_user, fake_slack, fake_vonage,
                                                          client, extra_env):
    fake_slack.workspace.members["U0ADA"] = ("Ada Lovelace", "Ada", "Europe/London", "en-US")
    meeting = start_meeting("Planning")
    assert add_maria(slack_user, fake_slack, client, meeting, number="020 7183 8750").get_data(as_text=True) == ""
    [call] = eventually(lambda: placed_calls(fake_vonage))
    assert call["to"] == [{"type": "phone", "number": "442071838750"}]


def test_without_a_known_country_the_first_allowed_one_reads_the_number(
        start_meeting, slack_user, fake_slack, fake_vonage, client):
    fake_slack.workspace.members["U0ADA"] = ("Ada Lovelace", "Ada", "Europe/London", "en-GB")  # GB not allowed
    meeting = start_meeting("Planning")
    add_maria(slack_user, fake_slack, client, meeting, number="(201) 555-0123")
    [call] = eventually(lambda: placed_calls(fake_vonage))
    assert call["to"] == [{"type": "phone", "number": "12015550123"}]


@pytest.mark.parametrize(("user", "country"), [
    ({"tz": "Europe/Berlin", "locale": "en-US"}, "DE"),  # the time zone says where they are
    ({"tz": "Europe/Paris", "locale": "de-DE"}, None),  # FR not allowed; the locale does not overrule it
    ({"tz": "", "locale": "de-DE"}, "DE"),  # no time zone: the locale's region
    ({"tz": "Mars/Olympus", "locale": "en"}, None),
    ({}, None),
])
def test_member_country(user, country):
    assert member_country(user, ("US", "DE")) == country


def test_display_name_prefers_the_display_name_then_the_full_name():
    assert display_name({"real_name": "Ada Lovelace", "profile": {"display_name": " Ada  L ", "real_name": "x"}}) \
        == "Ada L"
    assert display_name({"real_name": "Ada Lovelace", "profile": {"display_name": ""}}) == "Ada Lovelace"
    assert display_name({}) is None
    assert display_name({"profile": {"display_name": "<speak><break time='9s'/>Ada</speak>"}}) == \
        "speak break time='9s'/ Ada /speak"  # never SSML


def test_profiles_are_kept_for_ten_minutes_then_asked_again():
    now = [0.0]
    asked: list[str] = []

    class Client:
        def users_info(self, user: str, include_locale: bool):
            asked.append(user)
            return {"user": {"real_name": "Ada", "tz": "America/New_York"}}

    profiles = MemberProfiles(("US",), now=lambda: now[0])
    assert profiles.kept("T1", "U1") is None
    assert profiles.lookup(Client(), "T1", "U1") == MemberProfile("Ada", "US")  # type: ignore[arg-type]
    now[0] = 599.0
    assert profiles.lookup(Client(), "T1", "U1") == MemberProfile("Ada", "US")  # type: ignore[arg-type]
    now[0] = 601.0
    profiles.lookup(Client(), "T1", "U1")  # type: ignore[arg-type]
    assert asked == ["U1", "U1"]
