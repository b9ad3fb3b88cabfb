"""POST /video-events: OpenTok session-monitoring callbacks (SPEC §2.6).

Authenticated by VIDEO_EVENTS_SECRET in the callback URL (?secret=...), or by the callback
JWT when Vonage signing is on (the same checker as the voice webhooks: HS256, `iat` window,
`jti` once, `payload_hash` of the body; the Video guides document no application_id/api_key
claim, so those are not required to match). Every callback that is accepted or ignored is
answered 200: the session-monitoring guide counts anything else as a failed delivery and
switches monitoring off after 50 of them in 30 minutes.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, jsonify, request

from meetbridge.services import Services

from .payload import BadPayload, read_payload, text_field
from .signature import ClaimRules, WebhookVerifier, check_request, refusal

ROUTE = "/video-events"


def create_video_events_blueprint(services: Services) -> Blueprint:
    video_events = Blueprint("video_events", __name__)
    settings = services.settings
    verifier = None
    if settings.vonage_signature_secret:
        verifier = WebhookVerifier(settings.vonage_signature_secret, services.clock, services.store.seen_tokens,
                                   ClaimRules())

    @video_events.errorhandler(BadPayload)
    def bad_payload(error: BadPayload):
        return jsonify(error=str(error)), 400

    def secret_matches() -> bool:
        given = request.args.get("secret", "")
        return hmac.compare_digest(given.encode(), settings.video_events_secret.encode())

    def refusal_reason() -> str | None:
        """None when the callback carries our URL secret or a valid, unused callback JWT."""
        if settings.video_events_secret and secret_matches():
            return None
        if verifier is not None and "Authorization" in request.headers:
            return check_request(verifier, request)
        return "wrong or missing secret"

    @video_events.post(ROUTE)
    def video_event():
        """Count video participants per meeting; last one out hangs up the bridge."""
        if not (settings.video_events_secret or verifier):
            return jsonify(error="session monitoring is not configured"), 404
        reason = refusal_reason()
        if reason:
            return refusal(ROUTE, reason, answer="unauthorized")
        payload = read_payload(request)
        session_id = text_field(payload, "sessionId", required=True) or ""
        event = text_field(payload, "event", required=True) or ""
        connection = payload.get("connection")
        if event.startswith("connection"):
            if not isinstance(connection, dict):
                raise BadPayload("'connection' must be an object")
            connection_id = text_field(connection, "id", required=True) or ""
            services.video_monitor.connection_event(session_id, event, connection_id,
                                                    text_field(connection, "data"))
        return Response(status=200)

    return video_events
