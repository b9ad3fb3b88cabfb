"""Why a meeting ended, why the phone bridge stopped or failed, and the card's notice about the
bridge: stored as short codes, worded in the reader's language only when shown.

A code is a name, or a name and one value after a colon: `hung_up`, `voice.timeout`, `idle:5`
(hung up after 5 minutes without callers), `max_duration:43200` (connected for the longest
allowed, in seconds), `hung_up_by:U123` (a Slack member, named by Slack's mention syntax, which
only the Slack card shows). Each code's English source sentence is marked for the `reasons`
catalog here, once. A code this version does not know (a row written by an older one) is worded
as `unknown`.
"""

from __future__ import annotations

import re

from babel.units import format_unit

from .words import N_, language_of, translate

DOMAIN = "reasons"
UNKNOWN = "unknown"

# meetings.ended_reason
ENDED = "ended"                  # the starter ended it (Slack or the host link)
EXPIRED = "expired"              # MEETING_TTL_HOURS passed
UNINSTALLED = "uninstalled"      # the app was uninstalled from the workspace

# bridge_calls.reason
HUNG_UP = "hung_up"              # a person hung the bridge up
MEETING_ENDED = "meeting_ended"
IDLE = "idle"                    # BRIDGE_IDLE_MINUTES without callers
MAX_DURATION = "max_duration"    # connected for BRIDGE_MAX_HOURS
NO_VIDEO = "no_video"            # the last video participant left
UNANSWERED = "unanswered"        # the dial never reached our answer webhook
LEG_ENDED = "leg"                # the bridge's Vonage leg ended (`leg:<Vonage status>`)

# meetings.bridge_notice
DIAL_LIMIT = "dial_limit"
VIDEO_LEFT = "video_left"
HUNG_UP_FROM_PAGE = "hung_up_from_page"
HUNG_UP_BY = "hung_up_by"        # `hung_up_by:<member id>`; alone: someone we cannot name

# The words of every code that carries no value (UpstreamError's codes included).
SENTENCES: dict[str, str] = {
    UNKNOWN: N_("unknown reason"),
    ENDED: N_("the meeting was ended by its host"),
    EXPIRED: N_("the meeting reached its time limit"),
    UNINSTALLED: N_("the app was removed from this workspace"),
    HUNG_UP: N_("hung up"),
    MEETING_ENDED: N_("the meeting ended"),
    IDLE: N_("no callers for a while"),
    MAX_DURATION: N_("connected for the longest allowed"),
    NO_VIDEO: N_("everyone on video left"),
    UNANSWERED: N_("the phone network never answered the bridge call"),
    LEG_ENDED: N_("the bridge's phone call ended"),
    DIAL_LIMIT: N_("Phone bridge not dialled: too many attempts lately (the cap keeps phone costs down)"),
    VIDEO_LEFT: N_("Phone bridge hung up: everyone on video left"),
    HUNG_UP_FROM_PAGE: N_("Phone bridge hung up from the join page"),
    HUNG_UP_BY: N_("Phone bridge hung up by someone"),
    # The video platform (OpenTok).
    "video.timeout": N_("the video service did not answer in time"),
    "video.unreachable": N_("the video service could not be reached"),
    "video.credentials": N_("the video service refused our API key or secret"),
    "video.gone": N_("that connection had already left the session"),
    "video.not_routed": N_("the video session is not routed, so it cannot dial a phone line"),
    "video.unknown_session": N_("the video service no longer knows this session"),
    "video.dial_rejected": N_("the video service rejected the dial-out request"),
    "video.internal": N_("the video service had an internal error"),
    "video.unexpected": N_("the video service gave an unexpected answer"),
    # The voice platform (Vonage).
    "voice.credentials": N_("the voice service refused our application credentials"),
    "voice.timeout": N_("the voice service did not answer in time"),
    "voice.unreachable": N_("the voice service could not be reached"),
    "voice.hang_up": N_("the voice service could not hang up the call"),
    "voice.mute": N_("the voice service could not mute the call"),
    "voice.unmute": N_("the voice service could not unmute the call"),
    "voice.play_audio": N_("the voice service could not play audio into the call"),
    "voice.stop_audio": N_("the voice service could not stop the audio in the call"),
    "voice.say": N_("the voice service could not speak into the call"),
    "voice.place_call": N_("the voice service could not place the call"),
}

# The words of the codes that carry a value.
IDLE_NOTICE = N_("Phone bridge hung up: no callers for {duration}")
MAX_DURATION_NOTICE = N_("Phone bridge hung up: it was connected for the longest allowed ({duration})")
HUNG_UP_BY_NOTICE = N_("Phone bridge hung up by {who}")

MEMBER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
NUMBER = re.compile(r"\d+(\.\d+)?")


def is_known(code: str) -> bool:
    """Whether this version has words for `code`."""
    name, _, value = code.partition(":")
    if not value:
        return name in SENTENCES
    if name in (IDLE, MAX_DURATION):
        return NUMBER.fullmatch(value) is not None
    if name == HUNG_UP_BY:
        return MEMBER_ID.fullmatch(value) is not None
    return name == LEG_ENDED


def idle_notice(minutes: float) -> str:
    """The notice: hung up after `minutes` without callers."""
    return f"{IDLE}:{minutes:g}"


def max_duration_notice(seconds: float) -> str:
    """The notice: hung up after being connected for the longest allowed, `seconds`."""
    return f"{MAX_DURATION}:{seconds:g}"


def hung_up_by(member_id: str) -> str:
    """The notice naming the member who hung up; a malformed id is not stored, only 'someone'."""
    return f"{HUNG_UP_BY}:{member_id}" if MEMBER_ID.fullmatch(member_id) else HUNG_UP_BY


def leg_ended(status: str) -> str:
    """The bridge's own Vonage leg reached `status` (completed, failed, …)."""
    return f"{LEG_ENDED}:{re.sub(r'[^a-z_]', '', status.lower())}"


def word(code: str | None, tag: str | None) -> str:
    """The words of a stored code in the language of `tag` (English when none ships); an empty
    or unknown code reads 'unknown reason'."""
    code = code if code and is_known(code) else UNKNOWN
    name, _, value = code.partition(":")
    if name == IDLE and value:
        minutes = format_unit(float(value), "duration-minute", length="short", locale=language_of(tag))
        return translate(IDLE_NOTICE, tag, DOMAIN, duration=minutes)
    if name == MAX_DURATION and value:
        return translate(MAX_DURATION_NOTICE, tag, DOMAIN, duration=_duration(float(value), tag))
    if name == HUNG_UP_BY and value:
        return translate(HUNG_UP_BY_NOTICE, tag, DOMAIN, who=f"<@{value}>")
    return translate(SENTENCES[name], tag, DOMAIN)


def _duration(seconds: float, tag: str | None) -> str:
    """'12 hr', '90 min', '45 sec' in the language's own short units (CLDR, through Babel)."""
    locale = language_of(tag)
    if seconds >= 2 * 3600:
        return format_unit(round(seconds / 3600, 2), "duration-hour", length="short", locale=locale)
    if seconds >= 120:
        return format_unit(round(seconds / 60, 2), "duration-minute", length="short", locale=locale)
    return format_unit(round(seconds, 2), "duration-second", length="short", locale=locale)
