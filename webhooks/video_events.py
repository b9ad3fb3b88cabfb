"""POST /video-events: OpenTok session-monitoring callbacks.

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

from meetbridge.clock import Clock
from meetbridge.storage.replays import SeenTokens
from meetbridge.video_monitor import VideoMonitor

from .payload import BadPayload, read_payload, text_field
from .signature import ClaimRules, WebhookVerifier, check_request, refusal

ROUTE = "/video-events"


def create_video_events_blueprint(*, monitor: VideoMonitor, seen_tokens: SeenTokens, clock: Clock,
                                  url_secret: str | None, signature_secret: str | None) -> Blueprint:
    """/video-events, accepted with `url_secret` in the query or a callback JWT signed with
    `signature_secret`; 404 when neither is set."""
    video_events = Blueprint("video_events", __name__)
    verifier = None
    if signature_secret:
        verifier = WebhookVerifier(signature_secret, clock, seen_tokens, ClaimRules())

    @video_events.errorhandler(BadPayload)
    def bad_payload(error: BadPayload):
        return jsonify(error=str(error)), 400

    def secret_matches() -> bool:
        given = request.args.get("secret", "")
        return hmac.compare_digest(given.encode(), (url_secret or "").encode())

    def refusal_reason() -> str | None:
        """None when the callback carries our URL secret or a valid, unused callback JWT."""
        if url_secret and secret_matches():
            return None
        if verifier is not None and "Authorization" in request.headers:
            return check_request(verifier, request)
        return "wrong or missing secret"

    @video_events.post(ROUTE)
    def video_event():
        """Count video participants per meeting; last one out hangs up the bridge."""
        if not (url_secret or verifier):
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
            monitor.connection_event(session_id, event, connection_id, text_field(connection, "data"))
        return Response(status=200)

    return video_events
