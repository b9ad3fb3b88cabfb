"""Participants already shown on a Slack Calls card (see bot/slack_calls.py)."""

from __future__ import annotations

from .seam import SqlDatabase

# Rows listed before the display name was kept (migration add_slack_budgets_triggers_and_participant_names).
UNKNOWN_DISPLAY_NAME = "Phone caller"


class CallParticipantsTable:
    """Rows of `slack_call_participants`: who a meeting's Calls card lists."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database

    def listed(self, meeting_id: str) -> set[str]:
        """External ids the meeting's Calls card lists."""
        rows = self.database.query(
            "SELECT external_id FROM slack_call_participants WHERE meeting_id = ?", [meeting_id])
        return {row["external_id"] for row in rows}

    def listed_users(self, meeting_id: str) -> dict[str, dict[str, str]]:
        """external id → the Calls user object it was added with (removing needs the same):
        `{"slack_id"}` for a Slack member, else `{"external_id", "display_name"}`."""
        rows = self.database.query(
            "SELECT external_id, display_name, slack_id FROM slack_call_participants WHERE meeting_id = ?",
            [meeting_id])
        return {row["external_id"]: {"slack_id": row["slack_id"]} if row["slack_id"] else
                {"external_id": row["external_id"], "display_name": row["display_name"] or UNKNOWN_DISPLAY_NAME}
                for row in rows}

    def add_listed(self, meeting_id: str, users: dict[str, dict[str, str]]) -> None:
        """Calls user objects now listed, each under its own key (a phone leg's uuid): a
        `{"slack_id"}` member or an `{"external_id", "display_name"}` guest; one statement."""
        if not users:
            return
        self.database.execute(
            "INSERT INTO slack_call_participants (meeting_id, external_id, display_name, slack_id) VALUES "
            + ", ".join(["(?, ?, ?, ?)"] * len(users)) + " ON CONFLICT (meeting_id, external_id) DO NOTHING",
            [value for key, user in users.items()
             for value in (meeting_id, key, user.get("display_name"), user.get("slack_id"))])

    def add_users(self, meeting_id: str, users: list[dict[str, str]]) -> None:
        """Calls user objects (`external_id`, `display_name`) now listed, in one statement."""
        if not users:
            return
        self.database.execute(
            "INSERT INTO slack_call_participants (meeting_id, external_id, display_name) VALUES "
            + ", ".join(["(?, ?, ?)"] * len(users)) + " ON CONFLICT (meeting_id, external_id) DO NOTHING",
            [value for user in users for value in (meeting_id, user["external_id"], user["display_name"])])

    def add(self, meeting_id: str, external_ids: list[str]) -> None:
        """The whole batch in one statement, so the write lock is never held across a GIL
        hand-over (a transaction around executemany stalled every webhook, bench/README.md)."""
        if not external_ids:
            return
        self.database.execute(
            "INSERT INTO slack_call_participants (meeting_id, external_id) VALUES "
            + ", ".join(["(?, ?)"] * len(external_ids)) + " ON CONFLICT (meeting_id, external_id) DO NOTHING",
            [value for external_id in external_ids for value in (meeting_id, external_id)])

    def remove(self, meeting_id: str, external_ids: list[str]) -> None:
        """No longer listed, in one statement."""
        if not external_ids:
            return
        self.database.execute(
            "DELETE FROM slack_call_participants WHERE meeting_id = ? AND external_id IN ("
            + ", ".join("?" * len(external_ids)) + ")", [meeting_id, *external_ids])
