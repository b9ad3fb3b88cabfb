"""Vonage Video (OpenTok) gateway: the few calls meetbridge makes, with failures turned
into plain reasons a Slack user can read."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import opentok
import requests
from opentok import MediaModes, Roles
from opentok.exceptions import AuthError, ForceDisconnectError, OpenTokException, RequestError, SipDialError

from .errors import UpstreamError

T = TypeVar("T")
SERVICE = "video"
REQUEST_TIMEOUT_SECONDS = 10
MAX_CONNECTION_DATA = 1000
TOKEN_LIFETIME_SECONDS = 15 * 60  # short, so an ejected guest's token soon dies
# The bridge's connection data. A visitor's is always exactly {"name": ...} (visitor_data), so
# no display name can make a visitor look like the bridge (a visitor named "sip=true" once did).
PHONE_BRIDGE_MARKER = {"meetbridge": "phone-bridge"}
SIP_CONNECTION_DATA = json.dumps(PHONE_BRIDGE_MARKER)
ENDED_SIGNAL = {"type": "meetbridge-ended", "data": "ended"}


def visitor_data(name: str) -> str:
    """A visitor's connection data: structured JSON, never free text."""
    return json.dumps({"name": name}, ensure_ascii=False)


def is_phone_bridge(data: str | None) -> bool:
    """True only for the bridge's own marker (JSON exactly equal to PHONE_BRIDGE_MARKER)."""
    try:
        return json.loads(data or "") == PHONE_BRIDGE_MARKER
    except ValueError:
        return False


def short_token_expiry(now: float, meeting_ends_at: float) -> float:
    """At most TOKEN_LIFETIME_SECONDS, and never past the meeting's end."""
    return min(now + TOKEN_LIFETIME_SECONDS, meeting_ends_at)


@dataclass(frozen=True)
class SipConnection:
    """The bridge's SIP participant in the video session, as OpenTok's dial answered."""

    connection_id: str
    stream_id: str


@dataclass(frozen=True)
class SipDial:
    """What to dial and how: the SIP URI, digest credentials and our own X- headers."""

    uri: str
    username: str
    password: str
    headers: dict[str, str]


class VideoGateway:
    """Wraps opentok.Client; one instance per process, thread-safe (no shared session)."""

    def __init__(self, api_key: str, api_secret: str, api_url: str,
                 timeout: float = REQUEST_TIMEOUT_SECONDS) -> None:
        self.api_key = api_key
        self.client = opentok.Client(api_key, api_secret, api_url=api_url, timeout=timeout)

    def create_routed_session(self) -> str:
        """A Media Router session: SIP dial-out is refused (409) on relayed ones."""
        session = _call(lambda: self.client.create_session(media_mode=MediaModes.routed))
        return session.session_id

    def mint_token(self, session_id: str, expires_at: float, data: str) -> str:
        """A publisher token, offline (no HTTP): signed with the project secret. Connection data
        is structured JSON, so it is refused rather than cut when too long."""
        if len(data) > MAX_CONNECTION_DATA:
            raise ValueError("connection data over 1000 characters")
        return _call(lambda: self.client.generate_token(session_id, role=Roles.publisher,
                                                        expire_time=int(expires_at), data=data))

    def signal(self, session_id: str, payload: dict[str, Any]) -> None:
        """A signal to every client connected to the session (REST `POST …/signal`)."""
        _call(lambda: self.client.send_signal(session_id, payload))

    def dial(self, session_id: str, token: str, sip: SipDial) -> SipConnection:
        """Have the video session dial out over SIP (the phone bridge), audio only."""
        options = {"auth": {"username": sip.username, "password": sip.password},
                   "headers": sip.headers, "secure": False, "video": False}
        call = _call(lambda: self.client.dial(session_id, token, sip.uri, options))
        return SipConnection(call.connectionId, call.streamId)

    def force_disconnect(self, session_id: str, connection_id: str) -> bool:
        """Drop a connection; False when it was already gone (404), which is fine."""
        try:
            _call(lambda: self.client.force_disconnect(session_id, connection_id))
        except UpstreamError as error:
            if error.code == _GONE:
                return False
            raise
        return True


_GONE = "video.gone"


def _call(action: Callable[[], T]) -> T:
    try:
        return action()
    except (OpenTokException, requests.RequestException) as error:
        raise _plain(error) from error


def _plain(error: BaseException) -> UpstreamError:
    cause = _requests_cause(error)
    if isinstance(cause, requests.Timeout):
        return UpstreamError(SERVICE, "video.timeout", transient=True)
    if isinstance(cause, requests.ConnectionError):
        return UpstreamError(SERVICE, "video.unreachable", transient=True)
    if isinstance(error, AuthError) or "invalid credentials" in str(error).lower():
        return UpstreamError(SERVICE, "video.credentials")
    if isinstance(error, ForceDisconnectError) and "not connected" in str(error):
        return UpstreamError(SERVICE, _GONE)
    if isinstance(error, SipDialError):
        return UpstreamError(SERVICE, _dial_reason(str(error)))
    if isinstance(error, RequestError):
        return UpstreamError(SERVICE, "video.internal", transient=True)
    return UpstreamError(SERVICE, "video.unexpected")


def _dial_reason(message: str) -> str:
    if "Media Router" in message:
        return "video.not_routed"
    if "does not exist" in message:
        return "video.unknown_session"
    return "video.dial_rejected"


def _requests_cause(error: BaseException) -> BaseException | None:
    """The SDK re-wraps network errors in its own; find the original one."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, requests.RequestException):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
