"""A fake Slack Web API (plus response_url endpoints) for the real slack_sdk WebClient.

Point the client at it with `WebClient(token="xoxb-...", base_url=fake.api_url)`.
Answers have Slack's shapes and error codes: HTTP 200 with `{"ok": false, "error": ...}`
for API errors, 429 + Retry-After for rate limits, text "ok" on response_url posts.
The method logic lives in `_slack_workspace`; this module is the HTTP side.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from ._server import FakeServer, Incoming, Parsed, Reply, _Fault, take_from
from ._slack_workspace import SlackError, SlackWorkspace, check_message_content

SLACK_JSON = "application/json; charset=utf-8"
# Form-encoded bodies carry these as JSON strings; Slack decodes them.
JSON_FIELDS = ("blocks", "attachments", "users", "view", "metadata")
RESPONSE_URL_USES = 5  # Slack lets a response_url be used up to 5 times
_RESPONSE_PREFIX = "response:"
_RESPONSE_URL_ERRORS = {
    400: "invalid_payload",
    403: "action_prohibited",
    404: "expired_url",
    410: "channel_is_archived",
    500: "internal_error",
}


def _decode_json_fields(params: dict[str, Any]) -> dict[str, Any]:
    """Slack JSON-decodes blocks/users/... when a form body sends them as strings."""
    decoded = dict(params)
    for name in JSON_FIELDS:
        value = decoded.get(name)
        if isinstance(value, str):
            try:
                decoded[name] = json.loads(value)
            except ValueError:
                pass  # left as a string; the method answers invalid_*_format
    return decoded


def _slack_reply(payload: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply.json(status, payload, SLACK_JSON, headers)


def _basic_credentials(incoming: Incoming) -> dict[str, str]:
    """client_id/client_secret from HTTP Basic auth (what slack_sdk sends to oauth.v2.access)."""
    auth = incoming.header("Authorization")
    if not auth.startswith("Basic "):
        return {}
    try:
        decoded = base64.b64decode(auth[len("Basic "):]).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return {}
    client_id, _, client_secret = decoded.partition(":")
    return {"client_id": client_id, "client_secret": client_secret}


class FakeSlack(FakeServer):
    """Fake slack.com/api plus response_url endpoints.

    Kinds for recording/faults: the Slack method name ("chat.postMessage"), and
    "response:<key>" for posts to `response_url(key)`.
    """

    json_content_type = SLACK_JSON
    TEAM_ID = SlackWorkspace.TEAM_ID
    TEAM_NAME = SlackWorkspace.TEAM_NAME
    TEAM_URL = SlackWorkspace.TEAM_URL
    BOT_USER_ID = SlackWorkspace.BOT_USER_ID
    BOT_ID = SlackWorkspace.BOT_ID
    APP_ID = SlackWorkspace.APP_ID
    INSTALLER_USER_ID = SlackWorkspace.INSTALLER_USER_ID

    def __init__(
        self,
        *,
        tokens: Iterable[str] | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        scope: str = SlackWorkspace.DEFAULT_SCOPE,
    ) -> None:
        """`tokens`: if given, only these (and tokens issued by oauth.v2.access) are valid.
        `client_id`/`client_secret`: if given, oauth.v2.access checks them."""
        super().__init__()
        self.workspace = SlackWorkspace(client_id, client_secret, scope)
        self._valid_tokens = set(tokens) if tokens is not None else None
        self._tokens_used: dict[str, list[str | None]] = defaultdict(list)
        self._response_uses: Counter[str] = Counter()
        self._token_faults: dict[tuple[str, str], list[_Fault]] = defaultdict(list)
        self._caller = threading.local()  # the token of the request this handler thread serves

    # -- public API ----------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """Base URL for `WebClient(base_url=...)`."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str) -> str:
        """A response_url to put in slash-command / block_actions payloads."""
        return f"http://127.0.0.1:{self.port}/response/{key}"

    def responses(self, key: str) -> list[dict[str, Any]]:
        """JSON bodies posted to `response_url(key)`."""
        return self.requests(_RESPONSE_PREFIX + key)

    def wait_for_response(self, key: str, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Block until `count` posts reached `response_url(key)`."""
        return self.wait_for(_RESPONSE_PREFIX + key, count, timeout)

    def tokens(self, method: str) -> list[str | None]:
        """The token each call of `method` carried (None when there was none)."""
        with self._cond:
            return list(self._tokens_used.get(method, []))

    def fail(self, method: str, error: str = "not_in_channel", times: int | None = 1) -> None:
        """Answer the next `times` calls with HTTP 200 `{"ok": false, "error": error}`."""
        self._plan(method, _slack_reply({"ok": False, "error": error}), times)

    def http_status(
        self, method: str, status: int, times: int | None = 1, retry_after: int | None = None,
        token: str | None = None,
    ) -> None:
        """Answer with an HTTP error; 429 carries Retry-After (default 1 s) like Slack.
        With `token`, only calls made with that token (one workspace's bot) get it: Slack
        counts rate limits per workspace."""
        reply = self._error_reply(method, status, retry_after)
        if token is None:
            self._plan(method, reply, times)
            return
        with self._cond:
            self._token_faults[(method, token)].append(_Fault(reply, times))

    def reset(self) -> None:
        """Forget recorded requests, tokens, faults and delays; messages and calls stay."""
        with self._cond:
            super().reset()
            self._tokens_used.clear()
            self._token_faults.clear()

    def add_message(self, channel: str, ts: str, text: str = "", blocks: list[Any] | None = None) -> None:
        """Seed a bot message (e.g. one posted via response_url) so chat.update finds it."""
        with self._cond:
            message = self.workspace.bot_message({"text": text, "blocks": blocks}, ts)
            self.workspace.messages[(channel, ts)] = message

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The current state of a message the bot posted or updated."""
        with self._cond:
            return copy.deepcopy(self.workspace.messages.get((channel, ts)))

    def call(self, call_id: str) -> dict[str, Any] | None:
        """The current state of a Call registered with calls.add (incl. `has_ended`)."""
        with self._cond:
            state = self.workspace.calls.get(call_id)
            return copy.deepcopy(state["call"]) if state else None

    # -- request flow --------------------------------------------------------------------

    def _parse(self, incoming: Incoming) -> Parsed | Reply:
        self._caller.token = None
        path = incoming.path
        if path.startswith("/response/") and incoming.verb == "POST":
            return self._parse_response_post(path[len("/response/"):], incoming)
        if path.startswith("/api/") and len(path) > len("/api/"):
            return self._parse_api_call(path[len("/api/"):], incoming)
        return Reply.text(404, "Not Found", "text/html")

    def _parse_api_call(self, method: str, incoming: Incoming) -> Parsed | Reply:
        try:
            params = {**incoming.query, **self._body_params(incoming)}
        except SlackError as err:
            return _slack_reply(err.payload)
        token = self._token_of(incoming)
        self._caller.token = token
        with self._cond:
            self._tokens_used[method].append(token)
        return method, _decode_json_fields(params)

    def _take_fault(self, kind: str) -> _Fault | None:
        """A fault planned for this caller's token first, then one for every caller."""
        token = getattr(self._caller, "token", None)
        with self._cond:
            fault = take_from(self._token_faults.get((kind, token))) if token else None
        return fault or super()._take_fault(kind)

    @staticmethod
    def _body_params(incoming: Incoming) -> dict[str, Any]:
        content_type = incoming.header("Content-Type").split(";")[0].strip().lower()
        if not incoming.body:
            return {}
        if content_type == "application/json":
            try:
                body = incoming.json_body()
            except ValueError:
                raise SlackError("invalid_json") from None
            if not isinstance(body, dict):
                raise SlackError("json_not_object")
            return body
        if content_type == "application/x-www-form-urlencoded":
            return incoming.form_body()
        raise SlackError("invalid_form_data")

    @staticmethod
    def _parse_response_post(key: str, incoming: Incoming) -> Parsed | Reply:
        try:
            body = incoming.json_body()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return Reply.text(400, "invalid_payload", "text/html")
        return _RESPONSE_PREFIX + key, body

    @staticmethod
    def _token_of(incoming: Incoming) -> str | None:
        """Bearer header, or a `token` form field (JSON bodies must use the header)."""
        auth = incoming.header("Authorization")
        if auth.startswith("Bearer "):
            return auth[len("Bearer "):].strip() or None
        if incoming.header("Content-Type").startswith("application/x-www-form-urlencoded"):
            return incoming.form_body().get("token") or incoming.query.get("token")
        return incoming.query.get("token")

    def _authenticate(self, kind: str, incoming: Incoming) -> Reply | None:
        if kind.startswith(_RESPONSE_PREFIX) or kind == "oauth.v2.access" or kind not in self.workspace.methods:
            return None  # response_url needs no token; oauth uses client credentials
        token = self._token_of(incoming)
        if token is None:
            return _slack_reply({"ok": False, "error": "not_authed"})
        if not token.startswith("xox") or not self._is_valid(token):
            return _slack_reply({"ok": False, "error": "invalid_auth"})
        return None

    def _is_valid(self, token: str) -> bool:
        return self._valid_tokens is None or token in self._valid_tokens or token in self.workspace.issued_tokens

    def _handle(self, kind: str, entry: dict[str, Any], incoming: Incoming) -> Reply:
        if kind.startswith(_RESPONSE_PREFIX):
            return self._answer_response_post(kind[len(_RESPONSE_PREFIX):], entry)
        method = self.workspace.methods.get(kind)
        if method is None:
            return _slack_reply({"ok": False, "error": "unknown_method", "req_method": kind}, status=404)
        if kind == "oauth.v2.access":
            entry = {**entry, **_basic_credentials(incoming)}
        try:
            return _slack_reply(method(entry, self._token_of(incoming)))
        except SlackError as err:
            return _slack_reply(err.payload)

    def _error_reply(self, kind: str, status: int, retry_after: int | None = None) -> Reply:
        if kind.startswith(_RESPONSE_PREFIX):
            return Reply.text(status, _RESPONSE_URL_ERRORS.get(status, "error"), "text/html")
        if status == 429:
            headers = {"Retry-After": str(1 if retry_after is None else retry_after)}
            return _slack_reply({"ok": False, "error": "ratelimited"}, 429, headers)
        error = "internal_error" if status >= 500 else "invalid_request"
        return _slack_reply({"ok": False, "error": error}, status)

    def _answer_response_post(self, key: str, body: dict[str, Any]) -> Reply:
        """Slack answers a response_url post with text "ok" and no message ts."""
        self._response_uses[key] += 1
        if self._response_uses[key] > RESPONSE_URL_USES:
            return Reply.text(404, "used_url", "text/html")
        if not body.get("delete_original"):
            try:
                check_message_content(body)
            except SlackError as err:
                return Reply.text(400, err.payload["error"], "text/html")
        return Reply.text(200, "ok", "text/html")
