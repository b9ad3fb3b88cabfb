"""Everything the app says to people in Slack, in one place and in plain words."""

from __future__ import annotations

import re

from meetbridge import reasons
from meetbridge.errors import UpstreamError
from meetbridge.words import N_

from .card import BRIDGE_STATES, escape_mrkdwn
from .slack_words import say

HELP = N_(
    "*meetbridge* starts a video meeting that phone callers can join.\n"
    "• `/meet` — start a meeting here and post its card (Join link, dial-in number, PIN)\n"
    "• `/meet <topic>` — the same, with a title, e.g. `/meet Weekly planning`\n"
    "• `/meet help` — this message\n"
    "On the card: *Connect phone bridge* lets phone callers and video participants hear each other, "
    "*Hang up phone bridge* disconnects it, and the person who started the meeting can *End meeting*.\n"
    "Phone callers dial the number on the card and key in the PIN followed by #.\n"
    "Admins: `python cli.py check --online` checks the settings and reaches every service."
)


def help_text(locale: str | None = None) -> str:
    """`/meet help` and App Home's help, in the reader's language."""
    return say(HELP, locale)

MAX_TOPIC = 120


def clean_topic(text: str) -> str | None:
    """The meeting title from `/meet <topic>`; None for a plain `/meet`."""
    topic = " ".join(text.split())
    if not topic:
        return None
    return topic if len(topic) <= MAX_TOPIC else topic[: MAX_TOPIC - 1] + "…"


def start_failed(error: UpstreamError, locale: str | None = None) -> str:
    """Ephemeral: the meeting could not start, and nothing was created."""
    return say(N_("Sorry, I couldn't start the meeting: {reason}. "
                  "Nothing was created. Please try `/meet` again in a minute."), locale,
               reason=reasons.word(error.code, locale))


def card_failed(slack_error: str, locale: str | None = None) -> str:
    """Ephemeral: the card could not be posted (Slack's error), and nothing was created."""
    return say(N_("Sorry, I couldn't post the meeting card here (Slack said `{error}`). "
                  "Nothing was created. Please try again, or invite me to this channel."), locale,
               error=slack_error)


def bridge_state(state: str, locale: str | None = None) -> str:
    """A bridge state in words (an unknown state as it is)."""
    return say(BRIDGE_STATES[state], locale) if state in BRIDGE_STATES else state


def bridge_busy(state: str, locale: str | None = None) -> str:
    """Ephemeral: the bridge is already dialling or up, so Connect did nothing."""
    return say(N_("The phone bridge is already {state}. Nothing to do."), locale,
               state=bridge_state(state, locale))


def bridge_failed(error: UpstreamError, locale: str | None = None) -> str:
    """Ephemeral: the bridge could not be dialled, and how to try again."""
    return say(N_("Couldn't connect the phone bridge: {reason}. "
                  "Press *Connect phone bridge* to try again."), locale, reason=reasons.word(error.code, locale))


def dial_rate_limited(retry_after: int, locale: str | None = None) -> str:
    """Ephemeral: the dial cap refused this dial, and when to try again."""
    return say(N_("The phone bridge was dialled too often lately, so it wasn't dialled now (a cap on phone "
                  "costs). Try again in {seconds} s."), locale, seconds=retry_after)


NOT_CONNECTED = N_("The phone bridge isn't connected, so there is nothing to hang up.")
MEETING_OVER = N_("This meeting has already ended.")
UNKNOWN_MEETING = N_("I can't find that meeting. It may belong to another workspace or have been removed.")
NOT_ENABLED = N_("meetbridge is not enabled for this workspace. "
                 "Ask the person who runs it to add this workspace to its allow-list.")


def word(sentence: str, locale: str | None = None) -> str:
    """One of this module's fixed sentences (NOT_CONNECTED, MEETING_OVER, …) in `locale`."""
    return say(sentence, locale)


def too_many_live_meetings(limit: int, locale: str | None = None) -> str:
    """Ephemeral: the workspace is at its live-meeting cap, so nothing started."""
    return say(N_("This workspace already has {limit} live meetings, the most it may have at once, so no "
                  "meeting was started. End one that is over (your App Home lists yours) and try again."),
               locale, limit=limit)


SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")


def starting(topic: str | None, locale: str | None = None) -> str:
    """The first answer to `/meet`, before the meeting exists."""
    if topic:
        return say(N_("Starting *{topic}*…"), locale, topic=escape_mrkdwn(topic))
    return say(N_("Starting a video meeting…"), locale)


def host_link(room_url: str, host_key: str, locale: str | None = None) -> str:
    """Only the starter sees this (ephemeral): the key sits in the URL fragment, which browsers
    never send to any server, so it stays out of logs and Referer headers."""
    return say(N_("Your meeting is ready. <{link}|Open it as the host> to be able to "
                  "end it for everyone from the browser. Keep this link to yourself."), locale,
               link=f"{room_url}#host={host_key}")


def only_creator(creator_id: str, locale: str | None = None) -> str:
    """Ephemeral: only the meeting's starter may end it."""
    return say(N_("Only {starter}, who started this meeting, can end it."), locale, starter=f"<@{creator_id}>")


# -- "Call my phone" / "Add by phone" --------------------------------------------------------

def in_minutes(seconds: float | None, locale: str | None = None) -> str:
    """A wait in words: "in 1 minute", "in 12 minutes" ("later" when unknown)."""
    if seconds is None:
        return say(N_("later"), locale)
    minutes = max(1, round(seconds / 60))
    if minutes == 1:
        return say(N_("in 1 minute"), locale)
    return say(N_("in {minutes} minutes"), locale, minutes=minutes)


