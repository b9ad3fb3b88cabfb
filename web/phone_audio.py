"""GET /phone/hold-music.mp3 and /phone/tone.mp3: the sounds a phone caller hears (Vonage
fetches them): the music while nobody can hear them yet, the tone before they say their name.

Stable public URLs with no cookie and a long cache lifetime: Vonage's NCCO reference asks for a
`Cache-Control` header on audio played into many calls, so it is not fetched for every call.
The files are made by scripts/make_hold_music.py and never change at run time.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response

from meetbridge.caller_names import TONE_PATH
from meetbridge.phone_waiting import HOLD_MUSIC_PATH

AUDIO_DIR = Path(__file__).resolve().parent / "static" / "phone"
SOUNDS = {HOLD_MUSIC_PATH: "hold-music.mp3", TONE_PATH: "tone.mp3"}
CACHE_SECONDS = 7 * 24 * 3600


def create_phone_audio_blueprint(audio_dir: Path = AUDIO_DIR) -> Blueprint:
    """The two sound routes; the files are read once, at start-up."""
    blueprint = Blueprint("phone_audio", __name__)
    bodies = {path: (audio_dir / name).read_bytes() for path, name in SOUNDS.items()}

    def serve(path: str) -> Response:
        """The mp3, cacheable by anyone for a week; no cookie, no session."""
        response = Response(bodies[path], mimetype="audio/mpeg")
        response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}, immutable"
        return response

    for path in SOUNDS:
        blueprint.add_url_rule(path, endpoint=path.rsplit("/", 1)[-1].replace(".", "_").replace("-", "_"),
                               view_func=lambda path=path: serve(path), methods=["GET", "HEAD"])
    return blueprint
