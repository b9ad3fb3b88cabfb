"""The join page's "Call my phone instead": the meeting calls a visitor who has joined.

`POST /rooms/<id>/call-me` with JSON `{"number", "name"}` places the call (202) under every
dial-out guardrail; `GET /rooms/<id>/call-me` is that visitor's own newest call, for the page's
live progress. Both need the joined visitor's cookie (the same signed, SameSite=Strict cookie
the bridge controls need) and the POST needs `Content-Type: application/json`, so no other
site's page can make a browser ask. Every refusal says why in plain words.

Progress is polled: the page asks every two seconds while its call is under way and stops at
the final word. A status changes a handful of times over a minute, the cookie already binds
the request to one visitor, and it needs nothing a proxy might cut (no long-lived stream) and
nothing that reaches other visitors (a video-session signal would reach everyone). Numbers
leave only masked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Request, Response, jsonify, request

from meetbridge import reasons
from meetbridge.clock import Clock
from meetbridge.dial_out_records import DialRequest, DialStarted, Requester
from meetbridge.dial_out_status import FINAL_CODES
from meetbridge.errors import DialOutRefused, MeetingNotFound, UpstreamError
from meetbridge.meetings import clean_display_name
from meetbridge.records import Meeting
from meetbridge.storage.dial_outs import DialOutRow
from meetbridge.storage.rate_limits import Rule

from .call_me_words import (
    ASKED_TOO_OFTEN,
    BAD_BODY,
    BAD_BODY_JSON,
    NOT_FOUND,
    NOT_JOINED,
    NOT_JSON,
    refusal_status,
    refusal_words,
    upstream_words,
)
from .page_words import page_language, say
from .visitor_cookie import VisitorCookies

STATUS_READS_PER_MINUTE = 60  # the page reads every 2 s while a call is under way: 30 a minute
# Requests per meeting and client address in an hour: a new cookie (a cleared browser) is a
# new visitor with 3 calls of its own, so one address may not ask more often than this.
REQUESTS_PER_ADDRESS_HOUR = 10


@dataclass(frozen=True)
class CallMeCollaborators:
    """What the routes use: the meeting look-up, the dial-out front door and the visitor's calls."""

    find_meeting: Callable[[str], Meeting]  # raises MeetingNotFound
    place_call: Callable[[DialRequest], DialStarted]  # raises DialOutRefused / UpstreamError
    allowed_countries: tuple[str, ...]
    latest_call: Callable[[str, str], DialOutRow | None]  # (meeting id, visitor id)
    take: Callable[[list[Rule], float], float | None]  # the shared rate limiter
    clock: Clock


def browser_region(incoming: Request, allowed: tuple[str, ...]) -> str | None:
    """The country of the browser's first language with one ("de-CH" → CH), when calls to it
    are allowed: a number typed without its country code is read as that country's."""
    for language in incoming.accept_languages.values():
        _, _, country = language.partition("-")
        if len(country) == 2 and country.upper() in allowed:
            return country.upper()
    return None


def error(status: int, message: str, retry_after: float | None = None) -> tuple[Response, int]:
    """A short JSON error; a limit's wait in Retry-After too."""
    response = jsonify(error=message)
    if retry_after is not None:
        response.headers["Retry-After"] = str(max(1, round(retry_after)))
    return response, status


def call_state(row: DialOutRow | None) -> dict | None:
    """What the page shows of the visitor's call: its code, the masked number, whether it is over."""
    if row is None:
        return None
    state = "ringing" if row.code == "placing" else row.code
    return {"state": state, "number": row.masked, "final": state in FINAL_CODES}


def create_call_me_blueprint(*, collaborators: CallMeCollaborators, cookies: VisitorCookies) -> Blueprint:
    """The two routes of "Call my phone instead"."""
    blueprint = Blueprint("call_me", __name__)
    use = collaborators

    def visitor_of(meeting_id: str) -> tuple[Meeting, str] | tuple[Response, int]:
        try:
            meeting = use.find_meeting(meeting_id)
        except MeetingNotFound:
            return error(404, say(NOT_FOUND))
        visitor = cookies.visitor(request, meeting_id)
        if visitor is None:
            return error(403, say(NOT_JOINED))
        return meeting, visitor

    @blueprint.post("/rooms/<meeting_id>/call-me")
    def call_me(meeting_id: str):
        """Call the visitor's phone into the meeting (202), or say why not."""
        if request.mimetype != "application/json":
            return error(415, say(NOT_JSON))
        found = visitor_of(meeting_id)
        if not isinstance(found[0], Meeting):
            return found
        meeting, visitor = found
        body = request.get_json(silent=True)
        number = body.get("number") if isinstance(body, dict) else None
        name = clean_display_name(body.get("name") if isinstance(body, dict) else None)
        if not isinstance(number, str) or name is None:
            return error(400, say(BAD_BODY, json=BAD_BODY_JSON))
        wait = use.take([Rule(f"call_me_address:{meeting.id}:{request.remote_addr or ''}",
                              REQUESTS_PER_ADDRESS_HOUR, 3600.0)], use.clock.now())
        if wait is not None:
            return error(429, refusal_words("visitor_limit", wait), wait)
        who = Requester(kind="visitor", workspace_id=meeting.team_id, visitor_id=visitor,
                        region=browser_region(request, use.allowed_countries))
        try:
            started = use.place_call(DialRequest(meeting_id=meeting.id, number=number, requester=who,
                                                 invitee_name=name, for_requester=True))
        except DialOutRefused as refused:
            return error(refusal_status(refused.code), refusal_words(refused.code, refused.retry_after),
                         refused.retry_after if refusal_status(refused.code) == 429 else None)
        except UpstreamError as failed:
            return error(502, upstream_words(reasons.word(failed.code, page_language())))
        return jsonify(call={"state": "ringing", "number": started.masked, "final": False}), 202

    @blueprint.get("/rooms/<meeting_id>/call-me")
    def call_me_status(meeting_id: str):
        """This visitor's newest call of this meeting (never anyone else's), number masked."""
        found = visitor_of(meeting_id)
        if not isinstance(found[0], Meeting):
            return found
        meeting, visitor = found
        wait = use.take([Rule(f"call_me_status:{meeting.id}:{visitor}", STATUS_READS_PER_MINUTE, 60.0)],
                        use.clock.now())
        if wait is not None:
            return error(429, say(ASKED_TOO_OFTEN, seconds=max(1, round(wait))), wait)
        return jsonify(call=call_state(use.latest_call(meeting.id, visitor)))

    return blueprint
