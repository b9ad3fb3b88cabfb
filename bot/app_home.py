"""App Home: the user's live meetings with their join links and an End button, plus help."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
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
from meetbridge.words import N_

from . import messages
from .card import end_confirm, escape_mrkdwn, join_url
from .slack_words import ReaderLocales, say


def meeting_rows(meeting: Meeting, server_url: str, number: str, locale: str | None = None) -> list:
    """One live meeting on the Home tab: title, dial-in, Join and End buttons."""
    url = join_url(server_url, meeting.id)
    return [
        SectionBlock(text=MarkdownTextObject(
            text=say(N_("*{title}* in {channel}\nDial {number}, PIN `{pin}`"), locale,
                     title=escape_mrkdwn(meeting.title), channel=f"<#{meeting.channel_id}>", number=number,
                     pin=grouped_pin(meeting.pin))),
            accessory=ButtonElement(text=say(N_("Join"), locale), url=url, action_id="join_meeting",
                                    value=meeting.id)),
        ActionsBlock(elements=[ButtonElement(
            text=say(N_("End meeting"), locale), action_id="end_meeting_home", value=meeting.id, style="danger",
            confirm=end_confirm(locale))]),
    ]


def home_view(meetings: list[Meeting], server_url: str, number_digits: str, note: str | None = None,
              phone: list | None = None, locale: str | None = None) -> dict:
    """The Home tab in the member's language; `phone` is the "My phone number" section, when
    dial-out is on."""
    number = human_number(number_digits)
    blocks: list = [HeaderBlock(text=say(N_("Your live meetings"), locale))]
    if note:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    if not meetings:
        none_yet = say(N_("None right now. Type `/meet` in a channel to start one."), locale)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=none_yet)))
    for meeting in meetings:
        blocks.extend(meeting_rows(meeting, server_url, number, locale))
    if phone:
        blocks += [DividerBlock(), *phone]
    blocks += [DividerBlock(), SectionBlock(text=MarkdownTextObject(text=messages.help_text(locale)))]
    return View(type="home", blocks=blocks).to_dict()


def register_app_home(app: App, meetings: MeetingService, lifecycle: Lifecycle, server_url: str,
                      conference_number: str,
                      phone_section: Callable[..., list] | None = None,
                      locales: ReaderLocales | None = None) -> Callable[..., None]:
    """The Home tab (a user's live meetings) and its End buttons; returns how to republish it.
    `phone_section(team_id, user_id, locale)`: the member's "My phone number" blocks; `locales`:
    the language each member reads (default: English)."""

    def locale_of(client: WebClient, team_id: str, user_id: str) -> str | None:
        """The member's language (users.info, kept a while), None for English without `locales`."""
        return locales.of(client, team_id, user_id) if locales else None

    def publish(client: WebClient, team_id: str, user_id: str, note: str | None = None) -> None:
        """Publish the user's Home tab with their live meetings (and a note, if any)."""
        locale = locale_of(client, team_id, user_id)
        live = meetings.live_for_starter(team_id, user_id)
        phone = phone_section(team_id, user_id, locale) if phone_section else None
        client.views_publish(user_id=user_id, view=home_view(live, server_url, conference_number, note, phone,
                                                             locale))

    def home_opened(event: dict, client: WebClient, context) -> None:
        """Refresh the Home tab whenever the user opens it."""
        if event.get("tab", "home") == "home":
            publish(client, context.team_id, event["user"])

    def end_from_home(ack: Ack, body: dict, client: WebClient, context) -> None:
        """End meeting on the Home tab: end it, then republish with what happened."""
        ack()
        user_id = body["user"]["id"]
        meeting = meetings.find(body["actions"][0].get("value") or "")
        locale = locale_of(client, context.team_id, user_id)
        publish(client, context.team_id, user_id, end_for(meeting, context.team_id, user_id, locale))

    def end_for(meeting: Meeting | None, team_id: str, user_id: str, locale: str | None) -> str | None:
        """End the meeting for the user who clicked; the note to show when it cannot be."""
        if meeting is None or meeting.team_id != team_id:
            return messages.word(messages.UNKNOWN_MEETING, locale)
        try:
            lifecycle.end(meeting.id, reason="ended", by_user=user_id)
        except MeetingNotFound:
            return messages.word(messages.UNKNOWN_MEETING, locale)
        except NotAllowed:
            return messages.only_creator(meeting.creator_id, locale)
        return None

    app.event("app_home_opened")(home_opened)
    app.action("end_meeting_home")(end_from_home)
    return publish
