"""Serves a test double of OpenTok.js (opentok_double.js) so the join page runs in a real
browser with no network: the page loads it from OPENTOK_JS_URL like the real CDN build, with
Subresource Integrity (`integrity` is the double's own sha384) and CORS, as Vonage's CDN."""

from __future__ import annotations

import base64
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

SCRIPT = Path(__file__).with_name("opentok_double.js")
SCRIPT_PATH = "/opentok-double.js"


class OpenTokDouble:
    """A tiny HTTP server answering GET /opentok-double.js; counts how often it was fetched."""

    def __init__(self, cors: bool = True) -> None:
        self.fetches = 0
        body = SCRIPT.read_bytes()
        self.integrity = "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                if self.path.split("?", 1)[0] != SCRIPT_PATH:
                    self.send_error(404)
                    return
                double.fetches += 1
                self.send_response(200)
                self.send_header("Content-Type", "text/javascript; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                if cors:
                    self.send_header("Access-Control-Allow-Origin", "*")  # crossorigin="anonymous" needs it
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Quiet: tests look at `fetches` instead."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def script_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}{SCRIPT_PATH}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
