"""Browser security headers on every response the app sends.

Every response: nosniff and no-referrer (a join link in a Referer would be a credential
leak). HTML adds a Content-Security-Policy and X-Frame-Options: scripts only from this server
and the pinned OpenTok.js origin, no inline script, no framing (the join page shows the PIN).
`/rooms/*` is never cached (PINs, tokens, the visitor cookie).

What OpenTok.js needs, read from its 2.35.2 build: API and logging calls over https and its
messaging over wss to hosts under opentok.com / tokbox.com / vonage.com (config.opentok.com,
anvil.opentok.com, hlg.tokbox.com, the session's messaging servers); its CSS and images from
the CDN it was loaded from; blob:/data: workers and media elements for camera and audio
processing; inline styles it sets on the video widgets. WebRTC media itself is not governed
by CSP.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

OPENTOK_CONNECT = ("https://*.opentok.com", "wss://*.opentok.com", "https://*.tokbox.com",
                   "wss://*.tokbox.com", "https://*.vonage.com", "wss://*.vonage.com")


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, as a CSP source names it."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(opentok_js_url: str) -> str:
    """The join page's CSP: our own scripts and the pinned OpenTok.js origin, nothing else."""
    client = origin_of(opentok_js_url)
    directives = {
        "default-src": ["'none'"],
        "script-src": ["'self'", client],
        "style-src": ["'self'", "'unsafe-inline'", client],
        "img-src": ["'self'", "data:", "blob:", client],
        "font-src": ["'self'", "data:", client],
        "media-src": ["'self'", "blob:", "mediastream:", client],
        "connect-src": ["'self'", client, *OPENTOK_CONNECT],
        "worker-src": ["'self'", "blob:", "data:"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(dict.fromkeys(values))}" for name, values in directives.items())


def install_security_headers(app: Flask, opentok_js_url: str) -> None:
    """Register the after-request hook; the policy is built once from the pinned client URL."""
    policy = content_security_policy(opentok_js_url)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if response.mimetype == "text/html":
            response.headers["Content-Security-Policy"] = policy
            response.headers["X-Frame-Options"] = "DENY"
        if request.path.startswith("/rooms/"):
            response.headers["Cache-Control"] = "no-store"
        return response
