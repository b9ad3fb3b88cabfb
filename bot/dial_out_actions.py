"""Card buttons "Call my phone" (`call_me`) and "Add by phone" (`add_phone`), and their modals.

`call_me` rings the member's saved number at once; without one it opens `call_me_modal`.
`add_phone` opens `add_phone_modal`. A submission's number is checked with DialOut.normalise
before the modal closes, so a bad number is an error under its field, never a failed call;
then the modal closes and the call is placed. Every other refusal reaches the member as an
ephemeral in plain words. Modals need the click's trigger_id within 3 s: every listener acks
first. Numbers are personal data: never logged, and shown back only masked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple, Protocol

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from meetbridge.dial_out_records import DialRequest, DialStarted, Requester
from meetbridge.errors import DialOutRefused, UpstreamError
from meetbridge.meetings import MeetingService
from meetbridge.records import Meeting
from meetbridge.saved_numbers import SavedNumbers
from meetbridge.words import N_

from . import messages
from .card_publisher import CardPublisher
from .meeting_actions import clicked_meeting, tell
from .member_profiles import MemberProfiles
from .phone_modals import (
    ADD_PHONE_MODAL,
    CALL_ME_MODAL,
    NAME,
    PHONE,
    REMEMBER,
    ModalContext,
    add_phone_modal,
    call_me_modal,
    field,
    ticked,
)
from .slack_words import ReaderLocales

log = logging.getLogger(__name__)
NAME_MISSING = N_("Type the name of the person to call: they hear who invites them.")


class Dialler(Protocol):
    """What the buttons need of meetbridge.dial_out.DialOut."""

    def normalise(self, number: str, region: str | None) -> str:
        """E.164 for a typed number, or DialOutRefused."""

    def call(self, request: DialRequest) -> DialStarted:
        """Place the call, or DialOutRefused / UpstreamError."""


class Submission(NamedTuple):
    """A modal's meeting, the member who submitted it, and how to tell them something."""

    meeting: Meeting
    who: Requester
    say: Callable[[str], None]


def member(body: dict) -> Requester:
    """The Slack member of a signed payload, as the domain names who asks."""
    user = body.get("user") or {}
    team_id = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    return Requester(kind="member", workspace_id=team_id, member_id=user.get("id"))


def ephemeral(client: WebClient, channel_id: str, user_id: str) -> Callable[[str], None]:
    """Tell one member something in the meeting's channel, seen by them only."""
    def say(text: str) -> None:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=text)
        except SlackApiError as error:
            log.warning("dial-out ephemeral not delivered: %s", error.response.get("error"))
    return say


