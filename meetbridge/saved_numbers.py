"""A member's own phone number, kept per workspace and Slack user so "Call my phone" can ring it
at once. The number is personal data: callers get it back only for that member's own call or
modal, and show it elsewhere only masked (`masked`)."""

from __future__ import annotations

from typing import Protocol

from .clock import Clock
from .phone_format import masked_caller


class SavedNumbersRows(Protocol):
    """The storage the saved numbers live in (meetbridge/storage/saved_numbers.py)."""

    def get(self, workspace_id: str, member_id: str) -> str | None:
        """The saved number, or None."""

    def save(self, workspace_id: str, member_id: str, number: str, now: float) -> None:
        """Keep the number, replacing any earlier one."""

    def forget(self, workspace_id: str, member_id: str) -> bool:
        """Remove it; True when there was one."""

    def forget_workspace(self, workspace_id: str) -> int:
        """Remove every member's number of a workspace; how many."""


def masked(number: str) -> str:
    """All but the last four digits hidden: "•••0199"."""
    return masked_caller(number)


class SavedNumbers:
    """Each member's saved number (E.164, already checked by DialOut.normalise)."""

    def __init__(self, rows: SavedNumbersRows, clock: Clock) -> None:
        self.rows = rows
        self.clock = clock

    def get(self, workspace_id: str, member_id: str) -> str | None:
        """The member's number, or None when they saved none."""
        return self.rows.get(workspace_id, member_id)

    def save(self, workspace_id: str, member_id: str, e164: str) -> None:
        """Keep (or replace) the member's number."""
        if not e164.startswith("+") or not e164[1:].isdigit():
            raise ValueError("only a normalised E.164 number can be saved")
        self.rows.save(workspace_id, member_id, e164, self.clock.now())

    def forget(self, workspace_id: str, member_id: str) -> bool:
        """Remove the member's number; True when there was one."""
        return self.rows.forget(workspace_id, member_id)

    def forget_workspace(self, workspace_id: str) -> int:
        """The app left a workspace: none of its members' numbers is kept; how many were."""
        return self.rows.forget_workspace(workspace_id)
