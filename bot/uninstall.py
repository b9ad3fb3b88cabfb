"""A workspace that uninstalls the app (or revokes its bot token) gets its meetings ended,
so no phone leg keeps running for a workspace that can no longer see or stop it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App
from slack_sdk.oauth.installation_store import InstallationStore

from meetbridge import reasons
from meetbridge.lifecycle import Lifecycle
from meetbridge.meetings import MeetingService

log = logging.getLogger(__name__)


def end_team_meetings(meetings: MeetingService, lifecycle: Lifecycle, team_id: str) -> int:
    """End every live meeting of a workspace; returns how many were ended."""
    ended = 0
    for meeting_id in meetings.live_ids_in_workspace(team_id):
        ended += lifecycle.end(meeting_id, reason=reasons.UNINSTALLED)
    return ended


def register_uninstall(app: App, meetings: MeetingService, lifecycle: Lifecycle,
                       installations: InstallationStore | None,
                       forget_numbers: Callable[[str], int] | None = None) -> None:
    """app_uninstalled and tokens_revoked: forget the tokens, end the workspace's meetings;
    on app_uninstalled also its members' saved phone numbers (`forget_numbers`)."""
    # Tokens go first: the cards of a workspace that removed us cannot be updated anyway,
    # and the card updater then skips them quietly instead of failing on each one.
    def uninstalled(context) -> None:
        if installations is not None:
            installations.delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)
        if forget_numbers is not None:
            forget_numbers(context.team_id)  # personal data of people who no longer use the app
        count = end_team_meetings(meetings, lifecycle, context.team_id)
        log.info("app uninstalled from %s: %d meetings ended", context.team_id, count)

    def tokens_revoked(event: dict, context) -> None:
        if not event.get("tokens", {}).get("bot"):
            return
        if installations is not None:
            installations.delete_bot(enterprise_id=context.enterprise_id, team_id=context.team_id)
        end_team_meetings(meetings, lifecycle, context.team_id)

    app.event("app_uninstalled")(uninstalled)
    app.event("tokens_revoked")(tokens_revoked)
