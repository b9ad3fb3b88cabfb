"""The join page and its JSON routes: tokens per visitor, the phone-bridge controls, status.

Routes translate the join page's front door (meetbridge.rooms) into HTTP; domain errors become
responses in one place, the blueprint's error handlers.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from meetbridge import reasons
from meetbridge.dial_in import DialIn
from meetbridge.errors import DialRateLimited, MeetingEnded, MeetingNotFound, NotAllowed, RateLimited, UpstreamError
from meetbridge.meetings import clean_display_name
from meetbridge.phone_format import grouped_pin
from meetbridge.rooms import RoomPage, Rooms
from meetbridge.settings import Settings
from meetbridge.words import N_

from .page_words import page_language, say
from .visitor_cookie import VisitorCookies

NOT_JOINED = N_("Join the meeting on this page first: only people in the meeting can use its phone bridge.")
NOT_JSON = N_("Send this request as JSON (Content-Type: application/json).")
NOT_FOUND = N_("No meeting has this link.")
ENDED = N_("This meeting has ended.")
# What a failed platform call stopped, by route, with the platform's reason.
UPSTREAM_FAILURES = {"rooms.token": (N_("Couldn't let you in: {reason}."), {}),
                     "rooms.dial_out": (N_("Couldn't connect the phone bridge: {reason}."), {"bridge": "failed"})}
UPSTREAM_OTHER = N_("Couldn't do that: {reason}.")
# A connect asked while the bridge is already under way, by the bridge's state.
ALREADY = {"connecting": N_("The phone bridge is already connecting."),
           "connected": N_("The phone bridge is already connected.")}


def live_page(rooms: Rooms, meeting_id: str) -> RoomPage | tuple[str, int]:
    """The page of a meeting that can be joined, or the friendly HTML answer why not: 404 for an
    unknown id, 410 for an ended meeting (the join page and the numbers page alike)."""
    try:
        page = rooms.page(meeting_id)
    except MeetingNotFound:
        return render_template("not_found.html"), 404
    if not page.live:
        return render_template("ended.html", title=page.meeting.title), 410
    return page


class ControlRefused(Exception):
    """A bridge control asked without the joined visitor's cookie or not as JSON (`message`:
    the English sentence, said in the request's language by the error handler)."""

    def __init__(self, status: int, message: str, **values: str) -> None:
        self.status = status
        self.message = message
        self.values = values
        super().__init__(message)


def json_error(status: int, message: str, **extra: object) -> tuple[Response, int]:
    """A short JSON error body, as every JSON route answers."""
    return jsonify(error=message, **extra), status


def too_many(message: str, retry_after: int) -> tuple[Response, int]:
    """429 with the wait both in the body and in Retry-After."""
    response = jsonify(error=message, retryAfter=retry_after)
    response.headers["Retry-After"] = str(retry_after)
    return response, 429


def install_error_pages(rooms: Blueprint) -> None:
    """Domain errors of every route, worded once."""
    @rooms.errorhandler(MeetingNotFound)
    def not_found(error: MeetingNotFound):
        return json_error(404, say(NOT_FOUND))

    @rooms.errorhandler(MeetingEnded)
    def ended(error: MeetingEnded):
        return json_error(410, say(ENDED))

    @rooms.errorhandler(NotAllowed)
    def not_allowed(error: NotAllowed):
        return json_error(403, say(N_("Only the person who started this meeting can end it (use your host link).")))

    @rooms.errorhandler(ControlRefused)
    def control_refused(error: ControlRefused):
        return json_error(error.status, say(error.message, **error.values))

    @rooms.errorhandler(RateLimited)
    def rate_limited(error: RateLimited):
        if isinstance(error, DialRateLimited):
            return too_many(say(N_("The phone bridge was dialled too often lately; try again in {seconds} s."),
                                seconds=error.retry_after),
                            error.retry_after)
        return too_many(say(N_("Too many requests from here; try again in {seconds} s."), seconds=error.retry_after),
                        error.retry_after)

    @rooms.errorhandler(UpstreamError)
    def upstream(error: UpstreamError):
        what, extra = UPSTREAM_FAILURES.get(request.endpoint or "", (UPSTREAM_OTHER, {}))
        return json_error(502, say(what, reason=reasons.word(error.code, page_language())), **extra)


