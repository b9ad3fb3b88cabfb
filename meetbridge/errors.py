"""Failures the front ends turn into plain words for people."""

from __future__ import annotations


class UpstreamError(Exception):
    """A platform (video, voice, Slack) call failed; `reason` is fit to show a user."""

    def __init__(self, service: str, reason: str, transient: bool = False) -> None:
        self.service = service
        self.reason = reason
        self.transient = transient
        super().__init__(f"{service}: {reason}")


class MeetingNotFound(Exception):
    """No meeting has this id."""


class MeetingEnded(Exception):
    """The meeting exists but is over."""


class NotAllowed(Exception):
    """The person may not do this (for example end someone else's meeting)."""
