"""Posting a new meeting's card, once: in the channel, or as an in_channel reply to the command
where the app cannot post (private channels, DMs), with its Slack Calls card when there is one.

What went out is recorded in one write; a card that cannot go out closes the Slack call
registered for it and raises, so `/meet` can undo the meeting.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from meetbridge.records import Meeting

from .card import CardMessage
from .card_store import CardStore, SlackCard
from .slack_calls import SlackCalls
from .slack_client import SLACK_FAILURES

FALLBACK_ERRORS = {"not_in_channel", "channel_not_found"}


class CardPoster:
    """Posts each meeting's first card and records where it went."""

    def __init__(self, render: Callable[[Meeting, str | None], CardMessage], cards: CardStore, calls: SlackCalls,
                 client_for_team: Callable[[str], WebClient]) -> None:
        self.render = render
        self.cards = cards
        self.calls = calls
        self.client_for_team = client_for_team

    def post_new(self, meeting: Meeting, respond: Callable[..., object]) -> None:
        """Post the card (an in_channel reply where we can't post) and record it in one write;
        when it cannot go out, the Slack call registered for it is closed again and the
        failure raised."""
        calls_id = self.calls.register(meeting)
        try:
            card = self._post(meeting, calls_id, respond)
        except BaseException:
            if calls_id:
                self._end_unannounced_call(meeting, calls_id)
            raise
        self.cards.posted(card)

    def _post(self, meeting: Meeting, calls_id: str | None, respond: Callable[..., object]) -> SlackCard:
        message = self.render(meeting, calls_id)
        client = self.client_for_team(meeting.team_id)
        try:
            posted = client.chat_postMessage(channel=meeting.channel_id, text=message.text, blocks=message.blocks,
                                             unfurl_links=False, unfurl_media=False)
        except SlackApiError as error:
            if error.response.get("error") not in FALLBACK_ERRORS:
                raise
            respond(response_type="in_channel", text=message.text, blocks=message.blocks)
            return SlackCard(meeting_id=meeting.id, calls_id=calls_id)
        return SlackCard(meeting_id=meeting.id, channel=posted["channel"], ts=posted["ts"],
                         digest=message.digest(), calls_id=calls_id)

    def _end_unannounced_call(self, meeting: Meeting, calls_id: str) -> None:
        try:
            self.calls.end_unannounced(meeting, calls_id)
        except SLACK_FAILURES:
            pass  # best effort: the call was registered but never shown in any message
