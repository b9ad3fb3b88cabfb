"""A fake OpenTok (Vonage Video) REST API for the real `opentok.Client`.

Use `opentok.Client(api_key, api_secret, api_url=fake.url)`. It checks the
X-OPENTOK-AUTH project JWT on every call and answers like api.opentok.com
(Vonage's Video REST API): JSON list from /session/create with the exact
`application/json` content type, 409 on dialling a relayed session, 204/404 on
force-disconnect.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import time
import uuid
from typing import Any
from urllib.parse import parse_qs

import jwt

from ._server import FakeServer, Incoming, Parsed, Reply, Route, match_route, unused_port

_SESSION = r"/v2/project/(?P<project>[^/]+)/session/(?P<session_id>[^/]+)"
_ROUTES: list[Route] = [
    ("POST", re.compile(r"/session/create"), "create_session"),
    ("POST", re.compile(r"/v2/project/(?P<project>[^/]+)/dial"), "dial"),
    ("DELETE", re.compile(_SESSION + r"/connection/(?P<connection_id>[^/]+)"), "force_disconnect"),
    ("GET", re.compile(_SESSION + r"/stream"), "list_streams"),
    ("POST", re.compile(_SESSION + r"/signal"), "signal"),
]
_REASONS = {
    400: "Bad Request",
    403: "Invalid token",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
}


def _error(status: int, message: str | None = None) -> Reply:
    """OpenTok's JSON error body: {"code": status, "message": ...}."""
    return Reply.json(status, {"code": status, "message": message or _REASONS.get(status, "Error")})


def make_session_id(api_key: str) -> str:
    """A session id shaped like OpenTok's, embedding the key so generate_token accepts it."""
    created = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime())
    raw = f"1~{api_key}~127.0.0.1~{created}~{secrets.randbelow(10**16) / 10**16}~MX4"
    return "1_" + base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


