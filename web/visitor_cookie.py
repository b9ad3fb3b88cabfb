"""The "has joined" cookie of the join page.

The token route sets it; the bridge controls require it. It carries a random visitor id, kept
across token refreshes, that "Call my phone instead" counts calls by and binds its status to.
It is signed with a key derived from VIDEO_API_SECRET (which every worker and host already
shares) under its own purpose label, so it proves nothing else and the secret itself never
signs cookies. HttpOnly (no script reads it), SameSite=Strict (no other site's page can make
the browser send it), scoped to the one meeting's path, Secure whenever the public URL is https.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Request, Response
from itsdangerous import BadSignature, Signer

from meetbridge.settings import Settings

COOKIE_NAME = "meetbridge_visitor"
PURPOSE = b"meetbridge join-page visitor cookie v1"
SEPARATOR = ":"  # between the meeting id and the visitor id (meeting ids are URL-safe base64)
VISITOR_ID_BYTES = 16


def derive_key(video_api_secret: str) -> bytes:
    """A key for this cookie alone, so the shared secret itself never signs anything here."""
    return hmac.new(video_api_secret.encode(), PURPOSE, hashlib.sha256).digest()


def visitor_cookies(settings: Settings) -> VisitorCookies:
    """The cookies of this deployment: signed with a key from VIDEO_API_SECRET, Secure over https."""
    return VisitorCookies(settings.video_api_secret, secure=settings.server_url.startswith("https://"))


class VisitorCookies:
    """Issues and checks the signed "has joined" cookie of one meeting's path."""

    def __init__(self, video_api_secret: str, secure: bool) -> None:
        self._signer = Signer(derive_key(video_api_secret), salt="visitor", digest_method=hashlib.sha256)
        self._secure = secure

    def issue(self, response: Response, meeting_id: str, max_age: int, visitor_id: str | None = None) -> None:
        """Mark the browser as a visitor of this meeting for `max_age` seconds; the visitor
        keeps `visitor_id` (the one their cookie already holds), else gets a new random one."""
        visitor = visitor_id or secrets.token_hex(VISITOR_ID_BYTES)
        response.set_cookie(COOKIE_NAME, self._signer.sign(f"{meeting_id}{SEPARATOR}{visitor}").decode(),
                            max_age=max(1, max_age), path=f"/rooms/{meeting_id}", secure=self._secure,
                            httponly=True, samesite="Strict")

    def holds(self, request: Request, meeting_id: str) -> bool:
        """True when the request carries a valid cookie for exactly this meeting."""
        return self.visitor(request, meeting_id) is not None

    def visitor(self, request: Request, meeting_id: str) -> str | None:
        """The visitor id of a valid cookie for exactly this meeting, or None. (A cookie signed
        before visitors had ids holds just the meeting id: its id is taken from its signature.)"""
        value = request.cookies.get(COOKIE_NAME, "")
        try:
            signed = self._signer.unsign(value).decode()
        except (BadSignature, UnicodeDecodeError):
            return None
        if signed == meeting_id:
            return hashlib.sha256(value.encode()).hexdigest()[:2 * VISITOR_ID_BYTES]
        meeting, _, visitor = signed.rpartition(SEPARATOR)
        return visitor if meeting == meeting_id and visitor else None
