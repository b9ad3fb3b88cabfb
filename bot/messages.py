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
    """Ephemeral: the meeting could not start, and nothing was created."""
    return (f"Sorry, I couldn't start the meeting: {error.reason}. "
            "Nothing was created. Please try `/meet` again in a minute.")


def card_failed(slack_error: str) -> str:
    """Ephemeral: the card could not be posted (Slack's error), and nothing was created."""
    return (f"Sorry, I couldn't post the meeting card here (Slack said `{slack_error}`). "
            "Nothing was created. Please try again, or invite me to this channel.")


def bridge_busy(state: str) -> str:
    """Ephemeral: the bridge is already dialling or up, so Connect did nothing."""
    return f"The phone bridge is already {state}. Nothing to do."


def bridge_failed(error: UpstreamError) -> str:
    """Ephemeral: the bridge could not be dialled, and how to try again."""
    return (f"Couldn't connect the phone bridge: {error.reason}. "
            "Press *Connect phone bridge* to try again.")


def dial_rate_limited(retry_after: int) -> str:
    """Ephemeral: the dial cap refused this dial, and when to try again."""
    return (f"The phone bridge was dialled too often lately, so it wasn't dialled now (a cap on phone "
            f"costs). Try again in {retry_after} s.")


NOT_CONNECTED = "The phone bridge isn't connected, so there is nothing to hang up."
MEETING_OVER = "This meeting has already ended."
UNKNOWN_MEETING = "I can't find that meeting. It may belong to another workspace or have been removed."
NOT_ENABLED = ("meetbridge is not enabled for this workspace. "
               "Ask the person who runs it to add this workspace to its allow-list.")


def too_many_live_meetings(limit: int) -> str:
    """Ephemeral: the workspace is at its live-meeting cap, so nothing started."""
    return (f"This workspace already has {limit} live meetings, the most it may have at once, so no "
            "meeting was started. End one that is over (your App Home lists yours) and try again.")


SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")


def hung_up_by(user_id: str) -> str:
    """Card notice naming who hung up; the id comes from a signed Slack payload and is checked."""
    who = f"<@{user_id}>" if SLACK_USER_ID.fullmatch(user_id) else "someone"
    return f"Phone bridge hung up by {who}"


def starting(topic: str | None) -> str:
    """The first answer to `/meet`, before the meeting exists."""
    return f"Starting *{escape_mrkdwn(topic)}*…" if topic else "Starting a video meeting…"


def host_link(room_url: str, host_key: str) -> str:
    """Only the starter sees this (ephemeral): the key sits in the URL fragment, which browsers
    never send to any server, so it stays out of logs and Referer headers."""
    return (f"Your meeting is ready. <{room_url}#host={host_key}|Open it as the host> to be able to "
            "end it for everyone from the browser. Keep this link to yourself.")


def only_creator(creator_id: str) -> str:
    """Ephemeral: only the meeting's starter may end it."""
    return f"Only <@{creator_id}>, who started this meeting, can end it."


# -- "Call my phone" / "Add by phone" --------------------------------------------------------

def in_minutes(seconds: float | None) -> str:
    """A wait in words: "in 1 minute", "in 12 minutes" ("later" when unknown)."""
    if seconds is None:
        return "later"
    minutes = max(1, round(seconds / 60))
    return f"in {minutes} minute{'' if minutes == 1 else 's'}"


# Refusals about the number itself: shown as an error under the modal's phone field.
NUMBER_FIELD_ERRORS = {
    "invalid_number": "That isn't a phone number I can call. Type it with its country code, e.g. +1 555 010 0199.",
    "country_not_allowed": "Calls to that country aren't allowed here (a cap on phone costs).",
    "number_type_not_allowed": ("I can't call that kind of number: premium-rate, shared-cost, personal and "
                                "unknown numbers are never dialled (they can cost a lot)."),
}


def dial_refused(code: str, retry_after: float | None = None, starter_id: str | None = None) -> str:
    """Why the meeting did not call a phone, in plain words (a DialOutRefused code)."""
    if code in NUMBER_FIELD_ERRORS:
        return f"I didn't call: {NUMBER_FIELD_ERRORS[code]}"
    starter = f"<@{starter_id}>" if starter_id and SLACK_USER_ID.fullmatch(starter_id) else "the person who started it"
    words = {
        "dial_out_off": "Calling phones from meetings is switched off here. Dial in with the number and PIN instead.",
        "starter_only": f"Only {starter}, who started this meeting, can have it call phones here.",
        "member_hourly_limit": ("You've had the meeting call phones as often as one person may in an hour "
                                f"(a cap on phone costs). Try again {in_minutes(retry_after)}."),
        "team_hourly_limit": ("This workspace's meetings have called phones as often as they may in an hour "
                              f"(a cap on phone costs). Try again {in_minutes(retry_after)}."),
        "visitor_limit": f"Too many calls were asked for from this page. Try again {in_minutes(retry_after)}.",
        "meeting_ringing_limit": ("Too many phones are ringing for this meeting right now. Try again once "
                                  "some have answered."),
        "meeting_full": "This meeting already has as many phone callers as it may have, so I didn't call.",
        "meeting_ended": MEETING_OVER,
        "not_found": UNKNOWN_MEETING,
    }
    return words.get(code, "I couldn't place that call. Please try again in a minute.")


def dial_failed(error: UpstreamError) -> str:
    """Ephemeral: Vonage would not place the call, and nothing was dialled."""
    return f"I couldn't place the call: {error.reason}. Nothing was dialled; please try again in a minute."


def calling(masked: str) -> str:
    """Ephemeral to a member whose own phone is being called."""
    return f"Calling {masked}…"


def calling_invitee(name: str | None, masked: str) -> str:
    """Ephemeral to a member who had the meeting call someone else."""
    return f"Calling {invitee(name, masked)}…"


def invitee(name: str | None, masked: str) -> str:
    """Who is being called, as the requester reads it: the name they typed and the masked number."""
    return f"{escape_mrkdwn(name)} ({masked})" if name else masked


def dial_progress(code: str, name: str | None, masked: str) -> str | None:
    """A call's progress for whoever asked for it; None for a code nobody is told about."""
    who = invitee(name, masked) if name else f"your phone ({masked})"
    words = {
        "ringing": f"Ringing {who}…",
        "joined": (f"{who} joined the meeting by phone." if name else
                   "You joined the meeting by phone."),
        "no_answer": f"No answer from {who}. Nobody picked up before it stopped ringing.",
        "busy": f"{who[0].upper()}{who[1:]} was busy, so the call didn't go through.",
        "declined": f"The call to {who} was declined.",
        "voicemail": f"Voicemail answered at {who}, so I hung up (nobody was asked to join).",
        "failed": f"The call to {who} failed: the phone network didn't connect it.",
        "ended": f"The call to {who} was cancelled because the meeting ended.",
    }
    return words.get(code)


DIAL_LINE_WORDS = {"ringing": "ringing", "joined": "joined by phone"}
SAVED_NUMBER_NONE = "No number saved. Save one and *Call my phone* on a meeting card rings it at once."
SAVED_NUMBER_REMOVED = "Your phone number was removed."
SAVED_NUMBER_SAVED = "Your phone number was saved."


def saved_number(masked: str) -> str:
    """The App Home line showing the member's saved number (masked)."""
    return f"*My phone number:* {masked}\n*Call my phone* on a meeting card rings this number at once."
