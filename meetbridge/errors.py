"""Failures the front ends turn into plain words for people."""

from __future__ import annotations

import math

from . import reasons


class UpstreamError(Exception):
    """A platform (video, voice) call failed; `code` says why (meetbridge/reasons.py words it
    for whoever is told), `reason` is its English words for logs and the command line."""

    def __init__(self, service: str, code: str, transient: bool = False) -> None:
        if not reasons.is_known(code):
            raise ValueError(f"not a reason code: {code!r}")
        self.service = service
        self.code = code
        self.transient = transient
        super().__init__(f"{service}: {self.reason}")

    @property
    def reason(self) -> str:
        """The code's English words."""
        return reasons.word(self.code, None)


class TokenReplayed(Exception):
    """A signed webhook's token was already used: its request is refused and wrote nothing."""


class MeetingNotFound(Exception):
    """No meeting has this id."""


class BridgeAlreadyActive(Exception):
    """Another dial for this meeting is connecting or connected; `state` says which."""

    def __init__(self, meeting_id: str, state: str = "connecting") -> None:
        self.meeting_id = meeting_id
        self.state = state
        super().__init__(meeting_id)


class MeetingEnded(Exception):
    """The meeting exists but is over."""


class NotAllowed(Exception):
    """The person may not do this (for example end someone else's meeting)."""


class TooManyLiveMeetings(Exception):
    """The workspace already has `limit` live meetings (MAX_LIVE_MEETINGS_PER_TEAM)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"at most {limit} live meetings per workspace")


class RateLimited(Exception):
    """Too many requests of one kind lately; `retry_after` is how many seconds until one may go."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(f"retry after {self.retry_after} s")


class DialRateLimited(RateLimited):
    """A phone-bridge dial refused by the spending cap (BRIDGE_DIAL_INTERVAL_SECONDS /
    BRIDGE_DIALS_PER_HOUR); whoever asked is told when the next dial may go."""


class DialOutRefused(Exception):
    """A call the meeting was asked to place and will not: `code` says why in one word the
    front ends put into plain words; `retry_after` (seconds) when a limit will let it go later.

    Codes: invalid_number, country_not_allowed, number_type_not_allowed, dial_out_off,
    starter_only, member_hourly_limit, team_hourly_limit, visitor_limit, meeting_ringing_limit,
    meeting_full, meeting_ended, not_found."""

    def __init__(self, code: str, retry_after: float | None = None) -> None:
        self.code = code
        self.retry_after = None if retry_after is None else max(1, math.ceil(retry_after))
        super().__init__(code)