class FakeOpenTok(FakeServer):
    """Fake api.opentok.com. Kinds: create_session, dial, force_disconnect, list_streams, signal."""

    def __init__(self, api_key: str, api_secret: str) -> None:
        super().__init__()
        self.api_key = str(api_key)
        self.api_secret = api_secret
        self._sessions: dict[str, dict[str, Any]] = {}  # session_id -> {"routed", "streams"}
        self._connections: dict[tuple[str, str], str] = {}  # (session, connection) -> stream id
        self._clients: set[tuple[str, str]] = set()  # browsers: (session, connection)

    # -- public API ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL for `opentok.Client(..., api_url=url)`."""
        return f"http://127.0.0.1:{self.port}"

    @staticmethod
    def refused_url() -> str:
        """A URL on a port nothing listens on, for "connection refused" tests."""
        return f"http://127.0.0.1:{unused_port()}"

    def created_sessions(self) -> dict[str, bool]:
        """session_id -> routed (True when created with p2p.preference=disabled)."""
        with self._cond:
            return {sid: state["routed"] for sid, state in self._sessions.items()}

    def live_connections(self) -> set[tuple[str, str]]:
        """(session_id, connection_id) of SIP calls dialled and not yet disconnected."""
        with self._cond:
            return set(self._connections)

    def add_client(self, session_id: str) -> str:
        """A browser connected to the session with a token (as OpenTok.js would): its id."""
        with self._cond:
            connection_id = str(uuid.uuid4())
            self._clients.add((session_id, connection_id))
            return connection_id

    def connected_clients(self) -> set[tuple[str, str]]:
        """(session_id, connection_id) of browsers still connected."""
        with self._cond:
            return set(self._clients)

    def add_session(self, routed: bool = True) -> str:
        """Register a session as if created earlier (e.g. before an app restart)."""
        with self._cond:
            session_id = make_session_id(self.api_key)
            self._sessions[session_id] = {"routed": routed, "streams": []}
            return session_id

    # -- request flow --------------------------------------------------------------------

    def _parse(self, incoming: Incoming) -> Parsed | Reply:
        matched = match_route(_ROUTES, incoming)
        if matched is None:
            return _error(404, "Resource not found")
        kind, path_params = matched
        if kind == "create_session":
            return kind, incoming.form_body()
        if kind in ("dial", "signal"):
            try:
                body = incoming.json_body()
            except ValueError:
                return _error(400, "Invalid JSON body")
            return kind, body if kind == "dial" else {"session_id": matched[1]["session_id"], "payload": body}
        return kind, {key: value for key, value in path_params.items() if key != "project"}

    def _authenticate(self, kind: str, incoming: Incoming) -> Reply | None:
        """X-OPENTOK-AUTH: HS256 JWT from the secret, iss=api_key, ist=project, not expired."""
        try:
            claims = jwt.decode(
                incoming.header("X-OPENTOK-AUTH"),
                self.api_secret,
                algorithms=["HS256"],
                options={"require": ["exp", "iat", "iss", "ist"]},
            )
        except jwt.PyJWTError:
            return _error(403)
        if str(claims["iss"]) != self.api_key or claims["ist"] != "project":
            return _error(403)
        matched = match_route(_ROUTES, incoming)
        if matched and matched[1].get("project", self.api_key) != self.api_key:
            return _error(403, "Project id does not match the credentials")
        return None

    def _handle(self, kind: str, entry: dict[str, Any], incoming: Incoming) -> Reply:
        handlers = {
            "create_session": self._create_session,
            "dial": self._dial,
            "force_disconnect": self._force_disconnect,
            "list_streams": self._list_streams,
            "signal": self._signal,
        }
        return handlers[kind](entry)

    def _error_reply(self, kind: str, status: int) -> Reply:
        return _error(status)

    # -- endpoints -----------------------------------------------------------------------

    def _create_session(self, form: dict[str, str]) -> Reply:
        preference = form.get("p2p.preference", "enabled")
        if preference not in ("enabled", "disabled"):
            return _error(400, "Invalid p2p.preference")
        session_id = make_session_id(self.api_key)
        self._sessions[session_id] = {"routed": preference == "disabled", "streams": []}
        return Reply.json(200, [self._session_info(session_id)])

    def _session_info(self, session_id: str) -> dict[str, Any]:
        return {
            "session_id": session_id,
            "project_id": self.api_key,
            "partner_id": self.api_key,
            "create_dt": time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime()),
            "session_status": None,
            "media_server_hostname": None,
            "media_server_url": "",
            "messaging_server_url": None,
            "messaging_url": None,
            "symphony_address": None,
            "properties": None,
            "ice_server": None,
            "ice_servers": None,
            "session_segment_id": str(uuid.uuid4()),
            "ice_credential_expiration": 86100,
        }

    def _dial(self, body: Any) -> Reply:
        problem = self._dial_problem(body)
        if problem is not None:
            return _error(400, problem)
        session = self._sessions.get(body["sessionId"])
        if session is None:
            return _error(404, "Session not found")
        if not session["routed"]:
            return _error(409, "Session does not use the OpenTok Media Router")
        if not self._token_is_for(body["token"], body["sessionId"]):
            return _error(400, "Invalid token")
        return Reply.json(200, self._connect_sip(body["sessionId"], body["sip"]))

    @staticmethod
    def _dial_problem(body: Any) -> str | None:
        """Why a dial body is malformed, or None."""
        if not isinstance(body, dict) or not isinstance(body.get("sip"), dict):
            return "Invalid request body"
        if not isinstance(body.get("sessionId"), str) or not isinstance(body.get("token"), str):
            return "sessionId and token are required"
        uri = body["sip"].get("uri")
        if not isinstance(uri, str) or not uri.startswith(("sip:", "sips:")):
            return "Invalid sip.uri"
        headers = body["sip"].get("headers") or {}
        if not isinstance(headers, dict) or any(not k.lower().startswith("x-") for k in headers):
            return "Custom headers must start with X-"
        return None

    def _connect_sip(self, session_id: str, sip: dict[str, Any]) -> dict[str, str]:
        call = {"id": str(uuid.uuid4()), "connectionId": str(uuid.uuid4()), "streamId": str(uuid.uuid4())}
        self._connections[(session_id, call["connectionId"])] = call["streamId"]
        stream = {"id": call["streamId"], "videoType": "camera", "name": sip.get("from", "")}
        self._sessions[session_id]["streams"].append({**stream, "layoutClassList": []})
        return call

    def _token_is_for(self, token: str, session_id: str) -> bool:
        """A client token (JWT or legacy T1==) signed with our secret for this session."""
        if token.startswith("T1=="):
            return self._legacy_token_is_for(token, session_id)
        try:
            claims = jwt.decode(token, self.api_secret, algorithms=["HS256"], options={"require": ["exp"]})
        except jwt.PyJWTError:
            return False
        return claims.get("session_id") == session_id and claims.get("scope") == "session.connect"

    def _legacy_token_is_for(self, token: str, session_id: str) -> bool:
        try:
            decoded = base64.b64decode(token[len("T1=="):]).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        meta, _, payload = decoded.partition(":")
        signature = parse_qs(meta).get("sig", [""])[0]
        expected = hmac.new(self.api_secret.encode(), payload.encode(), hashlib.sha1).hexdigest()
        signed = hmac.compare_digest(signature, expected)
        return signed and parse_qs(payload).get("session_id") == [session_id]

    def _signal(self, entry: dict[str, Any]) -> Reply:
        """REST signal to a whole session: `type` ≤ 128 bytes, `data` ≤ 8 kB, 204 when sent."""
        payload = entry["payload"]
        if entry["session_id"] not in self._sessions:
            return _error(404, "Session not found")
        if not isinstance(payload, dict) or not isinstance(payload.get("data", ""), str):
            return _error(400, "Invalid signal")
        if len(str(payload.get("type", "")).encode()) > 128 or len(payload.get("data", "").encode()) > 8192:
            return _error(413)
        return Reply.empty(204)

    def _force_disconnect(self, params: dict[str, str]) -> Reply:
        key = (params["session_id"], params["connection_id"])
        if key in self._clients:
            self._clients.discard(key)
            return Reply.empty(204)
        stream_id = self._connections.pop(key, None)
        if stream_id is None:
            return _error(404, "Connection not found")
        streams = self._sessions[key[0]]["streams"]
        streams[:] = [stream for stream in streams if stream["id"] != stream_id]
        return Reply.empty(204)

    def _list_streams(self, params: dict[str, str]) -> Reply:
        session = self._sessions.get(params["session_id"])
        if session is None:
            return _error(404, "Session not found")
        return Reply.json(200, {"count": len(session["streams"]), "items": session["streams"]})
