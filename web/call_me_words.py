"""What "Call my phone instead" says when it does not call, in plain words for a web page, in
the request's language (the Slack side words the same refusals for Slack)."""

from __future__ import annotations

from meetbridge.words import N_

from .page_words import say

NOT_FOUND = N_("No meeting has this link.")
NOT_JOINED = N_("Join the meeting on this page first: only people in the meeting can have it call their phone.")
NOT_JSON = N_("Send this request as JSON (Content-Type: application/json).")
BAD_BODY = N_("Send JSON {json} with your phone number and a name of 1 to 100 characters.")
BAD_BODY_JSON = '{"number": "...", "name": "..."}'
ASKED_TOO_OFTEN = N_("Asked too often; try again in {seconds} s.")

# The HTTP status of each refusal: the number itself 400, not allowed 403, gone 404/410, a
# limit 429 (with Retry-After when it is an hourly one), no room 409.
STATUS = {
    "invalid_number": 400, "country_not_allowed": 400, "number_type_not_allowed": 400,
    "dial_out_off": 403, "starter_only": 403, "not_found": 404, "meeting_ended": 410,
    "visitor_limit": 429, "team_hourly_limit": 429, "member_hourly_limit": 429, "meeting_ringing_limit": 429,
    "meeting_full": 409,
}

# Why the meeting did not call, by refusal code; {when} is "in 5 minutes" or "later".
REFUSALS = {
    "invalid_number": N_("That isn't a phone number we can call. Type it with its country code, e.g. "
                         "+1 555 010 0199."),
    "country_not_allowed": N_("Calls to that country aren't allowed here (a cap on phone costs)."),
    "number_type_not_allowed": N_("We can't call that kind of number: premium-rate, shared-cost, personal and "
                                  "unknown numbers are never dialled (they can cost a lot)."),
    "dial_out_off": N_("Calling phones from meetings is switched off here. Dial in with the number and PIN "
                       "instead."),
    "starter_only": N_("Only the person who started this meeting can have it call phones here."),
    "not_found": NOT_FOUND,
    "meeting_ended": N_("This meeting has ended."),
    "visitor_limit": N_("This page has asked for as many calls as it may in an hour. Try again {when}."),
    "team_hourly_limit": N_("This workspace's meetings have called phones as often as they may in an hour "
                            "(a cap on phone costs). Try again {when}."),
    "member_hourly_limit": N_("Too many calls were asked for. Try again {when}."),
    "meeting_ringing_limit": N_("Too many phones are ringing for this meeting right now. Try again in a minute."),
    "meeting_full": N_("This meeting already has as many phone callers as it may have, so we didn't call."),
}
OTHER_REFUSAL = N_("We couldn't place that call. Please try again in a minute.")
UPSTREAM = N_("Couldn't place the call: {reason}. Nothing was dialled; please try again in a minute.")


def refusal_status(code: str) -> int:
    """The HTTP status a refusal is answered with."""
    return STATUS.get(code, 400)


def in_minutes(seconds: float | None) -> str:
    """"in 5 minutes", or "later" when no wait is known."""
    if seconds is None:
        return say(N_("later"))
    minutes = max(1, round(seconds / 60))
    return say(N_("in 1 minute")) if minutes == 1 else say(N_("in {minutes} minutes"), minutes=minutes)


def refusal_words(code: str, retry_after: float | None = None) -> str:
    """Why the meeting did not call, as the page shows it."""
    message = REFUSALS.get(code, OTHER_REFUSAL)
    return say(message, when=in_minutes(retry_after)) if "{when}" in message else say(message)


def upstream_words(reason: str) -> str:
    """Vonage would not place the call: nothing was dialled."""
    return say(UPSTREAM, reason=reason)
