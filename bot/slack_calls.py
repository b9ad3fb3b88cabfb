"""Slack Calls API: a native call card beside ours, with phone callers listed.

Only where the app has `calls:write`; on `missing_scope` (or any Calls error) the meeting keeps
the plain card. Participants are synced by difference against what the card already lists,
so repeated or lost updates converge. A participant is a Calls user object: a member the
meeting dialled ("Call my phone") as themself, `{"slack_id"}`; anyone else as
`{"external_id": <leg>, "display_name"}` with their name ("Maria (phone)") or the masked
number. Slack wants the same object to remove a participant as it was given to add it, so the
object sent is kept with the listing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from meetbridge.meetings import MeetingService
from meetbridge.phone_callers import PhoneCaller
from meetbridge.phone_format import masked_caller
from meetbridge.records import Meeting
from meetbridge.words import N_

from .card import join_url
from .card_store import CallParticipants, CardStore, SlackCard
from .messages import SLACK_USER_ID
from .slack_words import say

log = logging.getLogger(__name__)


class SlackCalls:
    """A meeting's Slack Calls card: registered at /meet, kept in line with the phone callers."""

    def __init__(self, server_url: str, meetings: MeetingService, cards: CardStore,
                 participants: CallParticipants, client_for_team: Callable[[str], WebClient],
                 roster: Callable[[str], list[PhoneCaller]] | None = None, locale: str | None = None) -> None:
        """`locale`: the language of the names the whole channel sees (DEFAULT_LOCALE)."""
        self.locale = locale
        self.server_url = server_url
        self.meetings = meetings
        self.cards = cards
        self.participants = participants
        self.client_for_team = client_for_team
        self.roster = roster  # who is on the phone, named (meetbridge.phone_roster.PhoneRoster.callers)

    def register(self, meeting: Meeting) -> str | None:
        """calls.add; the call id to keep with the card, or None without the scope."""
        client = self.client_for_team(meeting.team_id)
        try:
            added = client.calls_add(
                external_unique_id=meeting.id, join_url=join_url(self.server_url, meeting.id),
                external_display_id=meeting.pin, title=meeting.title, created_by=meeting.creator_id,
                date_start=int(meeting.created_at))
        except SlackApiError as error:
            log.info("Slack Calls card not used: %s", error.response.get("error"))
            return None
        return str(added["call"]["id"])

    def end_unannounced(self, meeting: Meeting, calls_id: str) -> None:
        """The card never went out: close the call registered for it."""
        self.client_for_team(meeting.team_id).calls_end(id=calls_id, duration=0)

    def sync(self, meeting: Meeting, card: SlackCard, client: WebClient | None) -> None:
        """Bring the Calls card's participants (and its ended state) in line with ours, with
        the card sender's `client` (None: the app is no longer installed there)."""
        calls_id = card.calls_id
        if not calls_id or client is None:
            return
        if not meeting.is_live:
            if self.cards.claim_call_end(meeting.id):
                self._end_call(meeting, calls_id, client)
            return
        present = self._present(meeting.id)
        listed = self.participants.listed_users(meeting.id)
        joining = {uuid: user for uuid, user in present.items() if uuid not in listed}
        leaving = {uuid: user for uuid, user in listed.items() if uuid not in present}
        if joining:
            client.calls_participants_add(id=calls_id, users=list(joining.values()))
            self.participants.add_listed(meeting.id, joining)
        if leaving:
            client.calls_participants_remove(id=calls_id, users=list(leaving.values()))
            self.participants.remove(meeting.id, list(leaving))

    def _present(self, meeting_id: str) -> dict[str, dict[str, str]]:
        """leg uuid → the Calls user object of each caller on the line now."""
        if self.roster is None:
            return {uuid: phone_participant(uuid, number, self.locale) for uuid, number in
                    self.meetings.phone_callers(meeting_id).items()}
        return {caller.uuid: caller_participant(caller, self.locale) for caller in self.roster(meeting_id)}

    def _end_call(self, meeting: Meeting, calls_id: str, client: WebClient) -> None:
        """calls.end once; a 429 gives the claim back, so the send after Retry-After ends it."""
        duration = int((meeting.ended_at or meeting.created_at) - meeting.created_at)
        try:
            client.calls_end(id=calls_id, duration=duration)
        except SlackApiError as error:
            if error.response.status_code == 429:
                self.cards.release_call_end(meeting.id)
            raise


def caller_participant(caller: PhoneCaller, locale: str | None = None) -> dict[str, str]:
    """A caller as a Calls user object: a dialled member as themself, a named caller by name
    ("Maria (phone)"), anyone else by the masked number; the leg is the external id."""
    if caller.member_id and SLACK_USER_ID.fullmatch(caller.member_id):
        return {"slack_id": caller.member_id}
    if caller.name:
        return {"external_id": caller.uuid, "display_name": say(N_("{name} (phone)"), locale, name=caller.name)}
    return {"external_id": caller.uuid, "display_name": say(N_("Phone {number}"), locale, number=caller.masked)}


def phone_participant(leg_uuid: str, caller_number: str | None, locale: str | None = None) -> dict[str, str]:
    """A phone caller as a Calls user object: the leg as external id, the number masked."""
    return {"external_id": leg_uuid,
            "display_name": say(N_("Phone {number}"), locale, number=masked_caller(caller_number))}
