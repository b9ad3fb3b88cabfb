"""The join page and its JSON routes (SPEC §2.3, §6): tokens per visitor, bridge controls."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from meetbridge.errors import (
    BridgeAlreadyActive,
    DialRateLimited,
    MeetingEnded,
    MeetingNotFound,
    NotAllowed,
    RateLimited,
    UpstreamError,
)
from meetbridge.meetings import clean_display_name
from meetbridge.phone_format import grouped_pin, human_number, one_tap_dial
from meetbridge.records import Meeting
from meetbridge.services import Services
from meetbridge.status import read_status

from .visitor_cookie import VisitorCookies

NOT_JOINED = "Join the meeting on this page first: only people in the meeting can use its phone bridge."
NOT_JSON = "Send this request as JSON (Content-Type: application/json)."


def json_error(status: int, message: str, **extra: object) -> tuple[Response, int]:
    return jsonify(error=message, **extra), status


def too_many(message: str, retry_after: int) -> tuple[Response, int]:
    response = jsonify(error=message, retryAfter=retry_after)
    response.headers["Retry-After"] = str(retry_after)
    return response, 429


def create_rooms_blueprint(services: Services) -> Blueprint:
    rooms = Blueprint("rooms", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/static/rooms")
    settings = services.settings
    cookies = VisitorCookies(settings.video_api_secret, secure=settings.server_url.startswith("https://"))

    def find(meeting_id: str) -> Meeting | None:
        return services.store.meetings.get(meeting_id) if len(meeting_id) <= 64 else None

    def refused_control(meeting_id: str) -> tuple[Response, int] | None:
        """Bridge controls act only for a visitor who joined (cookie) and only on a JSON request,
        which no other site's page can send without a CORS preflight we never grant."""
        if find(meeting_id) is None:
            return json_error(404, "No meeting has this link.")
        if request.mimetype != "application/json":
            return json_error(415, NOT_JSON)
        if not cookies.holds(request, meeting_id):
            return json_error(403, NOT_JOINED)
        return None

    @rooms.errorhandler(MeetingNotFound)
    def not_found(error: MeetingNotFound):
        return json_error(404, "No meeting has this link.")

    @rooms.errorhandler(MeetingEnded)
    def ended(error: MeetingEnded):
        return json_error(410, "This meeting has ended.")

    @rooms.errorhandler(RateLimited)
    def rate_limited(error: RateLimited):
        return too_many(f"Too many requests from here; try again in {error.retry_after} s.", error.retry_after)

    @rooms.errorhandler(DialRateLimited)
    def dial_rate_limited(error: DialRateLimited):
        return too_many(f"The phone bridge was dialled too often lately; try again in {error.retry_after} s.",
                        error.retry_after)

    @rooms.get("/rooms/<meeting_id>")
    def join_page(meeting_id: str):
        """The video client page; unknown ids get a friendly 404, ended meetings a 410."""
        try:
            meeting = services.meetings.live_meeting(meeting_id) if len(meeting_id) <= 64 else None
        except MeetingNotFound:
            meeting = None
        except MeetingEnded:
            over = find(meeting_id)
            return render_template("ended.html", title=over.title if over else "Meeting"), 410
        if meeting is None:
            return render_template("not_found.html"), 404
        return render_template(
            "room.html", meeting_id=meeting.id, title=meeting.title, pin=grouped_pin(meeting.pin),
            number=human_number(settings.conference_number),
            tel_link=one_tap_dial(settings.conference_number, meeting.pin),
            end_url=url_for("rooms.end", meeting_id=meeting.id),
            opentok_js_url=settings.opentok_js_url, opentok_js_integrity=settings.opentok_js_integrity)

    @rooms.post("/rooms/<meeting_id>/token")
    def token(meeting_id: str):
        """A short-lived token for one visitor (name as structured connection data), and the
        cookie that marks them as joined. The page calls it again to refresh the token."""
        body = request.get_json(silent=True)
        name = clean_display_name(body.get("name") if isinstance(body, dict) else None)
        if name is None:
            return json_error(400, "Send JSON {\"name\": \"...\"} with a display name of 1 to 100 characters.")
        try:
            grant = services.meetings.grant_token(meeting_id, name, request.remote_addr or "")
        except UpstreamError as error:
            return json_error(502, f"Couldn't let you in: {error.reason}.")
        response = jsonify(apiKey=grant.apiKey, sessionId=grant.sessionId, token=grant.token,
                           expiresIn=grant.expiresIn)
        cookies.issue(response, meeting_id, max_age=int(settings.meeting_ttl_seconds))
        return response

    @rooms.get("/rooms/<meeting_id>/status")
    def status(meeting_id: str):
        """Live state for the page: bridge state and phone callers."""
        meeting = find(meeting_id)
        if meeting is None:
            return json_error(404, "No meeting has this link.")
        current = read_status(services.store, meeting)
        reason = current.bridge.reason if current.bridge and current.bridge_state == "failed" else None
        return jsonify(ended=not meeting.is_live, bridge=current.bridge_state, bridgeReason=reason,
                       phoneCallers=current.phone_callers)

    @rooms.post("/rooms/<meeting_id>/dial-out")
    def dial_out(meeting_id: str):
        """Connect the phone bridge (same rules and spending cap as the card's button)."""
        refused = refused_control(meeting_id)
        if refused:
            return refused
        try:
            services.bridge.connect(meeting_id)
        except BridgeAlreadyActive:
            active = services.store.bridges.active(meeting_id)
            state = active.state if active else "connected"
            return json_error(409, f"The phone bridge is already {state}.", bridge=state)
        except UpstreamError as error:
            return json_error(502, f"Couldn't connect the phone bridge: {error.reason}.", bridge="failed")
        return jsonify(bridge="connecting"), 202

    @rooms.post("/rooms/<meeting_id>/hang-up")
    def hang_up(meeting_id: str):
        """Hang up the phone bridge; when nothing is connected, say so (not an error)."""
        refused = refused_control(meeting_id)
        if refused:
            return refused
        if services.bridge.hang_up(meeting_id, reason="hung up", notice="Phone bridge hung up from the join page"):
            return jsonify(bridge="off", message="Phone bridge hung up.")
        return jsonify(bridge="off", message="The phone bridge isn't connected, so there was nothing to hang up.")

    @rooms.post("/rooms/<meeting_id>/end")
    def end(meeting_id: str):
        """End the meeting for everyone; only with the starter's host key (from their host link)."""
        body = request.get_json(silent=True)
        host_key = body.get("hostKey") if isinstance(body, dict) else None
        if not isinstance(host_key, str) or not 0 < len(host_key) <= 100:
            return json_error(400, "Send JSON {\"hostKey\": \"...\"} from your host link.")
        try:
            ended_now = services.lifecycle.end_as_host(meeting_id, host_key)
        except NotAllowed:
            return json_error(403, "Only the person who started this meeting can end it (use your host link).")
        if not ended_now:
            return json_error(410, "This meeting has already ended.")
        return jsonify(ended=True, message="Meeting ended for everyone.")

    return rooms
