"""Card button "Phone callers" (`phone_roster`) and the actions of `phone_roster_modal`.

Only the meeting's starter may open the modal and act in it: anyone else is told why, in an
ephemeral message, and no modal opens. Each action is a Voice API request (mute, unmute, hang
up) through the domain's PhoneRoster; then the modal is redrawn with views.update.
"""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from meetbridge import reasons
from meetbridge.errors import MeetingEnded, MeetingNotFound, NotAllowed, UpstreamError
from meetbridge.meetings import MeetingService
from meetbridge.phone_roster import Host, PhoneRoster
from meetbridge.words import N_

from . import messages
from .card_publisher import CardPublisher
from .meeting_actions import clicked_meeting, tell
from .phone_roster_modal import CALLER_ACTION, MUTE_ALL, caller_action, phone_roster_modal, roster_meeting_id
from .slack_words import reader_locale, say

log = logging.getLogger(__name__)
DONE = {"mute": N_("Muted."), "unmute": N_("Unmuted."), "remove": N_("Removed from the meeting.")}
GONE = N_("That caller has already left.")


def starter_only(creator_id: str, locale: str | None = None) -> str:
    """Ephemeral: only the meeting's starter may control its phone callers."""
    return say(N_("Only {starter}, who started this meeting, can mute or remove its phone callers."), locale,
               starter=f"<@{creator_id}>")


def register_phone_roster_actions(app: App, meetings: MeetingService, roster: PhoneRoster,
                                  cards: CardPublisher) -> None:
    """The card's "Phone callers" button and the modal's actions, for the starter only."""

    def open_roster(ack: Ack, body: dict, respond: Respond, client: WebClient, context) -> None:
        """Open the modal for the starter of a live meeting; tell anyone else why not."""
        ack()
        locale = reader_locale(context)
        meeting = clicked_meeting(meetings, body)
        if meeting is None:
            return tell(respond, messages.word(messages.UNKNOWN_MEETING, locale))
        if not roster.is_host(meeting, Host(member_id=(body.get("user") or {}).get("id", ""))):
            return tell(respond, starter_only(meeting.creator_id, locale))
        if not meeting.is_live:
            cards.changed(meeting.id)
            return tell(respond, messages.word(messages.MEETING_OVER, locale))
        view = phone_roster_modal(meeting.id, meeting.title, roster.callers(meeting.id), roster.clock.now(),
                                  locale=locale)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def act(body: dict, client: WebClient, action: str, uuid: str | None, locale: str | None = None) -> None:
        """Do one host action from the modal, then redraw it."""
        view = body.get("view") or {}
        meeting_id = roster_meeting_id(view.get("private_metadata"))
        if meeting_id is None:
            return
        host = Host(member_id=(body.get("user") or {}).get("id", ""))
        try:
            notice = _act(roster, meeting_id, host, action, uuid, locale)
        except NotAllowed:
            return  # only the starter can have this modal open; a forged click does nothing
        except (MeetingNotFound, MeetingEnded):
            notice = messages.word(messages.MEETING_OVER, locale)
        except UpstreamError as error:
            notice = say(N_("Couldn't do that: {reason}."), locale, reason=reasons.word(error.code, locale))
        meeting = meetings.find(meeting_id)
        if meeting is None:
            return
        redrawn = phone_roster_modal(meeting_id, meeting.title, roster.callers(meeting_id), roster.clock.now(), notice,
                                     locale)
        try:
            client.views_update(view_id=view.get("id"), hash=view.get("hash"), view=redrawn)
        except SlackApiError as error:  # hash_conflict: a newer redraw already won
            log.info("phone roster modal not redrawn: %s", error.response.get("error"))

    def caller_chosen(ack: Ack, body: dict, client: WebClient, context) -> None:
        """Mute, Unmute or Remove from a caller's menu."""
        ack()
        chosen = caller_action(((body.get("actions") or [{}])[0].get("selected_option") or {}).get("value"))
        if chosen is not None:
            act(body, client, *chosen, reader_locale(context))

    def mute_all(ack: Ack, body: dict, client: WebClient, context) -> None:
        """Mute every phone caller who is not muted yet."""
        ack()
        act(body, client, "mute_all", None, reader_locale(context))

    app.action("phone_roster")(open_roster)
    app.action(CALLER_ACTION)(caller_chosen)
    app.action(MUTE_ALL)(mute_all)


def _act(roster: PhoneRoster, meeting_id: str, host: Host, action: str, uuid: str | None,
         locale: str | None = None) -> str:
    """The domain call behind one action, and what the modal then says (in `locale`)."""
    if action == "mute_all":
        muted = roster.mute_all(meeting_id, host)
        if muted == 1:
            return say(N_("Muted 1 phone caller."), locale)
        return say(N_("Muted {count} phone callers."), locale, count=muted)
    if uuid is None:
        return say(GONE, locale)
    done = roster.remove(meeting_id, host, uuid) if action == "remove" \
        else roster.set_muted(meeting_id, host, uuid, action == "mute")
    return say(DONE[action] if done else GONE, locale)
