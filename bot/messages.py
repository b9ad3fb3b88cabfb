"""Everything the app says to people in Slack, in one place and in plain words."""

from __future__ import annotations

import re

from meetbridge.errors import UpstreamError

from .card import escape_mrkdwn

HELP = (
    "*meetbridge* starts a video meeting that phone callers can join.\n"
    "• `/meet` — start a meeting here and post its card (Join link, dial-in number, PIN)\n"
    "• `/meet <topic>` — the same, with a title, e.g. `/meet Weekly planning`\n"
    "• `/meet help` — this message\n"
    "On the card: *Connect phone bridge* lets phone callers and video participants hear each other, "
    "*Hang up phone bridge* disconnects it, and the person who started the meeting can *End meeting*.\n"
    "Phone callers dial the number on the card and key in the PIN followed by #.\n"
    "Admins: `python cli.py check --online` checks the settings and reaches every service."
)

MAX_TOPIC = 120


def clean_topic(text: str) -> str | None:
    """The meeting title from `/meet <topic>`; None for a plain `/meet`."""
    topic = " ".join(text.split())
    if not topic:
        return None
    return topic if len(topic) <= MAX_TOPIC else topic[: MAX_TOPIC - 1] + "…"


def start_failed(error: UpstreamError) -> str:
    return (f"Sorry, I couldn't start the meeting: {error.reason}. "
            "Nothing was created. Please try `/meet` again in a minute.")


def card_failed(slack_error: str) -> str:
    return (f"Sorry, I couldn't post the meeting card here (Slack said `{slack_error}`). "
            "Nothing was created. Please try again, or invite me to this channel.")


def bridge_busy(state: str) -> str:
    return f"The phone bridge is already {state}. Nothing to do."


def bridge_failed(error: UpstreamError) -> str:
    return (f"Couldn't connect the phone bridge: {error.reason}. "
            "Press *Connect phone bridge* to try again.")


def dial_rate_limited(retry_after: int) -> str:
    return (f"The phone bridge was dialled too often lately, so it wasn't dialled now (a cap on phone "
            f"costs). Try again in {retry_after} s.")


NOT_CONNECTED = "The phone bridge isn't connected, so there is nothing to hang up."
MEETING_OVER = "This meeting has already ended."
UNKNOWN_MEETING = "I can't find that meeting. It may belong to another workspace or have been removed."
NOT_ENABLED = ("meetbridge is not enabled for this workspace. "
               "Ask the person who runs it to add this workspace to its allow-list.")


def too_many_live_meetings(limit: int) -> str:
    return (f"This workspace already has {limit} live meetings, the most it may have at once, so no "
            "meeting was started. End one that is over (your App Home lists yours) and try again.")


SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")


def hung_up_by(user_id: str) -> str:
    """Card notice naming who hung up; the id comes from a signed Slack payload and is checked."""
    who = f"<@{user_id}>" if SLACK_USER_ID.fullmatch(user_id) else "someone"
    return f"Phone bridge hung up by {who}"


def starting(topic: str | None) -> str:
    return f"Starting *{escape_mrkdwn(topic)}*…" if topic else "Starting a video meeting…"


def host_link(room_url: str, host_key: str) -> str:
    """Only the starter sees this (ephemeral): the key sits in the URL fragment, which browsers
    never send to any server, so it stays out of logs and Referer headers."""
    return (f"Your meeting is ready. <{room_url}#host={host_key}|Open it as the host> to be able to "
            "end it for everyone from the browser. Keep this link to yourself.")


def only_creator(creator_id: str) -> str:
    return f"Only <@{creator_id}>, who started this meeting, can end it."
