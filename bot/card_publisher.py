"""Keeping meeting cards truthful once posted (bot/card_poster.py posts them).

Cards posted with chat.postMessage are edited with chat.update. Cards that had to go out
through a slash command's response_url (private channels, DMs) can only be changed through
the response_url of a later button click, which we keep with the card (a CardStore).
Updates are coalesced (bot/update_scheduler.py): at most one per card per second, always
showing the newest state, in one lane per workspace and within that workspace's budget
(bot/workspace_budget.py). A 429 defers only its own workspace's cards by Slack's
Retry-After; no sender thread sleeps it out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from meetbridge.dial_in import DialIn
from meetbridge.ids import log_ref
from meetbridge.meetings import MeetingService
from meetbridge.records import Meeting
from meetbridge.settings import Settings

from .card import CardMessage, meeting_card
from .card_store import CardStore, SlackCard
from .install import NotInstalled
from .slack_calls import SlackCalls
from .update_scheduler import UpdateScheduler
from .workspace_budget import WorkspaceBudget, WorkspaceRateLimited, rate_limited

log = logging.getLogger(__name__)
MIN_UPDATE_INTERVAL_SECONDS = 1.0
CARD_LEASE_SECONDS = 30.0  # longer than any send (Slack client timeout 10 s, one connection retry)
LEASE_RETRY_SECONDS = 0.25
RESPONSE_URL_LIFETIME_SECONDS = 30 * 60
REMEMBERED_TEAMS = 10_000


class CardPublisher:
    """Keeps each posted card (and its Calls card) showing the newest state of its meeting."""

    def __init__(self, settings: Settings, meetings: MeetingService, cards: CardStore, budget: WorkspaceBudget,
                 client_for_team: Callable[..., WebClient], calls: SlackCalls,
                 min_interval: float = MIN_UPDATE_INTERVAL_SECONDS,
                 dialling: Callable[[str], list[str]] | None = None) -> None:
        """`dialling`: a meeting's lines of calls it placed that ring or were joined."""
        self.settings = settings
        self.dialling = dialling
        self.meetings = meetings
        self.cards = cards
        self.budget = budget
        self.client_for_team = client_for_team
        self.calls = calls
        self.scheduler = UpdateScheduler(self._send_current, min_interval)
        self._teams: dict[str, str] = {}  # meeting id → workspace (a lost entry is just read again)
        self._booked: set[str] = set()  # meetings holding a booked workspace token (one sender each)

    def render(self, meeting: Meeting, calls_id: str | None = None) -> CardMessage:
        """The card as the meeting stands now (with its Calls card, when it has one)."""
        dialling = self.dialling(meeting.id) if self.dialling and meeting.is_live else []
        return meeting_card(self.meetings.status(meeting), self.settings.server_url,
                            self.settings.conference_number, calls_id,
                            phone_buttons=self.settings.dial_out != "off", dialling=dialling,
                            dial_in=DialIn.from_settings(self.settings), locale=self.settings.default_locale)

    def remember_response_url(self, meeting_id: str, response_url: str | None) -> None:
        """A button click's response_url: the only way to edit a fallback card later."""
        if response_url:
            self.cards.remember_response_url(meeting_id, response_url, time.time())

    @property
    def min_interval(self) -> float:
        """Seconds at least between two updates of one card."""
        return self.scheduler.min_interval

    @min_interval.setter
    def min_interval(self, seconds: float) -> None:
        self.scheduler.min_interval = seconds

    def changed(self, meeting_id: str) -> None:
        """Schedule an update; bursts of changes collapse into one chat.update per second."""
        self.scheduler.request(meeting_id, lane=self._team_of(meeting_id) or "")

    def close(self) -> None:
        """Stop scheduling updates and wait for those in flight, so the database can close."""
        self.scheduler.close()

    def _team_of(self, meeting_id: str) -> str | None:
        """A meeting's workspace never changes: remembered, so a card waiting for its
        workspace's budget is not read from the database on every retry."""
        team_id = self._teams.get(meeting_id)
        if team_id is None:
            meeting = self.meetings.find(meeting_id)
            if meeting is None:
                return None
            if len(self._teams) >= REMEMBERED_TEAMS:
                self._teams.clear()
            team_id = self._teams[meeting_id] = meeting.team_id
        return team_id

    def _send_current(self, meeting_id: str) -> None:
        team_id = self._team_of(meeting_id)
        if team_id is None or not self._take_turn(meeting_id, team_id):
            return
        # Another worker process may be sending this card: wait for it, then send what is
        # newest, so an older state can never land last.
        if not self.cards.claim_send(meeting_id, time.time(), CARD_LEASE_SECONDS):
            if self.cards.get(meeting_id) is not None:  # else no card went out: nothing to update
                self.scheduler.defer(meeting_id, LEASE_RETRY_SECONDS)
            return
        try:
            meeting, card = self.meetings.find(meeting_id), self.cards.get(meeting_id)
            if meeting is not None and card is not None:
                self._send_both(meeting, card)
        except WorkspaceRateLimited as limited:  # this workspace waits; other lanes go on
            log.warning("card update rate-limited by Slack: workspace %s waits %g s",
                        team_id, limited.retry_after)
            self.budget.pause(team_id, limited.retry_after)
            self.scheduler.defer(meeting_id, limited.retry_after)
        finally:
            self.cards.release_send(meeting_id)

    def _take_turn(self, meeting_id: str, team_id: str) -> bool:
        """True when the workspace's budget lets this card go now; else it is deferred to the
        turn booked for it (a card comes back once, exactly when its turn is due)."""
        if meeting_id in self._booked:  # its turn was booked when it last came up
            self._booked.discard(meeting_id)
            if not self.budget.paused_for(team_id):
                return True
            # Slack answered 429 since: bookings made before are void, book again.
        wait = self.budget.reserve(team_id)
        if wait:
            self._booked.add(meeting_id)
            self.scheduler.defer(meeting_id, wait)
            return False
        return True

    def _send_both(self, meeting: Meeting, card: SlackCard) -> None:
        """The card and the Slack Calls participants; a lost update is repaired by the next
        change, a 429 (WorkspaceRateLimited) is left to the caller to wait out."""
        client = self.client_for_team_now(meeting.team_id)
        for what, send in (("card update", self.update_now), ("Slack Calls sync", self.calls.sync)):
            try:
                send(meeting, card, client)
            except SlackApiError as error:
                if (limited := rate_limited(error)) is not None:
                    raise limited from None
                log.exception("%s failed for meeting %s", what, log_ref(meeting.id))
            except Exception:
                log.exception("%s failed for meeting %s", what, log_ref(meeting.id))

    def client_for_team_now(self, team_id: str) -> WebClient | None:
        """A client that reports a 429 at once instead of sleeping out Retry-After; None when
        the app is no longer installed there (a fallback card can still be updated)."""
        try:
            return self.client_for_team(team_id, wait_on_rate_limit=False)
        except NotInstalled:
            log.info("Slack updates skipped in %s: the app is no longer installed there", team_id)
            return None

    def update_now(self, meeting: Meeting, card: SlackCard, client: WebClient | None) -> None:
        """Send the current card unless Slack already shows exactly this (runs under the lease)."""
        message = self.render(meeting, card.calls_id)
        digest = message.digest()
        if digest == card.digest:
            return
        if card.ts and card.channel:
            if client is None:
                return
            client.chat_update(channel=card.channel, ts=card.ts, text=message.text, blocks=message.blocks)
        elif card.response_url and self._response_url_fresh(card):
            WebhookClient(card.response_url).send(text=message.text, blocks=message.blocks,
                                                  replace_original=True)
        else:
            return
        self.cards.sent(meeting.id, digest)

    @staticmethod
    def _response_url_fresh(card: SlackCard) -> bool:
        saved_at = card.response_url_at
        return saved_at is not None and time.time() - saved_at < RESPONSE_URL_LIFETIME_SECONDS
