"""`/meet [topic]`: ack at once, then create the meeting and post its card.

A command is acted on once per `trigger_id` (kept in the database for every worker): a
replay inside Slack's 5-minute signature window, or a second delivery, is only acknowledged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from slack_bolt import Ack, App, Respond
from slack_sdk.errors import SlackApiError

from meetbridge.clock import Clock
from meetbridge.errors import TooManyLiveMeetings, UpstreamError
from meetbridge.meetings import MeetingRequest, MeetingService

from . import messages
from .card import join_url
from .card_poster import CardPoster
from .card_store import SeenTriggers
from .slack_client import SLACK_FAILURES
from .slack_words import ReaderLocales, reader_locale

log = logging.getLogger(__name__)


def is_help(text: str) -> bool:
    """Whether `/meet <text>` asks for help rather than a meeting titled so."""
    return text.strip().lower() in {"help", "?", "-h", "--help"}


def register_meet_command(app: App, meetings: MeetingService, cards: CardPoster, triggers: SeenTriggers,
                          clock: Clock, server_url: str, locales: ReaderLocales | None = None) -> None:
    """`/meet`, acting on each delivery once (`triggers`), starting through `meetings`."""
    def meet(ack: Ack, command: dict, respond: Respond, context) -> None:
        """Ack first: the video API may be slow, Slack gives us three seconds. The ack's words are
        in the member's language only when it is known without asking Slack."""
        text = command.get("text") or ""
        known = locales.known(command.get("team_id"), command.get("user_id")) if locales else None
        if is_help(text):
            ack(response_type="ephemeral", text=messages.help_text(known))
            return
        if not first_delivery(triggers, clock, command):
            ack()
            return
        topic = messages.clean_topic(text)
        ack(response_type="ephemeral", text=messages.starting(topic, known))
        request = MeetingRequest(workspace_id=command["team_id"], place_id=command["channel_id"],
                                 starter_id=command["user_id"], topic=topic)
        start_meeting(meetings, cards, server_url, request, respond, partial(reader_locale, context, known))

    app.command("/meet")(meet)


def first_delivery(triggers: SeenTriggers, clock: Clock, command: dict) -> bool:
    """True unless this command's trigger_id was acted on already (by any worker)."""
    trigger_id = command.get("trigger_id")
    if not trigger_id:  # Slack always sends one; without it there is nothing to match on
        return True
    if triggers.first_sight(str(trigger_id), clock.now()):
        return True
    log.info("/meet delivered again (same trigger_id): acknowledged, nothing started")
    return False


def slack_failure(error: Exception) -> str:
    """Slack's error code, or what went wrong in a word or two."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error", "error"))
    return "unexpected answer" if isinstance(error, ValueError) else "unreachable"


def start_meeting(meetings: MeetingService, cards: CardPoster, server_url: str, request: MeetingRequest,
                  respond: Respond, reader: Callable[[], str | None] = lambda: None) -> None:
    """Create and store the meeting (one write), announce it (one write of the card); undo the
    meeting if it cannot be announced."""
    try:
        started = meetings.start_hosted(request)
    except UpstreamError as error:
        respond(response_type="ephemeral", text=messages.start_failed(error, reader()))
        return
    except TooManyLiveMeetings as error:
        respond(response_type="ephemeral", text=messages.too_many_live_meetings(error.limit, reader()))
        return
    meeting = started.meeting
    try:
        cards.post_new(meeting, respond)
    except SLACK_FAILURES as error:
        meetings.discard(meeting.id)  # nobody was told about it: leave nothing behind
        respond(response_type="ephemeral", text=messages.card_failed(slack_failure(error), reader()))
        return
    respond(response_type="ephemeral", replace_original=False,
            text=messages.host_link(join_url(server_url, meeting.id), started.host_key, reader()))
