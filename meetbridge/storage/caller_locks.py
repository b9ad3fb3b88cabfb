"""The locks that serialise admissions with the reads they race on other hosts.

`phone_callers:<meeting id>` guards one meeting's caller count: admissions by PIN and by
dial-out, a bridge's "no caller left" idle clock (storage/bridges.py) and the meeting's end.
`phone_callers` alone guards the service-wide PIN failure budget (storage/keypad.py takes it
only for entries that can spend it). SQLite runs write statements one at a time and needs neither.
"""

from __future__ import annotations

CALLERS_LOCK = "phone_callers"


def meeting_callers_lock(meeting_id: str) -> str:
    """The name of one meeting's callers' lock."""
    return f"{CALLERS_LOCK}:{meeting_id}"