def create_rooms_blueprint(*, rooms: Rooms, settings: Settings) -> Blueprint:
    """The join page's routes over the rooms front door; `settings` words the page."""
    blueprint = Blueprint("rooms", __name__, template_folder="templates", static_folder="static",
                          static_url_path="/static/rooms")
    cookies = VisitorCookies(settings.video_api_secret, secure=settings.server_url.startswith("https://"))
    dial_in = DialIn.from_settings(settings)  # the page lists every number, the workspace's country first
    install_error_pages(blueprint)

    def check_control(meeting_id: str) -> None:
        """Bridge controls act only for a visitor who joined (cookie) and only on a JSON request,
        which no other site's page can send without a CORS preflight we never grant."""
        rooms.find(meeting_id)
        if request.mimetype != "application/json":
            raise ControlRefused(415, NOT_JSON)
        if not cookies.holds(request, meeting_id):
            raise ControlRefused(403, NOT_JOINED)

    @blueprint.get("/rooms/<meeting_id>")
    def join_page(meeting_id: str):
        """The video client page; unknown ids get a friendly 404, ended meetings a 410."""
        page = live_page(rooms, meeting_id)
        if not isinstance(page, RoomPage):
            return page
        meeting = page.meeting
        return render_template(
            "room.html", meeting_id=meeting.id, title=meeting.title, pin=grouped_pin(meeting.pin),
            number=dial_in.numbers[0].international, tel_link=dial_in.numbers[0].one_tap(meeting.pin),
            more_numbers=[{"flag": n.flag, "country": n.country_name(page_language()), "international": n.international,
                           "tel": n.one_tap(meeting.pin)} for n in dial_in.numbers[1:]],
            numbers_url=f"/rooms/{meeting.id}/numbers",
            end_url=url_for("rooms.end", meeting_id=meeting.id),
            call_me=settings.dial_out == "members",  # a page visitor is never the starter
            opentok_js_url=settings.opentok_js_url, opentok_js_integrity=settings.opentok_js_integrity)

    @blueprint.post("/rooms/<meeting_id>/token")
    def token(meeting_id: str):
        """A short-lived token for one visitor (name as structured connection data), and the
        cookie that marks them as joined. The page calls it again to refresh the token."""
        body = request.get_json(silent=True)
        name = clean_display_name(body.get("name") if isinstance(body, dict) else None)
        if name is None:
            return json_error(400, say(N_("Send JSON {json} with a display name of 1 to 100 characters."),
                                   json='{"name": "..."}'))
        grant = rooms.grant_token(meeting_id, name, request.remote_addr or "")
        response = jsonify(apiKey=grant.apiKey, sessionId=grant.sessionId, token=grant.token,
                           expiresIn=grant.expiresIn)
        cookies.issue(response, meeting_id, max_age=int(settings.meeting_ttl_seconds),
                      visitor_id=cookies.visitor(request, meeting_id))  # a refresh keeps the visitor's id
        return response

    @blueprint.get("/rooms/<meeting_id>/status")
    def status(meeting_id: str):
        """Live state for the page: bridge state and phone callers."""
        current = rooms.status(meeting_id)
        return jsonify(ended=current.ended, bridge=current.bridge,
                       bridgeReason=current.bridge_reason and reasons.word(current.bridge_reason, page_language()),
                       phoneCallers=current.phone_callers)

    @blueprint.post("/rooms/<meeting_id>/dial-out")
    def dial_out(meeting_id: str):
        """Connect the phone bridge (same rules and spending cap as the card's button)."""
        check_control(meeting_id)
        control = rooms.dial_out(meeting_id)
        if not control.acted:
            return json_error(409, say(ALREADY.get(control.bridge, ALREADY["connected"])), bridge=control.bridge)
        return jsonify(bridge=control.bridge), 202

    @blueprint.post("/rooms/<meeting_id>/hang-up")
    def hang_up(meeting_id: str):
        """Hang up the phone bridge; when nothing is connected, say so (not an error)."""
        check_control(meeting_id)
        if rooms.hang_up(meeting_id).acted:
            return jsonify(bridge="off", message=say(N_("Phone bridge hung up.")))
        return jsonify(bridge="off",
                       message=say(N_("The phone bridge isn't connected, so there was nothing to hang up.")))

    @blueprint.post("/rooms/<meeting_id>/end")
    def end(meeting_id: str):
        """End the meeting for everyone; only with the starter's host key (from their host link)."""
        body = request.get_json(silent=True)
        host_key = body.get("hostKey") if isinstance(body, dict) else None
        if not isinstance(host_key, str) or not 0 < len(host_key) <= 100:
            return json_error(400, say(N_("Send JSON {json} from your host link."), json='{"hostKey": "..."}'))
        if not rooms.end_as_host(meeting_id, host_key):
            return json_error(410, say(N_("This meeting has already ended.")))
        return jsonify(ended=True, message=say(N_("Meeting ended for everyone.")))

    return blueprint
