"""A dial-out's progress in Slack: the member who asked reads each code in plain words (an
ephemeral in the meeting's channel), and the card shows a short line while the call rings or
is joined, gone once it is over. Names typed by people cannot mention or link."""

from __future__ import annotations

from concurrent.futures import Future

import pytest
from slack_sdk import WebClient

from bot.dial_progress import DialProgressNotices
from meetbridge.dial_out_records import DialProgress, Requester
from tests.bot.test_dial_words import PROGRESS_FOR_INVITEE, PROGRESS_FOR_ME
from tests.conftest import BOT_TOKEN
from tests.vonage_calls import status_lines
from tests.waiting import wait_until


class RightAway:
    """An executor that runs each task at once (the app uses its Slack listener pool)."""

    def submit(self, task, *args):
        done: Future = Future()
        done.set_result(task(*args))
        return done


@pytest.fixture
def notices(app, services, fake_slack, clock, monkeypatch) -> DialProgressNotices:
    """The Slack side's progress listener over the app's store and card publisher."""
    cards = app.extensions["meetbridge.cards"]
    monkeypatch.setattr(cards, "min_interval", 0.01)
    return DialProgressNotices(services.meetings, services.store.dial_lines, cards.changed,
                               lambda team_id: WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url),
                               RightAway(), clock)


def progress(meeting_id: str, code: str, name: str | None = None, uuid: str = "call-1",
             requester: Requester | None = None) -> DialProgress:
    return DialProgress(call_uuid=uuid, meeting_id=meeting_id,
                        requester=requester or Requester(kind="member", workspace_id="T0001", member_id="U0ADA"),
                        masked="•••0123", invitee_name=name, code=code)


def ephemerals(fake_slack) -> list[tuple[str, str, str]]:
    return [(r["channel"], r["user"], r["text"]) for r in fake_slack.requests("chat.postEphemeral")]


@pytest.mark.parametrize(("code", "words"), PROGRESS_FOR_ME.items())
def test_each_code_of_call_me_reaches_the_member_in_the_meetings_channel(
        notices, start_meeting, fake_slack, code, words):
    meeting = start_meeting()
    notices(progress(meeting.id, code))
    assert ephemerals(fake_slack) == [("C0GENERAL", "U0ADA", words)]


@pytest.mark.parametrize(("code", "words"), PROGRESS_FOR_INVITEE.items())
def test_each_code_of_add_by_phone_reaches_the_member_who_asked(notices, start_meeting, fake_slack, code, words):
    meeting = start_meeting()
    notices(progress(meeting.id, code, name="Maria"))
    assert ephemerals(fake_slack) == [("C0GENERAL", "U0ADA", words)]


def test_the_card_shows_a_line_while_a_call_rings_or_is_joined_and_drops_it_when_over(
        notices, start_meeting, fake_slack, services):
    meeting = start_meeting()
    notices(progress(meeting.id, "ringing"))
    notices(progress(meeting.id, "ringing", name="<!here> Maria", uuid="call-2"))
    wait_until(lambda: any(line.endswith("\n📞 <@U0ADA>: ringing\n📞 &lt;!here&gt; Maria: ringing")
                           for line in status_lines(fake_slack)))
    notices(progress(meeting.id, "joined"))
    notices(progress(meeting.id, "no_answer", name="<!here> Maria", uuid="call-2"))
    wait_until(lambda: status_lines(fake_slack)[-1].endswith("phone callers\n📞 <@U0ADA>: joined by phone")
               or status_lines(fake_slack)[-1].endswith("phone caller\n📞 <@U0ADA>: joined by phone"))
    notices(progress(meeting.id, "left"))
    wait_until(lambda: "📞" not in status_lines(fake_slack)[-1])
    assert services.store.dial_lines.of_meeting(meeting.id) == []


def test_a_repeated_code_tells_nobody_twice(notices, start_meeting, fake_slack):
    meeting = start_meeting()
    notices(progress(meeting.id, "ringing"))
    notices(progress(meeting.id, "ringing"))
    assert [text for _, _, text in ephemerals(fake_slack)] == ["Ringing your phone (•••0123)…"]


def test_a_page_visitors_call_tells_no_slack_member(notices, start_meeting, fake_slack):
    meeting = start_meeting()
    notices(progress(meeting.id, "busy", requester=Requester(kind="visitor", workspace_id="T0001", visitor_id="v1")))
    assert fake_slack.requests("chat.postEphemeral") == []
