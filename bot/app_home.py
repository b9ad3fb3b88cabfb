"""App Home: the user's live meetings with their join links and an End button, plus help."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from meetbridge.errors import MeetingNotFound, NotAllowed
from meetbridge.lifecycle import Lifecycle
from meetbridge.meetings import MeetingService
from meetbridge.phone_format import grouped_pin, human_number
from meetbridge.records import Meeting

from . import messages
from .card import escape_mrkdwn, join_url


def meeting_rows(meeting: Meeting, server_url: str, number: str) -> list:
    """One live meeting on the Home tab: title, dial-in, Join and End buttons."""
    url = join_url(server_url, meeting.id)
    return [
        SectionBlock(text=MarkdownTextObject(
            text=f"*{escape_mrkdwn(meeting.title)}* in <#{meeting.channel_id}>\n"
                 f"Dial {number}, PIN `{grouped_pin(meeting.pin)}`"),
            accessory=ButtonElement(text="Join", url=url, action_id="join_meeting", value=meeting.id)),
        ActionsBlock(elements=[ButtonElement(
            text="End meeting", action_id="end_meeting_home", value=meeting.id, style="danger",
            confirm=ConfirmObject(title="End this meeting?", text="Everyone is disconnected, phone callers included.",
                                  confirm="End meeting", deny="Cancel", style="danger"))]),
    ]


def home_view(meetings: list[Meeting], server_url: str, number_digits: str, note: str | None = None,
              phone: list | None = None) -> dict:
    """The Home tab; `phone` is the "My phone number" section, when dial-out is on."""
    number = human_number(number_digits)
    blocks: list = [HeaderBlock(text="Your live meetings")]
    if note:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    if not meetings:
        none_yet = "None right now. Type `/meet` in a channel to start one."
        blocks.append(SectionBlock(text=MarkdownTextObject(text=none_yet)))
    for meeting in meetings:
        blocks.extend(meeting_rows(meeting, server_url, number))
    if phone:
        blocks += [DividerBlock(), *phone]
    blocks += [DividerBlock(), SectionBlock(text=MarkdownTextObject(text=messages.HELP))]
    return View(type="home", blocks=blocks).to_dict()


def register_app_home(app: App, meetings: MeetingService, lifecycle: Lifecycle, server_url: str,
                      conference_number: str,
                      phone_section: Callable[[str, str], list] | None = None) -> Callable[..., None]:
    """The Home tab (a user's live meetings) and its End buttons; returns how to republish it.
    `phone_section(team_id, user_id)`: the member's "My phone number" blocks."""

    def publish(client: WebClient, team_id: str, user_id: str, note: str | None = None) -> None:
        """Publish the user's Home tab with their live meetings (and a note, if any)."""
        live = meetings.live_for_starter(team_id, user_id)
        phone = phone_section(team_id, user_id) if phone_section else None
        client.views_publish(user_id=user_id, view=home_view(live, server_url, conference_number, note, phone))

    def home_opened(event: dict, client: WebClient, context) -> None:
        """Refresh the Home tab whenever the user opens it."""
        if event.get("tab", "home") == "home":
            publish(client, context.team_id, event["user"])

    def end_from_home(ack: Ack, body: dict, client: WebClient, context) -> None:
        """End meeting on the Home tab: end it, then republish with what happened."""
        ack()
        user_id = body["user"]["id"]
        meeting = meetings.find(body["actions"][0].get("value") or "")
        publish(client, context.team_id, user_id, end_for(meeting, context.team_id, user_id))

    def end_for(meeting: Meeting | None, team_id: str, user_id: str) -> str | None:
        """End the meeting for the user who clicked; the note to show when it cannot be."""
        if meeting is None or meeting.team_id != team_id:
            return messages.UNKNOWN_MEETING
        try:
            lifecycle.end(meeting.id, reason="ended", by_user=user_id)
        except MeetingNotFound:
            return messages.UNKNOWN_MEETING
        except NotAllowed:
            return messages.only_creator(meeting.creator_id)
        return None

    app.event("app_home_opened")(home_opened)
    app.action("end_meeting_home")(end_from_home)
    return publish
