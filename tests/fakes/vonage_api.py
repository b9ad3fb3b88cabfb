"""A fake Vonage Voice API over TLS for the real `vonage.Vonage` client (4.x).

vonage builds `https://{api_host}{path}` and cannot speak plain HTTP, so this fake
serves HTTPS with a throwaway CA from `trustme`. Run the client with
`REQUESTS_CA_BUNDLE=fake.ca_bundle_path` and `HttpClientOptions(api_host=fake.host)`.
Error bodies follow Vonage's RFC 7807 shape (type/title/detail/instance).
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import ssl
import tempfile
import time
import uuid as uuidlib
from typing import Any, Self

import jwt
import trustme
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ._server import FakeServer, Incoming, Parsed, Reply, Route, match_route

_CALL_PATH = re.compile(r"/v1/calls/(?P<uuid>[^/]+)")
_CALLS_PATH = re.compile(r"/v1/calls/?")
_STREAM_PATH = re.compile(r"/v1/calls/(?P<uuid>[^/]+)/stream")
_TALK_PATH = re.compile(r"/v1/calls/(?P<uuid>[^/]+)/talk")
_ROUTES: list[Route] = [("POST", _CALLS_PATH, "create_call"), ("PUT", _CALL_PATH, "update_call"),
                        ("GET", _CALL_PATH, "get_call"),
                        # voice.yml › startStream / stopStream / startTalk: 200 {message, uuid}
                        ("PUT", _STREAM_PATH, "start_stream"), ("DELETE", _STREAM_PATH, "stop_stream"),
                        ("PUT", _TALK_PATH, "start_talk")]
_LEG_MEDIA = {"start_stream": "Stream started", "stop_stream": "Stream stopped", "start_talk": "Talk started"}
# voice.yml (Voice API 1.3.7) › components.schemas.AddressE164: pattern "\d{7,15}" (digits, no '+').
_E164 = re.compile(r"\d{7,15}")
_MACHINE_DETECTION = {"continue", "hangup"}
_ACTIONS = {"hangup", "mute", "unmute", "earmuff", "unearmuff", "transfer"}
_ERRORS = {
    400: ("bad-request", "Bad Request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not Found"),
    429: ("throttled", "Too Many Requests"),
    500: ("internal-error", "Internal Error"),
}
_DETAILS = {
    400: "The request could not be processed",
    401: "You did not provide correct credentials.",
    403: "Your account does not have permission to perform this action",
    404: "The requested resource does not exist",
    429: "Please wait, then retry your request",
    500: "An internal error occurred",
}


def make_rsa_keypair() -> tuple[str, bytes]:
    """(PKCS#8 private key PEM text, public key PEM) — vonage_jwt needs "BEGIN PRIVATE KEY"."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem.decode("ascii"), public_pem


def _error(status: int, detail: str) -> Reply:
    slug, title = _ERRORS.get(status, ("error", "Error"))
    body = {
        "type": f"https://developer.nexmo.com/api-errors#{slug}",
        "title": title,
        "detail": detail,
        "instance": uuidlib.uuid4().hex,
    }
    return Reply.json(status, body)


def _endpoint(address: str) -> dict[str, str]:
    """A CallInfo endpoint: a SIP URI or a phone number."""
    if address.startswith(("sip:", "sips:")):
        return {"type": "sip", "uri": address}
    return {"type": "phone", "number": address}


class FakeVonage(FakeServer):
    """Fake api.nexmo.com Voice calls. Kinds: create_call (POST /v1/calls, the request body
    recorded as sent), hangup, update_call (other actions), get_call, start_stream / stop_stream
    (PUT / DELETE /v1/calls/{uuid}/stream), start_talk (PUT /v1/calls/{uuid}/talk)."""

    use_tls = True

    def __init__(self, application_id: str, public_key_pem: bytes) -> None:
        super().__init__()
        self.application_id = application_id
        self._public_key = public_key_pem
        self._ca = trustme.CA()
        self._cert = self._ca.issue_cert("127.0.0.1", "localhost")
        self._tmpdir: str | None = None
        self._calls: dict[str, dict[str, Any]] = {}

    # -- public API ----------------------------------------------------------------------

    @property
    def host(self) -> str:
        """`HttpClientOptions(api_host=host)`; vonage prefixes https://."""
        return f"127.0.0.1:{self.port}"

    @property
    def ca_bundle_path(self) -> str:
        """PEM file of the fake's CA, for REQUESTS_CA_BUNDLE (valid while started)."""
        if self._tmpdir is None:
            raise RuntimeError("FakeVonage is not started")
        return os.path.join(self._tmpdir, "fake-vonage-ca.pem")

    def start(self) -> Self:
        if self._tmpdir is None:
            self._tmpdir = tempfile.mkdtemp(prefix="fake-vonage-")
            self._ca.cert_pem.write_to_path(os.path.join(self._tmpdir, "fake-vonage-ca.pem"))
        return super().start()

    def stop(self) -> None:
        super().stop()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def add_call(
        self,
        uuid: str | None = None,
        status: str = "answered",
        to: str = "447700900000",
        from_: str = "sip:opentok@sip.example.com",
        direction: str = "inbound",
        conversation_uuid: str | None = None,
    ) -> str:
        """Register a live call leg (as if announced by the answer webhook); returns its uuid."""
        call_uuid = uuid or str(uuidlib.uuid4())
        with self._cond:
            self._calls[call_uuid] = {
                "uuid": call_uuid,
                "conversation_uuid": conversation_uuid or f"CON-{uuidlib.uuid4()}",
                "to": _endpoint(to),
                "from": _endpoint(from_),
                "status": status,
                "direction": direction,
                "start_time": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                "network": "65512",
                "_links": {"self": {"href": f"/v1/calls/{call_uuid}"}},
            }
        return call_uuid

    def call(self, call_uuid: str) -> dict[str, Any] | None:
        """Current CallInfo of a registered leg, e.g. to assert it was hung up."""
        with self._cond:
            found = self._calls.get(call_uuid)
            return copy.deepcopy(found) if found else None

    # -- request flow --------------------------------------------------------------------

    def _ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._cert.configure_cert(context)
        return context

    def _parse(self, incoming: Incoming) -> Parsed | Reply:
        matched = match_route(_ROUTES, incoming)
        if matched is None:
            return _error(404, "The requested resource does not exist")
        kind, path_params = matched
        if kind in ("get_call", "stop_stream"):
            return kind, {"uuid": path_params["uuid"]}
        try:
            body = incoming.json_body()
        except ValueError:
            return _error(400, "The request body did not contain valid JSON")
        if not isinstance(body, dict):
            return _error(400, "The request body must be a JSON object")
        if kind in ("create_call", "start_stream", "start_talk"):
            return kind, {"uuid": path_params["uuid"], **body} if "uuid" in path_params else body
        kind = "hangup" if body.get("action") == "hangup" else "update_call"
        return kind, {"uuid": path_params["uuid"], **body}

    def _authenticate(self, kind: str, incoming: Incoming) -> Reply | None:
        """Bearer JWT, RS256 with the application's key, matching application_id."""
        auth = incoming.header("Authorization")
        if not auth.startswith("Bearer "):
            return _error(401, "You did not provide correct credentials.")
        try:
            claims = jwt.decode(
                auth[len("Bearer "):],
                self._public_key,
                algorithms=["RS256"],
                options={"require": ["exp", "iat", "jti", "application_id"]},
            )
        except jwt.PyJWTError:
            return _error(401, "You did not provide correct credentials.")
        if claims["application_id"] != self.application_id:
            return _error(401, "You did not provide correct credentials.")
        return None

    def _handle(self, kind: str, entry: dict[str, Any], incoming: Incoming) -> Reply:
        if kind == "create_call":
            return self._create_call(entry)
        call = self._calls.get(entry["uuid"])
        if kind == "get_call":
            if call is None:
                return _error(404, f"Call {entry['uuid']} was not found")
            return Reply.json(200, call)
        if kind in _LEG_MEDIA:
            return self._leg_media(kind, call, entry)
        return self._update_call(call, entry)

    @staticmethod
    def _leg_media(kind: str, call: dict[str, Any] | None, body: dict[str, Any]) -> Reply:
        """Audio or speech into a live leg: StartStreamRequest needs `stream_url` (an array),
        StartTalkRequest `text`; a leg Vonage no longer has is a 404."""
        if kind == "start_stream" and not (isinstance(body.get("stream_url"), list) and body["stream_url"]):
            return _error(400, "stream_url must be a non-empty array")
        if kind == "start_talk" and not isinstance(body.get("text"), str):
            return _error(400, "text is required")
        if call is None or call["status"] == "completed":
            return _error(404, "Call does not exist or you do not have permission to modify it")
        return Reply.json(200, {"message": _LEG_MEDIA[kind], "uuid": call["uuid"]})

    def _update_call(self, call: dict[str, Any] | None, body: dict[str, Any]) -> Reply:
        action = body.get("action")
        if action not in _ACTIONS:
            return _error(400, f"Invalid action: {action!r}")
        if action == "transfer" and not isinstance(body.get("destination"), dict):
            return _error(400, "transfer requires a destination")
        if call is None or call["status"] == "completed":
            return _error(404, "Call does not exist or you do not have permission to modify it")
        if action == "hangup":
            self._complete(call)
        return Reply.empty(204)

    def _create_call(self, body: dict[str, Any]) -> Reply:
        """voice.yml › createCall: `to` (required) and `from` phone endpoints, exactly one of
        `ncco` / `answer_url`, `from` or `random_from_number`; 201 with CreateCallResponse
        (uuid, status, direction, conversation_uuid). The call is then known as `started`."""
        problem = _create_call_problem(body)
        if problem:
            return _error(400, problem)
        to = body["to"][0]
        call_uuid = str(uuidlib.uuid4())
        conversation_uuid = f"CON-{uuidlib.uuid4()}"
        self._calls[call_uuid] = {
            "uuid": call_uuid, "conversation_uuid": conversation_uuid,
            "to": {"type": "phone", "number": to["number"]},
            "from": {"type": "phone", "number": body["from"]["number"]} if "from" in body else {"type": "phone"},
            "status": "started", "direction": "outbound",
            "start_time": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "_links": {"self": {"href": f"/v1/calls/{call_uuid}"}},
        }
        return Reply.json(201, {"uuid": call_uuid, "status": "started", "direction": "outbound",
                                "conversation_uuid": conversation_uuid})

    @staticmethod
    def _complete(call: dict[str, Any]) -> None:
        call["status"] = "completed"
        call["end_time"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        call.update({"duration": "0", "rate": "0.00000000", "price": "0.00000000"})

    def _error_reply(self, kind: str, status: int) -> Reply:
        return _error(status, _DETAILS.get(status, "The request failed"))


def _create_call_problem(body: dict[str, Any]) -> str | None:
    """Why Vonage would refuse this createCall body (400), or None."""
    to = body.get("to")
    if not isinstance(to, list) or not to or not all(isinstance(one, dict) for one in to):
        return "to must be a non-empty array of endpoints"
    for endpoint in to:
        if endpoint.get("type") == "phone" and not _E164.fullmatch(str(endpoint.get("number", ""))):
            return "to.number must be an E.164 number without '+'"
    if ("ncco" in body) == ("answer_url" in body):
        return "exactly one of ncco and answer_url is required"
    if "ncco" in body and (not isinstance(body["ncco"], list) or not body["ncco"]):
        return "ncco must be a non-empty array"
    if ("from" in body) == bool(body.get("random_from_number")):
        return "exactly one of from and random_from_number is required"
    sender = body.get("from")
    if sender is not None and (not isinstance(sender, dict) or sender.get("type") != "phone"
                               or not _E164.fullmatch(str(sender.get("number", "")))):
        return "from must be a phone endpoint with an E.164 number without '+'"
    if "machine_detection" in body and body["machine_detection"] not in _MACHINE_DETECTION:
        return "machine_detection must be continue or hangup"
    detection = body.get("advanced_machine_detection")
    if detection is not None and (not isinstance(detection, dict)
                                  or detection.get("behavior") not in _MACHINE_DETECTION):
        return "advanced_machine_detection.behavior must be continue or hangup"
    timer = body.get("ringing_timer")
    if timer is not None and not (isinstance(timer, int) and 1 <= timer <= 120):
        return "ringing_timer must be from 1 to 120"
    urls = body.get("event_url")
    if urls is not None and (not isinstance(urls, list) or not all(isinstance(url, str) for url in urls)):
        return "event_url must be an array of URLs"
    return None
