"""Members' own phone numbers (E.164), one per workspace and Slack user, and the Slack side's
short "calling …" lines of a meeting's card while its dial-outs ring or are joined."""

from __future__ import annotations

from .seam import SqlDatabase


class SavedNumbersTable:
    """Rows of `member_phone_numbers`: personal data, read only for the member's own calls."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database

    def get(self, workspace_id: str, member_id: str) -> str | None:
        """The member's saved number, or None."""
        row = self.database.query_one(
            "SELECT number FROM member_phone_numbers WHERE workspace_id = ? AND member_id = ?",
            [workspace_id, member_id])
        return row["number"] if row else None

    def save(self, workspace_id: str, member_id: str, number: str, now: float) -> None:
        """Keep `number` for the member, replacing the one saved before (one statement)."""
        self.database.execute(
            "INSERT INTO member_phone_numbers (workspace_id, member_id, number, saved_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (workspace_id, member_id) DO UPDATE SET number = excluded.number, "
            "saved_at = excluded.saved_at", [workspace_id, member_id, number, now])

    def forget(self, workspace_id: str, member_id: str) -> bool:
        """Remove the member's number; True when there was one."""
        return self.database.execute(
            "DELETE FROM member_phone_numbers WHERE workspace_id = ? AND member_id = ?",
            [workspace_id, member_id]) > 0

    def forget_workspace(self, workspace_id: str) -> int:
        """Every member's number of a workspace (the app was uninstalled there); how many."""
        return self.database.execute("DELETE FROM member_phone_numbers WHERE workspace_id = ?", [workspace_id])


class DialLinesTable:
    """Rows of `slack_dial_lines`: one per outbound call of a meeting that rings or was joined."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database

    def put(self, meeting_id: str, call_uuid: str, label: str, code: str, now: float) -> bool:
        """The call's newest state (`label` is already safe to show: a name or a masked number);
        False when the call already had this code (a repeated event changes nothing)."""
        return self.database.execute(
            "INSERT INTO slack_dial_lines (call_uuid, meeting_id, label, code, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (call_uuid) DO UPDATE SET code = excluded.code, label = excluded.label, "
            "updated_at = excluded.updated_at WHERE slack_dial_lines.code <> excluded.code",
            [call_uuid, meeting_id, label, code, now]) == 1

    def drop(self, call_uuid: str) -> bool:
        """The call is over: no line for it any more; True when it had one."""
        return self.database.execute("DELETE FROM slack_dial_lines WHERE call_uuid = ?", [call_uuid]) > 0

    def prune(self, before: float, limit: int) -> int:
        """Delete up to `limit` lines last changed before `before` (a call whose end was never
        heard, or a meeting long over)."""
        return self.database.execute(
            "DELETE FROM slack_dial_lines WHERE call_uuid IN (SELECT call_uuid FROM slack_dial_lines "
            "WHERE updated_at < ? LIMIT ?)", [before, limit])

    def of_meeting(self, meeting_id: str) -> list[tuple[str, str]]:
        """(label, code) of the meeting's calls, oldest change first."""
        rows = self.database.query(
            "SELECT label, code FROM slack_dial_lines WHERE meeting_id = ? ORDER BY updated_at, call_uuid",
            [meeting_id])
        return [(row["label"], row["code"]) for row in rows]
