"""Slack Calls API (SPEC §2.8): a native call card beside ours, with phone callers listed.

Only where the app has `calls:write`; on `missing_scope` (or any Calls error) the meeting keeps
the plain card. Participants are synced by difference against what the card already lists,
so repeated or lost updates converge. A participant is a Calls user object
(`{"external_id", "display_name"}`), and Slack wants the same object to remove it as it was
given to add it, so the object sent is kept with the listing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from meetbridge.phone_format import masked_caller
from meetbridge.records import Meeting
from meetbridge.settings import Settings
from meetbridge.storage import Store

from .card import join_url

log = logging.getLogger(__name__)


class SlackCalls:
    def __init__(self, settings: Settings, store: Store, client_for_team: Callable[[str], WebClient]) -> None:
        self.settings = settings
        self.store = store
        self.client_for_team = client_for_team

    def register(self, meeting: Meeting) -> Meeting:
        """calls.add; returns the meeting with its call id, or unchanged without the scope."""
        client = self.client_for_team(meeting.team_id)
        try:
            added = client.calls_add(
                external_unique_id=meeting.id, join_url=join_url(self.settings.server_url, meeting.id),
                external_display_id=meeting.pin, title=meeting.title, created_by=meeting.creator_id,
                date_start=int(meeting.created_at))
        except SlackApiError as error:
            log.info("Slack Calls card not used: %s", error.response.get("error"))
            return meeting
        call_id = added["call"]["id"]
        self.store.meetings.update(meeting.id, calls_id=call_id)
        return self.store.meetings.get(meeting.id) or meeting

    def sync(self, meeting: Meeting, client: WebClient | None) -> None:
        """Bring the Calls card's participants (and its ended state) in line with ours, with
        the card sender's `client` (None: the app is no longer installed there)."""
        if not meeting.calls_id or client is None:
            return
        if not meeting.is_live:
            if self.store.call_participants.claim_call_end(meeting.id):
                self._end_call(meeting, client)
            return
        present = {leg.uuid: leg.caller_number for leg in self.store.legs.live_legs(meeting.id)}
        listed = self.store.call_participants.listed_users(meeting.id)
        joining = [phone_participant(uuid, present[uuid]) for uuid in present if uuid not in listed]
        leaving = [user for uuid, user in listed.items() if uuid not in present]
        if joining:
            client.calls_participants_add(id=meeting.calls_id, users=joining)
            self.store.call_participants.add_users(meeting.id, joining)
        if leaving:
            client.calls_participants_remove(id=meeting.calls_id, users=leaving)
            self.store.call_participants.remove(meeting.id, [user["external_id"] for user in leaving])


    def _end_call(self, meeting: Meeting, client: WebClient) -> None:
        """calls.end once; a 429 gives the claim back, so the send after Retry-After ends it."""
        duration = int((meeting.ended_at or meeting.created_at) - meeting.created_at)
        try:
            client.calls_end(id=meeting.calls_id, duration=duration)
        except SlackApiError as error:
            if error.response.status_code == 429:
                self.store.call_participants.release_call_end(meeting.id)
            raise


def phone_participant(leg_uuid: str, caller_number: str | None) -> dict[str, str]:
    """A phone caller as a Calls user object: the leg as external id, the number masked."""
    return {"external_id": leg_uuid, "display_name": f"Phone {masked_caller(caller_number)}"}
