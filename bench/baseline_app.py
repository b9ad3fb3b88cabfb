"""The baseline for webhook speed: a bare Flask endpoint answering a fixed NCCO, served by the
same gunicorn config as the real app, so the ratio shows what our work costs."""

from __future__ import annotations

from flask import Flask, jsonify

NCCO = [{"action": "talk", "text": "Welcome to meetbridge. Please enter your meeting PIN."},
        {"action": "input", "type": ["dtmf"], "dtmf": {"maxDigits": 6, "submitOnHash": True, "timeOut": 8},
         "eventUrl": ["http://127.0.0.1/voice-dtmf"]}]


def create_app() -> Flask:
    app = Flask(__name__)

    @app.route("/voice-answer", methods=["GET", "POST"])
    @app.route("/voice-dtmf", methods=["GET", "POST"])
    def answer():
        return jsonify(NCCO)

    @app.get("/healthz")
    def healthz():
        return jsonify(ok=True)

    return app
