"""POST /video-events: OpenTok session-monitoring callbacks (SPEC §2.6).

Authenticated by VIDEO_EVENTS_SECRET in the callback URL (?secret=...), or by the callback
JWT when Vonage signing is on. Unknown sessions are acknowledged and ignored.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, jsonify, request

from meetbridge.services import Services

from .payload import BadPayload, read_payload, text_field
from .signature import signature_problem


def create_video_events_blueprint(services: Services) -> Blueprint:
    video_events = Blueprint("video_events", __name__)
    settings = services.settings

    @video_events.errorhandler(BadPayload)
    def bad_payload(error: BadPayload):
        return jsonify(error=str(error)), 400

    def authorised() -> bool:
        if settings.video_events_secret:
            given = request.args.get("secret", "")
            return hmac.compare_digest(given.encode(), settings.video_events_secret.encode())
        if settings.vonage_signature_secret:
            return signature_problem(request.headers.get("Authorization"), request.get_data(cache=True),
                                     settings.vonage_signature_secret) is None
        return False

    @video_events.post("/video-events")
    def video_event():
        """Count video participants per meeting; last one out hangs up the bridge."""
        if not (settings.video_events_secret or settings.vonage_signature_secret):
            return jsonify(error="session monitoring is not configured"), 404
        if not authorised():
            return jsonify(error="unauthorized"), 401
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
        return Response(status=204)

    return video_events