def register_dial_out_actions(app: App, meetings: MeetingService, dial_out: Dialler, saved: SavedNumbers,
                              cards: CardPublisher, starter_only: bool = False,
                              profiles: MemberProfiles | None = None, locales: ReaderLocales | None = None) -> None:
    """The two card buttons and the two modals' submissions. `starter_only` (DIAL_OUT=starter):
    anyone else is told at the click, before typing a number (DialOut refuses them anyway).
    `profiles` (users.info) give the member's country for numbers typed without a country code
    and the name an invitee hears; asked at the click, so a submission never waits on Slack.
    `locales`: the member's language, as known without asking Slack again (default: English)."""
    profiles = profiles or MemberProfiles(tuple(getattr(dial_out, "allowed_countries", ())))

    def lang(who: Requester) -> str | None:
        """The member's language from what users.info said lately (modals must open at once)."""
        return locales.known(who.workspace_id, who.member_id) if locales else None

    def looked_up(client: WebClient, who: Requester) -> Requester:
        """The member with their country as the default region (users.info, or memory)."""
        region = profiles.lookup(client, who.workspace_id, who.member_id or "").country
        return replace(who, region=region)

    def place(meeting: Meeting, request: DialRequest, say: Callable[[str], None]) -> None:
        """Place the call and tell the member how it went (the number only masked)."""
        locale = lang(request.requester)
        try:
            started = dial_out.call(request)
        except DialOutRefused as refused:
            return say(messages.dial_refused(refused.code, refused.retry_after, meeting.creator_id, locale))
        except UpstreamError as error:
            return say(messages.dial_failed(error, locale))
        say(messages.calling_invitee(request.invitee_name, started.masked, locale) if request.invitee_name
            else messages.calling(started.masked, locale))

    def live_meeting(body: dict, respond: Respond, client: WebClient) -> Meeting | None:
        meeting = clicked_meeting(meetings, body)
        who = member(body)
        if meeting is None:
            tell(respond, messages.word(messages.UNKNOWN_MEETING, lang(looked_up(client, who))))
            return None
        cards.remember_response_url(meeting.id, body.get("response_url"))
        if not meeting.is_live:
            cards.changed(meeting.id)
            tell(respond, messages.word(messages.MEETING_OVER, lang(looked_up(client, who))))
            return None
        if starter_only and who.member_id != meeting.creator_id:
            tell(respond, messages.dial_refused("starter_only", starter_id=meeting.creator_id,
                                                locale=lang(looked_up(client, who))))
            return None
        return meeting

    def channel_of(body: dict, meeting: Meeting) -> str:
        return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") \
            or meeting.channel_id

    def call_me(ack: Ack, body: dict, respond: Respond, client: WebClient) -> None:
        ack()
        meeting = live_meeting(body, respond, client)
        if meeting is None:
            return
        who = member(body)
        number = saved.get(who.workspace_id, who.member_id or "")
        if number is None:
            context = ModalContext(meeting.id, channel_of(body, meeting))
            client.views_open(trigger_id=body["trigger_id"], view=call_me_modal(context, meeting.title, lang(who)))
            looked_up(client, who)  # ready for the submission, which has 3 s to answer
            return
        request = DialRequest(meeting_id=meeting.id, number=number, requester=looked_up(client, who),
                              invitee_name=None,
                              for_requester=True)
        place(meeting, request, lambda text: tell(respond, text))

    def add_phone(ack: Ack, body: dict, respond: Respond, client: WebClient) -> None:
        ack()
        meeting = live_meeting(body, respond, client)
        if meeting is not None:
            context = ModalContext(meeting.id, channel_of(body, meeting))
            client.views_open(trigger_id=body["trigger_id"],
                              view=add_phone_modal(context, meeting.title, lang(member(body))))
            looked_up(client, member(body))  # ready for the submission, which has 3 s to answer

    def checked_number(view: dict, who: Requester) -> tuple[str | None, DialOutRefused | None]:
        """The typed number in E.164 (read in the member's country when it has no country
        code and users.info answered at the click), or why it cannot be called."""
        known = profiles.kept(who.workspace_id, who.member_id or "")
        try:
            return dial_out.normalise(field(view, PHONE), known.country if known else None), None
        except DialOutRefused as refused:
            return None, refused

    def answered(ack: Ack, errors: dict[str, str], refused: DialOutRefused | None, meeting: Meeting,
                 say: Callable[[str], None], locale: str | None = None) -> bool:
        """Close the modal, or keep it open with errors under its fields; True when the
        submission goes no further. A refusal that is not about the number is told in words."""
        if refused is not None and refused.code in messages.NUMBER_FIELD_ERRORS:
            errors = {PHONE: messages.number_field_error(refused.code, locale), **errors}
        if errors:
            ack(response_action="errors", errors=errors)
            return True
        ack()
        if refused is not None:
            say(messages.dial_refused(refused.code, refused.retry_after, meeting.creator_id, locale))
            return True
        return False

    def submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> Submission | None:
        """The meeting a modal was opened from and how to tell its member; None (acked, and the
        member told when possible) when the meeting is not theirs to call from."""
        who = member(body)
        context = ModalContext.load(view.get("private_metadata", ""))
        if context is None:
            ack()
            return None
        say = ephemeral(client, context.channel_id, who.member_id or "")
        meeting = meetings.find(context.meeting_id)
        if meeting is None or meeting.team_id != who.workspace_id:
            ack()
            say(messages.word(messages.UNKNOWN_MEETING, lang(who)))
            return None
        return Submission(meeting, who, say)

    def call_me_submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        if (sent := submitted(ack, body, view, client)) is None:
            return
        meeting, who, say = sent
        number, refused = checked_number(view, who)
        if answered(ack, {}, refused, meeting, say, lang(who)) or number is None:
            return
        if ticked(view, REMEMBER):
            saved.save(who.workspace_id, who.member_id or "", number)
        place(meeting, DialRequest(meeting_id=meeting.id, number=number, requester=who, invitee_name=None,
                                   for_requester=True), say)

    def add_phone_submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        if (sent := submitted(ack, body, view, client)) is None:
            return
        meeting, who, say = sent
        name = " ".join(field(view, NAME).split())
        number, refused = checked_number(view, who)
        locale = lang(who)
        missing = {} if name else {NAME: messages.word(NAME_MISSING, locale)}
        if answered(ack, missing, refused, meeting, say, locale) or number is None:
            return
        inviter = profiles.lookup(client, who.workspace_id, who.member_id or "").name  # after the ack
        place(meeting, DialRequest(meeting_id=meeting.id, number=number, requester=who, invitee_name=name,
                                   for_requester=False, inviter_name=inviter), say)

    app.action("call_me")(call_me)
    app.action("add_phone")(add_phone)
    app.view(CALL_ME_MODAL)(call_me_submitted)
    app.view(ADD_PHONE_MODAL)(add_phone_submitted)
