"""Posting meeting cards and keeping them truthful.

Cards posted with chat.postMessage are edited with chat.update. Cards that had to go out
through a slash command's response_url (private channels, DMs) can only be changed through
the response_url of a later button click, which we keep on the meeting row.
Updates are coalesced: at most one per card per second, always showing the newest state.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from meetbridge.settings import Settings
from meetbridge.status import read_status
from meetbridge.storage import Meeting, Store

from .card import CardMessage, meeting_card
from .install import NotInstalled
from .slack_calls import SlackCalls

log = logging.getLogger(__name__)
FALLBACK_ERRORS = {"not_in_channel", "channel_not_found"}
MIN_UPDATE_INTERVAL_SECONDS = 1.0
RESPONSE_URL_LIFETIME_SECONDS = 30 * 60


class CardPublisher:
    def __init__(self, settings: Settings, store: Store, client_for_team: Callable[[str], WebClient],
                 calls: SlackCalls, min_interval: float = MIN_UPDATE_INTERVAL_SECONDS) -> None:
        self.settings = settings
        self.store = store
        self.client_for_team = client_for_team
        self.calls = calls
        self.min_interval = min_interval
        self._lock = threading.Lock()
        self._pending: set[str] = set()
        self._timers: set[threading.Timer] = set()
        self._closed = False
        self._last_sent: dict[str, float] = {}
        self._sending: dict[str, threading.Lock] = {}

    def render(self, meeting: Meeting) -> CardMessage:
        status = read_status(self.store, meeting)
        return meeting_card(status, self.settings.server_url, self.settings.conference_number)

    def post_new(self, meeting: Meeting, respond: Callable[..., object]) -> None:
        """Post the card in the channel; fall back to an in_channel reply where we can't post."""
        meeting = self.calls.register(meeting)
        card = self.render(meeting)
        client = self.client_for_team(meeting.team_id)
        try:
            posted = client.chat_postMessage(channel=meeting.channel_id, text=card.text, blocks=card.blocks,
                                             unfurl_links=False, unfurl_media=False)
        except SlackApiError as error:
            if error.response.get("error") not in FALLBACK_ERRORS:
                raise
            respond(response_type="in_channel", text=card.text, blocks=card.blocks)
            self.store.meetings.update(meeting.id, card_via_response_url=1)
            return
        self.store.meetings.update(meeting.id, card_channel=posted["channel"], card_ts=posted["ts"])

    def abandon(self, meeting: Meeting) -> None:
        """The card never went out: close the Slack call registered for it, if any."""
        registered = self.store.meetings.get(meeting.id)
        if registered and registered.calls_id:
            self.client_for_team(meeting.team_id).calls_end(id=registered.calls_id, duration=0)

    def remember_response_url(self, meeting_id: str, response_url: str | None) -> None:
        """A button click's response_url: the only way to edit a fallback card later."""
        if response_url:
            self.store.meetings.update(meeting_id, response_url=response_url,
                                       response_url_at=time.time())

    def changed(self, meeting_id: str) -> None:
        """Schedule an update; bursts of changes collapse into one chat.update per second."""
        with self._lock:
            if self._closed or meeting_id in self._pending:
                return
            self._pending.add(meeting_id)
            wait = self._last_sent.get(meeting_id, 0.0) + self.min_interval - time.monotonic()
            timer = threading.Timer(max(0.0, wait), self._flush, args=(meeting_id,))
            timer.daemon = True
            self._timers.add(timer)
        timer.start()

    def close(self) -> None:
        """Stop scheduling updates and wait for those in flight, so the database can close."""
        with self._lock:
            self._closed = True
            timers = list(self._timers)
        for timer in timers:
            timer.cancel()
            if timer.is_alive():
                timer.join()

    def _flush(self, meeting_id: str) -> None:
        try:
            self._send_update(meeting_id)
        finally:
            with self._lock:
                self._timers.discard(threading.current_thread())  # type: ignore[arg-type]

    def _send_update(self, meeting_id: str) -> None:
        with self._lock:
            sending = self._sending.setdefault(meeting_id, threading.Lock())
        # One send per card at a time: an update waiting out Slack's Retry-After must land
        # before a newer one, or the older card would overwrite the newer state.
        with sending:
            with self._lock:
                self._pending.discard(meeting_id)
                self._last_sent[meeting_id] = time.monotonic()
            self._send_current(meeting_id)

    def _send_current(self, meeting_id: str) -> None:
        meeting = self.store.meetings.get(meeting_id)
        if meeting is None:
            return
        # A lost update is repaired by the next change; log why and carry on.
        for what, send in (("card update", self.update_now), ("Slack Calls sync", self.calls.sync)):
            try:
                send(meeting)
            except NotInstalled:
                log.info("%s skipped for meeting %s: the app is no longer installed there", what, meeting_id)
                return
            except Exception:
                log.exception("%s failed for meeting %s", what, meeting_id)

    def update_now(self, meeting: Meeting) -> None:
        card = self.render(meeting)
        if meeting.card_ts and meeting.card_channel:
            self.client_for_team(meeting.team_id).chat_update(
                channel=meeting.card_channel, ts=meeting.card_ts, text=card.text, blocks=card.blocks)
        elif meeting.response_url and self._response_url_fresh(meeting):
            WebhookClient(meeting.response_url).send(text=card.text, blocks=card.blocks,
                                                     replace_original=True)

    @staticmethod
    def _response_url_fresh(meeting: Meeting) -> bool:
        saved_at = meeting.response_url_at
        return saved_at is not None and time.time() - saved_at < RESPONSE_URL_LIFETIME_SECONDS
