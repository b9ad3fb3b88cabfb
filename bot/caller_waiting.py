"""The starter's direct message when a phone caller waits and nobody can hear them yet:
"A caller is waiting in <topic>" with a Join button (the meeting's join page).

The domain (meetbridge/phone_waiting.py) decides when, at most once per meeting per 5 minutes
across every worker and host; this listener only words the message and sends it on the listener
pool, so no webhook waits on Slack. `chat.postMessage` with the starter's user id as `channel`
posts in the app's direct messages with that member (the bot's `chat:write` scope).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock

from meetbridge.ids import log_ref
from meetbridge.records import Meeting
from meetbridge.words import N_

from .card import escape_mrkdwn, join_url, short_title
from .install import NotInstalled
from .slack_words import ReaderLocales, say

log = logging.getLogger(__name__)


def waiting_text(meeting: Meeting, locale: str | None = None) -> str:
    """The notification text (also what the push notification shows); Slack reads it as mrkdwn,
    so the topic is escaped: it can neither mention nor link."""
    return say(N_("A caller is waiting in {title}"), locale, title=escape_mrkdwn(short_title(meeting.title)))


def waiting_blocks(meeting: Meeting, server_url: str, locale: str | None = None) -> list[dict]:
    """The sentence and a Join button to the meeting's join page."""
    return [
        SectionBlock(text=":telephone_receiver: " + say(
            N_("A caller is waiting in *{title}*. Nobody in the meeting can hear them yet."), locale,
            title=escape_mrkdwn(short_title(meeting.title)))).to_dict(),
        ActionsBlock(elements=[ButtonElement(text=say(N_("Join"), locale), url=join_url(server_url, meeting.id),
                                             action_id="join_meeting", value=meeting.id, style="primary")]).to_dict(),
    ]


class CallerWaitingNotice:
    """The waiting listener the Slack side adds to PhoneWaiting."""

    def __init__(self, find_meeting: Callable[[str], Meeting | None], server_url: str,
                 client_for_team: Callable[[str], WebClient], sender: Executor,
                 locales: ReaderLocales | None = None) -> None:
        """`locales`: the starter's language (their Slack locale; default: English)."""
        self.locales = locales
        self.find_meeting = find_meeting
        self.server_url = server_url
        self.client_for_team = client_for_team
        self.sender = sender

    def __call__(self, meeting_id: str) -> None:
        """A caller of the meeting started waiting: tell the starter, off the webhook's thread."""
        self.sender.submit(self.tell, meeting_id)

    def tell(self, meeting_id: str) -> None:
        """The direct message to the meeting's starter (nothing for an ended meeting)."""
        meeting = self.find_meeting(meeting_id)
        if meeting is None or not meeting.is_live:
            return
        try:
            client = self.client_for_team(meeting.team_id)
            locale = self.locales.of(client, meeting.team_id, meeting.creator_id) if self.locales else None
            client.chat_postMessage(channel=meeting.creator_id, text=waiting_text(meeting, locale),
                                    blocks=waiting_blocks(meeting, self.server_url, locale))
        except NotInstalled:
            return
        except SlackApiError as error:
            log.warning("caller-waiting message for meeting %s not delivered: %s", log_ref(meeting.id),
                        error.response.get("error"))
