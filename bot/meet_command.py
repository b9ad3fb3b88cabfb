"""`/meet [topic]`: ack at once, then create the meeting and post its card.

A command is acted on once per `trigger_id` (kept in the database for every worker): a
replay inside Slack's 5-minute signature window, or a second delivery, is only acknowledged.
"""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, Respond
from slack_sdk.errors import SlackApiError, SlackRequestError

from meetbridge.errors import TooManyLiveMeetings, UpstreamError
from meetbridge.meetings import MeetingRequest
from meetbridge.records import Meeting
from meetbridge.services import Services

from . import messages
from .card import join_url
from .card_publisher import CardPublisher

log = logging.getLogger(__name__)


def is_help(text: str) -> bool:
    return text.strip().lower() in {"help", "?", "-h", "--help"}


def register_meet_command(app: App, services: Services, cards: CardPublisher) -> None:
    def meet(ack: Ack, command: dict, respond: Respond) -> None:
        """Ack first: the video API may be slow, Slack gives us three seconds."""
        text = command.get("text") or ""
        if is_help(text):
            ack(response_type="ephemeral", text=messages.HELP)
            return
        if not first_delivery(services, command):
            ack()
            return
        topic = messages.clean_topic(text)
        ack(response_type="ephemeral", text=messages.starting(topic))
        request = MeetingRequest(team_id=command["team_id"], channel_id=command["channel_id"],
                                 creator_id=command["user_id"], topic=topic)
        start_meeting(services, cards, request, respond)

    app.command("/meet")(meet)


def first_delivery(services: Services, command: dict) -> bool:
    """True unless this command's trigger_id was acted on already (by any worker)."""
    trigger_id = command.get("trigger_id")
    if not trigger_id:  # Slack always sends one; without it there is nothing to match on
        return True
    if services.store.slack_triggers.first_sight(str(trigger_id), services.clock.now()):
        return True
    log.info("/meet delivered again (same trigger_id): acknowledged, nothing started")
    return False


# A Slack call can fail with an API error, a network error, or an answer that is not JSON
# (slack_sdk lets json.JSONDecodeError, a ValueError, through for a 200 with a broken body).
SLACK_FAILURES = (SlackApiError, SlackRequestError, OSError, ValueError)


def slack_failure(error: Exception) -> str:
    """Slack's error code, or what went wrong in a word or two."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error", "error"))
    return "unexpected answer" if isinstance(error, ValueError) else "unreachable"


def start_meeting(services: Services, cards: CardPublisher, request: MeetingRequest,
                  respond: Respond) -> None:
    """Create, store and announce; undo the meeting if it cannot be announced."""
    try:
        meeting = services.meetings.start(request)
    except UpstreamError as error:
        respond(response_type="ephemeral", text=messages.start_failed(error))
        return
    except TooManyLiveMeetings as error:
        respond(response_type="ephemeral", text=messages.too_many_live_meetings(error.limit))
        return
    try:
        cards.post_new(meeting, respond)
    except SLACK_FAILURES as error:
        undo_unannounced(services, cards, meeting)
        respond(response_type="ephemeral", text=messages.card_failed(slack_failure(error)))
        return
    host_key = services.meetings.issue_host_key(meeting.id)
    respond(response_type="ephemeral", replace_original=False,
            text=messages.host_link(join_url(services.settings.server_url, meeting.id), host_key))


def undo_unannounced(services: Services, cards: CardPublisher, meeting: Meeting) -> None:
    """Leave nothing behind for a meeting nobody was told about."""
    try:
        cards.abandon(meeting)
    except SLACK_FAILURES:
        pass  # best effort: the call was registered but never shown in any message
    services.meetings.discard(meeting.id)
