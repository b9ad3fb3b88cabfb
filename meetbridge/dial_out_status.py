"""Vonage call statuses of a dialled leg → the progress codes people are told.

Statuses as Vonage's Voice API documents them: the event webhook reference (started, ringing,
answered, busy, cancelled, unanswered, disconnected, rejected, failed, human/machine, timeout,
completed) and the Voice API's call-status enum in its OpenAPI description (started, ringing,
answered, machine, completed, busy, cancelled, failed, rejected, timeout, unanswered). Machine
detection's event is `{"call_uuid": …, "status": "machine" | "human"}` — `call_uuid`, not
`uuid`, unlike every other event — and with `behavior: hangup` Vonage ends the call itself
after it; a `completed` follows. `rejected` carries `detail` `declined` when the callee
refused the call, `restricted` or `invalid_number` otherwise: both are told as "declined",
the one word a person needs.
"""

from __future__ import annotations

# Status → code before the callee pressed 1. None: nothing to tell (the leg goes on).
BEFORE_JOIN: dict[str, str | None] = {
    "started": None,
    "ringing": "ringing",
    "answered": None,  # answered is not joined: joined only once they press 1
    "human": None,
    "machine": "voicemail",
    "busy": "busy",
    "timeout": "no_answer",
    "unanswered": "no_answer",
    "rejected": "declined",
    "failed": "failed",
    "cancelled": "failed",
    "completed": "declined",  # answered, then hung up without pressing 1
    "disconnected": None,
}

# "ended": the meeting ended while the call rang or waited for its 1 (End hung it up).
PROGRESS_CODES = ("ringing", "joined", "no_answer", "busy", "declined", "voicemail", "failed", "ended", "left")
FINAL_CODES = frozenset({"no_answer", "busy", "declined", "voicemail", "failed", "ended", "left"})


def progress_code(status: str, joined: bool) -> str | None:
    """The code to tell for `status`; after the callee joined, only `completed` (→ left) counts."""
    if joined:
        return "left" if status == "completed" else None
    return BEFORE_JOIN.get(status)
