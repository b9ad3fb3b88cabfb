"""A meeting's Slack card state as tests read it: kept by the Slack side, apart from the meeting."""

from __future__ import annotations

from bot.card_store import SlackCard


def card_of(store, meeting_id: str) -> SlackCard:
    """The card recorded for a meeting; an empty one (no channel, no ts, no Calls id, not sent
    through a response_url) until the card was recorded."""
    return store.slack_cards.get(meeting_id) or NotRecorded(meeting_id=meeting_id)


class NotRecorded(SlackCard):
    """No card recorded yet: in particular not one that went out through a response_url."""

    @property
    def via_response_url(self) -> bool:
        return False
