"""The join page's phone roster and the host's controls over it.

`GET /rooms/<id>/phone-callers` is for every visitor: names, muted, hands and an opaque key per
caller, never a number or a leg id. The host's routes (`POST …/phone-callers/host` for the list
with leg ids, `…/mute`, `…/unmute`, `…/remove`, `…/mute-all`) act like the bridge controls: only
for a visitor who joined (cookie), only on a JSON request, and only with the starter's host key
from their host link.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from meetbridge import reasons
from meetbridge.errors import MeetingEnded, MeetingNotFound, NotAllowed, UpstreamError
from meetbridge.phone_callers import PhoneCaller
from meetbridge.phone_roster import Host, PhoneRoster
from meetbridge.settings import Settings
from meetbridge.words import N_

from .page_words import page_language, say
from .rooms import ENDED, NOT_FOUND, NOT_JOINED, NOT_JSON, ControlRefused, json_error
from .visitor_cookie import visitor_cookies

NOT_HOST = N_("Only the person who started this meeting can do that (use your host link).")
NO_HOST_KEY = N_("Send JSON {json} from your host link.")
NO_LEG = N_("Send JSON {json} naming a caller from the host list.")
GONE = N_("That caller has already left.")
MAX_ID = 100


def public_label(caller: PhoneCaller) -> str:
    """How the page names a caller, in the request's language: "Maria (phone)", else "Phone caller"."""
    return say(N_("{name} (phone)"), name=caller.name) if caller.name else say(N_("Phone caller"))


def public_entry(caller: PhoneCaller) -> dict:
    """What every visitor may see of a caller."""
    return {"key": caller.key, "name": public_label(caller), "muted": caller.muted, "hand": caller.hand_raised}


def create_phone_callers_blueprint(*, roster: PhoneRoster, settings: Settings) -> Blueprint:
    """The roster for everyone, and the host's mute / unmute / remove / mute-all."""
    blueprint = Blueprint("phone_callers", __name__)
    cookies = visitor_cookies(settings)

    @blueprint.errorhandler(MeetingNotFound)
    def not_found(error: MeetingNotFound):
        return json_error(404, say(NOT_FOUND))

    @blueprint.errorhandler(MeetingEnded)
    def ended(error: MeetingEnded):
        return json_error(410, say(ENDED))

    @blueprint.errorhandler(NotAllowed)
    def not_allowed(error: NotAllowed):
        return json_error(403, say(NOT_HOST))

    @blueprint.errorhandler(UpstreamError)
    def upstream(error: UpstreamError):
        return json_error(502, say(N_("Couldn't do that: {reason}."), reason=reasons.word(error.code, page_language())))

    @blueprint.errorhandler(ControlRefused)
    def refused(error: ControlRefused):
        return json_error(error.status, say(error.message, **error.values))

    def host_request(meeting_id: str) -> tuple[Host, dict]:
        """The host's proof and the JSON body of a joined visitor's request; else ControlRefused."""
        roster.meeting(meeting_id)
        if request.mimetype != "application/json":
            raise ControlRefused(415, NOT_JSON)
        if not cookies.holds(request, meeting_id):
            raise ControlRefused(403, NOT_JOINED)
        body = request.get_json(silent=True)
        key = body.get("hostKey") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not isinstance(key, str) or not 0 < len(key) <= MAX_ID:
            raise ControlRefused(400, NO_HOST_KEY, json='{"hostKey": "..."}')
        return Host(host_key=key), body

    @blueprint.get("/rooms/<meeting_id>/phone-callers")
    def phone_callers(meeting_id: str):
        """Who is on the phone: names (never numbers), muted, hands."""
        return jsonify(callers=[public_entry(caller) for caller in roster.callers_of(meeting_id)])

    @blueprint.post("/rooms/<meeting_id>/phone-callers/host")
    def host_list(meeting_id: str):
        """The same list for the host, with each caller's leg and minutes, for the controls."""
        host, body = host_request(meeting_id)
        roster.hosted(meeting_id, host)
        now = roster.clock.now()
        return jsonify(callers=[{**public_entry(caller), "leg": caller.uuid, "minutes": caller.minutes(now)}
                                for caller in roster.callers(meeting_id)])

    @blueprint.post("/rooms/<meeting_id>/phone-callers/<action>")
    def host_action(meeting_id: str, action: str):
        """Mute, unmute or remove one caller, or mute every caller."""
        if action not in ("mute", "unmute", "remove", "mute-all"):
            return json_error(404, say(N_("No such action.")))
        host, body = host_request(meeting_id)
        if action == "mute-all":
            return jsonify(muted=roster.mute_all(meeting_id, host))
        leg = body.get("leg")
        if not isinstance(leg, str) or not 0 < len(leg) <= MAX_ID:
            return json_error(400, say(NO_LEG, json='{"hostKey": "...", "leg": "..."}'))
        done = roster.remove(meeting_id, host, leg) if action == "remove" \
            else roster.set_muted(meeting_id, host, leg, action == "mute")
        return jsonify(done=True) if done else json_error(409, say(GONE))

    return blueprint