# Refusals about the number itself: shown as an error under the modal's phone field.
NUMBER_FIELD_ERRORS = {
    "invalid_number": N_("That isn't a phone number I can call. Type it with its country code, "
                         "e.g. +1 555 010 0199."),
    "country_not_allowed": N_("Calls to that country aren't allowed here (a cap on phone costs)."),
    "number_type_not_allowed": N_("I can't call that kind of number: premium-rate, shared-cost, personal and "
                                  "unknown numbers are never dialled (they can cost a lot)."),
}


def number_field_error(code: str, locale: str | None = None) -> str:
    """The error shown under a phone field for a refusal about the number (unknown codes: invalid)."""
    return say(NUMBER_FIELD_ERRORS.get(code, NUMBER_FIELD_ERRORS["invalid_number"]), locale)


REFUSALS = {
    "dial_out_off": N_("Calling phones from meetings is switched off here. Dial in with the number and PIN instead."),
    "starter_only": N_("Only {starter}, who started this meeting, can have it call phones here."),
    "member_hourly_limit": N_("You've had the meeting call phones as often as one person may in an hour "
                              "(a cap on phone costs). Try again {when}."),
    "team_hourly_limit": N_("This workspace's meetings have called phones as often as they may in an hour "
                            "(a cap on phone costs). Try again {when}."),
    "visitor_limit": N_("Too many calls were asked for from this page. Try again {when}."),
    "meeting_ringing_limit": N_("Too many phones are ringing for this meeting right now. Try again once "
                                "some have answered."),
    "meeting_full": N_("This meeting already has as many phone callers as it may have, so I didn't call."),
    "meeting_ended": MEETING_OVER,
    "not_found": UNKNOWN_MEETING,
}


def dial_refused(code: str, retry_after: float | None = None, starter_id: str | None = None,
                 locale: str | None = None) -> str:
    """Why the meeting did not call a phone, in plain words (a DialOutRefused code)."""
    if code in NUMBER_FIELD_ERRORS:
        return say(N_("I didn't call: {why}"), locale, why=number_field_error(code, locale))
    if code not in REFUSALS:
        return say(N_("I couldn't place that call. Please try again in a minute."), locale)
    starter = (f"<@{starter_id}>" if starter_id and SLACK_USER_ID.fullmatch(starter_id)
               else say(N_("the person who started it"), locale))
    values = {"starter": starter} if code == "starter_only" else {}
    if code in ("member_hourly_limit", "team_hourly_limit", "visitor_limit"):
        values = {"when": in_minutes(retry_after, locale)}
    return say(REFUSALS[code], locale, **values)


def dial_failed(error: UpstreamError, locale: str | None = None) -> str:
    """Ephemeral: Vonage would not place the call, and nothing was dialled."""
    return say(N_("I couldn't place the call: {reason}. Nothing was dialled; please try again in a minute."),
               locale, reason=reasons.word(error.code, locale))


def calling(masked: str, locale: str | None = None) -> str:
    """Ephemeral to a member whose own phone is being called."""
    return say(N_("Calling {who}…"), locale, who=masked)


def calling_invitee(name: str | None, masked: str, locale: str | None = None) -> str:
    """Ephemeral to a member who had the meeting call someone else."""
    return say(N_("Calling {who}…"), locale, who=invitee(name, masked))


def invitee(name: str | None, masked: str) -> str:
    """Who is being called, as the requester reads it: the name they typed and the masked number."""
    return f"{escape_mrkdwn(name)} ({masked})" if name else masked


PROGRESS = {
    "ringing": N_("Ringing {who}…"),
    "joined": N_("{who} joined the meeting by phone."),
    "no_answer": N_("No answer from {who}. Nobody picked up before it stopped ringing."),
    "busy": N_("{who} was busy, so the call didn't go through."),
    "declined": N_("The call to {who} was declined."),
    "voicemail": N_("Voicemail answered at {who}, so I hung up (nobody was asked to join)."),
    "failed": N_("The call to {who} failed: the phone network didn't connect it."),
    "ended": N_("The call to {who} was cancelled because the meeting ended."),
}


def dial_progress(code: str, name: str | None, masked: str, locale: str | None = None) -> str | None:
    """A call's progress for whoever asked for it; None for a code nobody is told about."""
    if code not in PROGRESS:
        return None
    if code == "joined" and not name:
        return say(N_("You joined the meeting by phone."), locale)
    who = invitee(name, masked) if name else say(N_("your phone ({number})"), locale, number=masked)
    text = say(PROGRESS[code], locale, who=who)
    return text[0].upper() + text[1:]


DIAL_LINE_WORDS = {"ringing": N_("ringing"), "joined": N_("joined by phone")}


def dial_line_word(code: str, locale: str | None = None) -> str:
    """A placed call's state on the card's line (an unknown code as it is)."""
    return say(DIAL_LINE_WORDS[code], locale) if code in DIAL_LINE_WORDS else code


SAVED_NUMBER_NONE = N_("No number saved. Save one and *Call my phone* on a meeting card rings it at once.")
SAVED_NUMBER_REMOVED = N_("Your phone number was removed.")
SAVED_NUMBER_SAVED = N_("Your phone number was saved.")


def saved_number(masked: str, locale: str | None = None) -> str:
    """The App Home line showing the member's saved number (masked)."""
    return say(N_("*My phone number:* {number}\n*Call my phone* on a meeting card rings this number at once."),
               locale, number=masked)
