"""The "has joined" cookie of the join page.

The token route sets it; the bridge controls require it. It is signed with a key derived from
VIDEO_API_SECRET (which every worker and host already shares) under its own purpose label, so
it proves nothing else and the secret itself never signs cookies. HttpOnly (no script reads
it), SameSite=Strict (no other site's page can make the browser send it), scoped to the one
meeting's path, Secure whenever the public URL is https.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Request, Response
from itsdangerous import BadSignature, Signer

COOKIE_NAME = "meetbridge_visitor"
PURPOSE = b"meetbridge join-page visitor cookie v1"


def derive_key(video_api_secret: str) -> bytes:
    """A key for this cookie alone, so the shared secret itself never signs anything here."""
    return hmac.new(video_api_secret.encode(), PURPOSE, hashlib.sha256).digest()


class VisitorCookies:
    """Issues and checks the signed "has joined" cookie of one meeting's path."""

    def __init__(self, video_api_secret: str, secure: bool) -> None:
        self._signer = Signer(derive_key(video_api_secret), salt="visitor", digest_method=hashlib.sha256)
        self._secure = secure

    def issue(self, response: Response, meeting_id: str, max_age: int) -> None:
        """Mark the browser as a visitor of this meeting for `max_age` seconds."""
        response.set_cookie(COOKIE_NAME, self._signer.sign(meeting_id).decode(), max_age=max(1, max_age),
                            path=f"/rooms/{meeting_id}", secure=self._secure, httponly=True,
                            samesite="Strict")

    def holds(self, request: Request, meeting_id: str) -> bool:
        """True when the request carries a valid cookie for exactly this meeting."""
        value = request.cookies.get(COOKIE_NAME, "")
        try:
            return self._signer.unsign(value).decode() == meeting_id
        except (BadSignature, UnicodeDecodeError):
            return False
