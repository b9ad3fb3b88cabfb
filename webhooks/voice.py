"""Vonage Voice webhooks: answer, DTMF input and call events.

Handlers only parse, check the signature, hand over to the voice front door (VoiceCalls) and
translate its outcome; everything behind it is a few database statements, so Vonage gets its
NCCO in milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from meetbridge.bridge import MEETING_HEADER, TOKEN_HEADER
from meetbridge.clock import Clock
from meetbridge.errors import TokenReplayed
from meetbridge.outcomes import LegKind
from meetbridge.phone_entry import CallerLeg, lockout_key
from meetbridge.records import WebhookToken
from meetbridge.storage.replays import SeenTokens
from meetbridge.voice_calls import VoiceCalls

from .call_ids import MACHINE_DETECTION, detected_leg_uuid, leg_uuid
from .caller_name import install_name_route
from .keypad import Keypad, install_keypad_route
from .payload import BadPayload, dtmf_digits, read_payload, text_field
from .signature import check_request, refusal, verify_request, voice_verifier

Audit = Callable[[str, str | None, str], None]  # (route, leg uuid, what was done)
Handler = Callable[[WebhookToken | None], ResponseReturnValue]
# Their token is recorded by the domain call's first write, in its transaction (one round trip fewer).
TOKEN_WITH_FIRST_WRITE = frozenset({"voice.voice_answer", "voice.voice_dtmf"})
REPLAYED = "token already used"


def ncco_response(actions: list[dict]) -> Response:
    """The NCCO as Vonage reads it: a JSON array of actions."""
    return jsonify(actions)


def acknowledged() -> Response:
    """200 with no body: Vonage takes any 2xx and the events API names 200."""
    return Response(status=200)


def caller(payload: dict) -> CallerLeg:
    """The leg a webhook is about; a missing or malformed uuid is a 400."""
    return CallerLeg(uuid=leg_uuid(payload, required=True) or "", number=lockout_key(payload.get("from")),
                     dialled=text_field(payload, "to"))


def create_voice_blueprint(*, calls: VoiceCalls, audit: Audit, seen_tokens: SeenTokens, clock: Clock,
                           signature_secret: str | None, application_id: str, api_key: str,
                           keypad: Keypad | None = None) -> Blueprint:
    """/voice-answer, /voice-dtmf, /voice-events and (with `keypad`) /voice-keypad, signed with
    `signature_secret` when set."""
    voice = Blueprint("voice", __name__)
    verifier = voice_verifier(signature_secret, clock, seen_tokens, application_id, api_key)

    @voice.errorhandler(BadPayload)
    def bad_payload(error: BadPayload):
        return jsonify(error=str(error)), 400

    @voice.before_request
    def check_signature():
        """With VONAGE_SIGNATURE_SECRET set, act on nothing that Vonage did not sign (and
        nothing twice): refused before any handler runs, so no row at all is written. The
        hottest routes are checked by `signed_once` instead, just as early."""
        if verifier is None or request.endpoint in TOKEN_WITH_FIRST_WRITE:
            return None
        problem = check_request(verifier, request)
        return refusal(request.path, problem) if problem else None

    def signed_once(handler: Handler) -> Callable[[], ResponseReturnValue]:
        """A route checked before its handler runs like every other, but for the token's first
        use: its domain call records the token with its first write, and a replay is refused
        (401, nothing written) when that write finds it used. A malformed payload uses the
        token up before its 400, as on every other route."""
        @wraps(handler)
        def route() -> ResponseReturnValue:
            token = None
            if verifier is not None:
                verdict = verify_request(verifier, request)
                if isinstance(verdict, str):
                    return refusal(request.path, verdict)
                token = verdict
            try:
                return handler(token)
            except BadPayload:
                if token is not None and not seen_tokens.first_use(token.jti, token.seen_at):
                    return refusal(request.path, REPLAYED)
                raise
            except TokenReplayed:
                return refusal(request.path, REPLAYED)
        return route

    @voice.route("/voice-answer", methods=["GET", "POST"])
    @signed_once
    def voice_answer(token: WebhookToken | None):
        """Bridge leg (our signed SIP headers) → the meeting's conversation; anyone else → PIN
        prompt, or a short goodbye when the service is busy or the number locked out."""
        payload = read_payload(request)
        leg = caller(payload)
        answered = calls.answer(leg, text_field(payload, f"SipHeader_{MEETING_HEADER}"),
                                text_field(payload, f"SipHeader_{TOKEN_HEADER}"), token)
        if answered.bridge_verdict is not None:
            audit("answer", leg.uuid, f"bridge:{answered.bridge_verdict}")
        if answered.leg is LegKind.CALLER:
            audit("answer", leg.uuid, "caller")
        return ncco_response(answered.ncco)

    @voice.route("/voice-dtmf", methods=["GET", "POST"])
    @signed_once
    def voice_dtmf(token: WebhookToken | None):
        """The caller's keypad input: join on a live PIN, else re-prompt or say goodbye."""
        payload = read_payload(request)
        leg = caller(payload)
        digits, timed_out = dtmf_digits(payload)
        entered = calls.enter_pin(leg, digits, timed_out, token)
        audit("dtmf", leg.uuid, "joined" if entered.joined else "refused")
        return ncco_response(entered.ncco)

    @voice.route("/voice-events", methods=["GET", "POST"])
    def voice_events():
        """Call status by uuid; duplicates and out-of-order events are harmless. Events with no
        leg `uuid` (record, error) are acknowledged; machine detection's `human` / `machine`
        name their leg `call_uuid` instead; events for legs never answered change and store nothing."""
        payload = read_payload(request)
        uuid = leg_uuid(payload, required=False)
        status = text_field(payload, "status")
        if uuid is None and status in MACHINE_DETECTION:
            uuid = detected_leg_uuid(payload)  # machine detection names the leg `call_uuid`
        if uuid is None or status is None:
            return acknowledged()
        dial = request.args.get("dial")  # a call the meeting placed: its reservation (hex)
        if dial is not None and not (len(dial) == 32 and all(ch in "0123456789abcdef" for ch in dial)):
            dial = None
        if calls.call_event(uuid, status, dial).known:
            audit("event", uuid, status)
        return acknowledged()

    if keypad is not None:
        install_keypad_route(voice, keypad, audit)
    install_name_route(voice, calls, audit)
    return voice
