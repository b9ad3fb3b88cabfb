"""Vonage Voice webhooks (SPEC §2.5): answer, DTMF input and call events.

Handlers only parse, check the signature and hand over to the domain (PhoneEntry,
BridgeService); everything they do is a few SQLite statements, so Vonage gets its NCCO
in milliseconds.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from meetbridge import ncco
from meetbridge.bridge import MEETING_HEADER, TOKEN_HEADER
from meetbridge.phone_entry import TERMINAL_STATUSES, CallerLeg, lockout_key
from meetbridge.services import Services

from .call_ids import leg_uuid
from .payload import BadPayload, dtmf_digits, read_payload, text_field
from .signature import check_request, refusal, voice_verifier


def ncco_response(actions: list[dict]) -> Response:
    return jsonify(actions)


def acknowledged() -> Response:
    """200 with no body: Vonage takes any 2xx; SPEC §2.5 names 200."""
    return Response(status=200)


def create_voice_blueprint(services: Services) -> Blueprint:
    voice = Blueprint("voice", __name__)
    verifier = voice_verifier(services.settings.vonage_signature_secret, services.clock,
                              services.store.seen_tokens, services.settings.vonage_application_id,
                              services.settings.voice_api_key)

    @voice.errorhandler(BadPayload)
    def bad_payload(error: BadPayload):
        return jsonify(error=str(error)), 400

    @voice.before_request
    def check_signature():
        """With VONAGE_SIGNATURE_SECRET set, act on nothing that Vonage did not sign (and
        nothing twice): refused before any handler runs, so no row at all is written."""
        if verifier is None:
            return None
        problem = check_request(verifier, request)
        return refusal(request.path, problem) if problem else None

    def audit(route: str, uuid: str | None, status: str) -> None:
        services.store.webhook_log.record(services.clock.now(), route, uuid, status)

    def caller(payload: dict) -> CallerLeg:
        return CallerLeg(uuid=leg_uuid(payload, required=True) or "", number=lockout_key(payload.get("from")))

    @voice.route("/voice-answer", methods=["GET", "POST"])
    def voice_answer():
        """Bridge leg (our signed SIP headers) → the meeting's conversation; anyone else → PIN
        prompt, or a short goodbye when the service is busy or the number locked out."""
        payload = read_payload(request)
        leg = caller(payload)
        meeting_id = text_field(payload, f"SipHeader_{MEETING_HEADER}")
        token = text_field(payload, f"SipHeader_{TOKEN_HEADER}")
        with services.changes.held():  # the card hears once, after all writes
            if meeting_id and token:
                verdict = services.bridge.answer_bridge_leg(meeting_id, token, leg.uuid)
                audit("answer", leg.uuid, f"bridge:{verdict}")
                if verdict == "join":
                    return ncco_response(services.phone_entry.answer_bridge(meeting_id))
                if verdict == "stale":  # a used dial token, or a bridge hung up meanwhile
                    return ncco_response(ncco.say_goodbye(ncco.NOT_EXPECTED))
            audit("answer", leg.uuid, "caller")
            return ncco_response(services.phone_entry.answer_caller(leg))

    @voice.route("/voice-dtmf", methods=["GET", "POST"])
    def voice_dtmf():
        """The caller's keypad input: join on a live PIN, else re-prompt or say goodbye."""
        payload = read_payload(request)
        leg = caller(payload)
        digits, timed_out = dtmf_digits(payload)
        with services.changes.held():  # the card hears once, after all writes
            actions = services.phone_entry.enter_pin(leg, digits, timed_out)
            joined = any(action.get("action") == "conversation" for action in actions)
            audit("dtmf", leg.uuid, "joined" if joined else "refused")
        return ncco_response(actions)

    @voice.route("/voice-events", methods=["GET", "POST"])
    def voice_events():
        """Call status by uuid; duplicates and out-of-order events are harmless. Events with no
        leg `uuid` (record, error, machine detection's `call_uuid`) are acknowledged; events for
        legs never answered change and store nothing."""
        payload = read_payload(request)
        uuid = leg_uuid(payload, required=False)
        status = text_field(payload, "status")
        if uuid is None or status is None:
            return acknowledged()
        with services.changes.held():  # the card hears once, after all writes
            bridge = services.store.bridges.by_leg(uuid)
            known = bridge is not None or services.phone_entry.call_status(uuid, status)
            if known:
                audit("event", uuid, status)
        if bridge is not None and status in TERMINAL_STATUSES:
            services.bridge.leg_ended(bridge, status)  # calls OpenTok: outside the transaction
        return acknowledged()

    return voice
