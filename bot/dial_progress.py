"""A dial-out's progress in Slack: an ephemeral in plain words to the member who asked, and a
short line on the meeting's card while the call rings or is joined.

Listeners run on webhook threads after the domain's write: the card line is one database write
and a coalesced card update (the publisher sends at most one update per card per second); the
ephemeral goes out on the listener pool, so no webhook waits on Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from meetbridge.clock import Clock
from meetbridge.dial_out_records import DialProgress
from meetbridge.ids import log_ref
from meetbridge.meetings import MeetingService

from . import messages
from .card import escape_mrkdwn
from .install import NotInstalled
from .slack_words import ReaderLocales

log = logging.getLogger(__name__)
SHOWN_ON_CARD = ("ringing", "joined")


class DialLines(Protocol):
    """The card's line per outbound call (meetbridge/storage/saved_numbers.py DialLinesTable)."""

    def put(self, meeting_id: str, call_uuid: str, label: str, code: str, now: float) -> bool:
        """The call's newest state; False when it already had this code."""

    def drop(self, call_uuid: str) -> bool:
        """The call is over."""

    def of_meeting(self, meeting_id: str) -> list[tuple[str, str]]:
        """(label, code) of the meeting's ringing and joined calls."""


def card_label(progress: DialProgress) -> str:
    """Who is called, as the whole channel may read it: the member, the typed name, or the
    masked number (never the number itself)."""
    member_id = progress.requester.member_id or ""
    if progress.invitee_name is None and messages.SLACK_USER_ID.fullmatch(member_id):
        return f"<@{member_id}>"
    return escape_mrkdwn(progress.invitee_name) if progress.invitee_name else progress.masked


def dial_lines_text(lines: DialLines, locale: str | None = None) -> Callable[[str], list[str]]:
    """The card's lines of a meeting, in the channel's language: "📞 Maria: ringing"."""
    def text(meeting_id: str) -> list[str]:
        return [f"📞 {label}: {messages.dial_line_word(code, locale)}"
                for label, code in lines.of_meeting(meeting_id)]
    return text


class DialProgressNotices:
    """The progress listener the Slack side adds to DialOut."""

    def __init__(self, meetings: MeetingService, lines: DialLines, card_changed: Callable[[str], None],
                 client_for_team: Callable[[str], WebClient], sender: Executor, clock: Clock,
                 locales: ReaderLocales | None = None) -> None:
        """`locales`: the language each member reads their ephemerals in (default: English)."""
        self.meetings = meetings
        self.locales = locales
        self.lines = lines
        self.card_changed = card_changed
        self.client_for_team = client_for_team
        self.sender = sender
        self.clock = clock

    def __call__(self, progress: DialProgress) -> None:
        """One progress code of one call: the card line, then the member's ephemeral."""
        if progress.code in SHOWN_ON_CARD:
            if not self.lines.put(progress.meeting_id, progress.call_uuid, card_label(progress), progress.code,
                                  self.clock.now()):
                return  # the same code again (Vonage repeats events): already told
            self.card_changed(progress.meeting_id)
        elif self.lines.drop(progress.call_uuid):
            self.card_changed(progress.meeting_id)
        words = messages.dial_progress(progress.code, progress.invitee_name, progress.masked)
        if words and progress.requester.kind == "member" and progress.requester.member_id:
            self.sender.submit(self.tell, progress, words)

    def tell(self, progress: DialProgress, words: str) -> None:
        """The ephemeral, in the meeting's channel, to the member who asked for the call."""
        meeting = self.meetings.find(progress.meeting_id)
        if meeting is None:
            return
        try:
            client = self.client_for_team(meeting.team_id)
            member_id = progress.requester.member_id or ""
            if self.locales is not None:
                locale = self.locales.of(client, meeting.team_id, member_id)
                words = messages.dial_progress(progress.code, progress.invitee_name, progress.masked, locale) or words
            client.chat_postEphemeral(channel=meeting.channel_id, user=member_id, text=words)
        except NotInstalled:
            return
        except SlackApiError as error:
            log.warning("dial progress for meeting %s not delivered: %s", log_ref(meeting.id),
                        error.response.get("error"))
