"""Card buttons: Join (url button, acked only), Connect / Hang up the phone bridge, End meeting.

Each listener acks first, then acts; problems are answered with an ephemeral message to
the person who clicked, while the card itself shows the shared state.
"""

from __future__ import annotations

from functools import partial

from slack_bolt import Ack, App, Respond

from meetbridge import reasons
from meetbridge.bridge import BridgeService
from meetbridge.errors import (
    BridgeAlreadyActive,
    DialRateLimited,
    MeetingEnded,
    MeetingNotFound,
    NotAllowed,
    UpstreamError,
)
from meetbridge.lifecycle import Lifecycle
from meetbridge.meetings import MeetingService
from meetbridge.records import Meeting

from . import messages
from .card_publisher import CardPublisher
from .slack_words import reader_locale


def clicked_meeting(meetings: MeetingService, body: dict) -> Meeting | None:
    """The meeting a button names, only if it belongs to the clicking workspace."""
    meeting_id = body["actions"][0].get("value") or ""
    meeting = meetings.find(meeting_id)
    team_id = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    if meeting is None or meeting.team_id != team_id:
        return None
    return meeting


def tell(respond: Respond, text: str) -> None:
    """Answer a click with an ephemeral message, leaving the card as it is."""
    respond(response_type="ephemeral", replace_original=False, text=text)


def register_meeting_actions(app: App, meetings: MeetingService, bridge: BridgeService, lifecycle: Lifecycle,
                             cards: CardPublisher) -> None:
    """The card's buttons, acting through the domain's meetings, bridge and lifecycle."""
    def meeting_over(meeting_id: str, respond: Respond, locale: str | None = None) -> None:
        """A button of an ended meeting was pressed: its card missed the ended update (lost to
        a Slack failure), so send it again along with the explanation."""
        cards.changed(meeting_id)
        tell(respond, messages.word(messages.MEETING_OVER, locale))

    def join_meeting(ack: Ack) -> None:
        """Url buttons still send a payload; acking avoids Slack's warning icon."""
        ack()

    def dial_out(ack: Ack, body: dict, respond: Respond, context) -> None:
        """Connect phone bridge: dial it, or say why not."""
        ack()
        locale = partial(reader_locale, context)
        meeting = clicked_meeting(meetings, body)
        if meeting is None:
            return tell(respond, messages.word(messages.UNKNOWN_MEETING, locale()))
        cards.remember_response_url(meeting.id, body.get("response_url"))
        try:
            bridge.connect(meeting.id)
        except BridgeAlreadyActive:
            tell(respond, messages.bridge_busy(meetings.active_bridge_state(meeting.id) or "connected", locale()))
        except DialRateLimited as error:
            tell(respond, messages.dial_rate_limited(error.retry_after, locale()))
        except MeetingEnded:
            meeting_over(meeting.id, respond, locale())
        except UpstreamError as error:
            tell(respond, messages.bridge_failed(error, locale()))

    def hang_up(ack: Ack, body: dict, respond: Respond, context) -> None:
        """Hang up: drop the bridge on both sides, noting who did."""
        ack()
        locale = partial(reader_locale, context)
        meeting = clicked_meeting(meetings, body)
        if meeting is None:
            return tell(respond, messages.word(messages.UNKNOWN_MEETING, locale()))
        cards.remember_response_url(meeting.id, body.get("response_url"))
        user = (body.get("user") or {}).get("id", "")
        if not bridge.hang_up(meeting.id, reason=reasons.HUNG_UP, notice=reasons.hung_up_by(user)):
            tell(respond, messages.word(messages.NOT_CONNECTED, locale()))

    def end_meeting(ack: Ack, body: dict, respond: Respond, context) -> None:
        """End meeting: only its starter may; an ended one resends its card."""
        ack()
        locale = partial(reader_locale, context)
        meeting = clicked_meeting(meetings, body)
        if meeting is None:
            return tell(respond, messages.word(messages.UNKNOWN_MEETING, locale()))
        cards.remember_response_url(meeting.id, body.get("response_url"))
        try:
            ended = lifecycle.end(meeting.id, reason="ended", by_user=body["user"]["id"])
        except NotAllowed:
            return tell(respond, messages.only_creator(meeting.creator_id, locale()))
        except MeetingNotFound:
            return tell(respond, messages.word(messages.UNKNOWN_MEETING, locale()))
        if not ended:
            meeting_over(meeting.id, respond, locale())

    app.action("join_meeting")(join_meeting)
    app.action("dial_out")(dial_out)
    app.action("hang_up")(hang_up)
    app.action("end_meeting")(end_meeting)
