"""A fake Slack Web API (plus response_url endpoints) for the real slack_sdk WebClient.

Point the client at it with `WebClient(token="xoxb-...", base_url=fake.api_url)`.
Answers have Slack's shapes and error codes: HTTP 200 with `{"ok": false, "error": ...}`
for API errors, 429 + Retry-After for rate limits, text "ok" on response_url posts.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import time
from collections import Counter, defaultdict
from typing import Any, Callable, Iterable, Optional, Union

from ._server import FakeServer, Incoming, Parsed, Reply

SLACK_JSON = "application/json; charset=utf-8"
# Form-encoded bodies carry these as JSON strings; Slack decodes them.
JSON_FIELDS = ("blocks", "attachments", "users", "view", "metadata")
MAX_BLOCKS = 50
RESPONSE_URL_USES = 5  # a response_url works up to 5 times (notes-slack §6)
_RESPONSE_PREFIX = "response:"
_RESPONSE_URL_ERRORS = {
    400: "invalid_payload",
    403: "action_prohibited",
    404: "expired_url",
    410: "channel_is_archived",
    500: "internal_error",
}


class SlackError(Exception):
    """Raised inside handlers; becomes Slack's `{"ok": false, "error": code}`."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.payload = {"ok": False, "error": code, **extra}


def _required(params: dict[str, Any], name: str, error: str = "invalid_arguments") -> Any:
    value = params.get(name)
    if value in (None, "", [], {}):
        raise SlackError(error, response_metadata={"messages": [f"[ERROR] missing required field: {name}"]})
    return value


def _decode_json_fields(params: dict[str, Any]) -> dict[str, Any]:
    """Slack JSON-decodes blocks/users/... when a form body sends them as strings."""
    decoded = dict(params)
    for name in JSON_FIELDS:
        value = decoded.get(name)
        if isinstance(value, str):
            try:
                decoded[name] = json.loads(value)
            except ValueError:
                pass  # left as a string; the handler answers invalid_*_format
    return decoded


def _check_blocks(blocks: Any) -> None:
    if blocks is None:
        return
    if not isinstance(blocks, list):
        raise SlackError("invalid_blocks_format")
    if len(blocks) > MAX_BLOCKS or not all(isinstance(b, dict) and b.get("type") for b in blocks):
        raise SlackError("invalid_blocks")


def _check_message_content(params: dict[str, Any]) -> None:
    """A message needs text, blocks or attachments, and well-formed blocks."""
    _check_blocks(params.get("blocks"))
    if not (params.get("text") or params.get("blocks") or params.get("attachments")):
        raise SlackError("no_text")


def _participant_key(user: Any) -> tuple[Any, Any]:
    if not isinstance(user, dict):
        raise SlackError("invalid_users")
    return user.get("slack_id"), user.get("external_id")


class FakeSlack(FakeServer):
    """Fake slack.com/api plus response_url endpoints.

    Kinds for recording/faults: the Slack method name ("chat.postMessage"), and
    "response:<key>" for posts to `response_url(key)`.
    """

    TEAM_ID = "T0001"
    TEAM_NAME = "Acme"
    TEAM_URL = "https://acme.slack.com/"
    BOT_USER_ID = "U0BOT"
    BOT_USER_NAME = "meetbridge"
    BOT_ID = "B0001"
    APP_ID = "A0001"
    INSTALLER_USER_ID = "U0INSTALLER"
    DEFAULT_SCOPE = "commands,chat:write,chat:write.public,calls:read,calls:write"

    def __init__(
        self,
        *,
        tokens: Optional[Iterable[str]] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        scope: str = DEFAULT_SCOPE,
    ) -> None:
        """`tokens`: if given, only these (and tokens issued by oauth.v2.access) are valid."""
        super().__init__()
        self._valid_tokens = set(tokens) if tokens is not None else None
        self._client_id = client_id
        self._client_secret = client_secret
        self._scope = scope
        self._ts_counter = 0
        self._messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._calls: dict[str, dict[str, Any]] = {}
        self._tokens_used: dict[str, list[Optional[str]]] = defaultdict(list)
        self._response_uses: Counter[str] = Counter()
        self._methods: dict[str, Callable[[dict[str, Any], Incoming], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "calls.add": self._calls_add,
            "calls.info": self._calls_info,
            "calls.update": self._calls_update,
            "calls.end": self._calls_end,
            "calls.participants.add": self._calls_participants_add,
            "calls.participants.remove": self._calls_participants_remove,
            "oauth.v2.access": self._oauth_v2_access,
            "views.publish": self._views_publish,
        }

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

    def tokens(self, method: str) -> list[Optional[str]]:
        """The token each call of `method` carried (None when there was none)."""
        with self._cond:
            return list(self._tokens_used.get(method, []))

    def fail(self, method: str, error: str = "not_in_channel", times: Optional[int] = 1) -> None:
        """Answer the next `times` calls with HTTP 200 `{"ok": false, "error": error}`."""
        self._plan(method, Reply.json(200, {"ok": False, "error": error}, SLACK_JSON), times)

    def http_status(
        self, method: str, status: int, times: Optional[int] = 1, retry_after: Optional[int] = None
    ) -> None:
        """Answer with an HTTP error; 429 carries Retry-After (default 1 s) like Slack."""
        self._plan(method, self._error_reply(method, status, retry_after), times)

    def reset(self) -> None:
        """Forget recorded requests, tokens, faults and delays; messages and calls stay."""
        with self._cond:
            super().reset()
            self._tokens_used.clear()

    def add_message(self, channel: str, ts: str, text: str = "", blocks: Optional[list[Any]] = None) -> None:
        """Seed a bot message (e.g. one posted via response_url) so chat.update finds it."""
        with self._cond:
            self._messages[(channel, ts)] = self._bot_message({"text": text, "blocks": blocks}, ts)

    def message(self, channel: str, ts: str) -> Optional[dict[str, Any]]:
        """The current state of a message the bot posted or updated."""
        with self._cond:
            found = self._messages.get((channel, ts))
            return copy.deepcopy(found) if found else None

    def call(self, call_id: str) -> Optional[dict[str, Any]]:
        """The current state of a Call registered with calls.add (incl. `has_ended`)."""
        with self._cond:
            state = self._calls.get(call_id)
            return copy.deepcopy(state["call"]) if state else None

    # -- request flow --------------------------------------------------------------------

    def _parse(self, incoming: Incoming) -> Union[Parsed, Reply]:
        path = incoming.path
        if path.startswith("/response/") and incoming.verb == "POST":
            return self._parse_response_post(path[len("/response/"):], incoming)
        if path.startswith("/api/") and len(path) > len("/api/"):
            return self._parse_api_call(path[len("/api/"):], incoming)
        return Reply.text(404, "Not Found", "text/html")

    def _parse_api_call(self, method: str, incoming: Incoming) -> Union[Parsed, Reply]:
        try:
            params = {**incoming.query, **self._body_params(incoming)}
        except SlackError as err:
            return Reply.json(200, err.payload, SLACK_JSON)
        with self._cond:
            self._tokens_used[method].append(self._token_of(incoming))
        return method, _decode_json_fields(params)

    def _body_params(self, incoming: Incoming) -> dict[str, Any]:
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

    def _parse_response_post(self, key: str, incoming: Incoming) -> Union[Parsed, Reply]:
        try:
            body = incoming.json_body()
        except ValueError:
            return Reply.text(400, "invalid_payload", "text/html")
        if not isinstance(body, dict):
            return Reply.text(400, "invalid_payload", "text/html")
        return _RESPONSE_PREFIX + key, body

    def _token_of(self, incoming: Incoming) -> Optional[str]:
        """Bearer header, or a `token` form field (JSON bodies must use the header)."""
        auth = incoming.header("Authorization")
        if auth.startswith("Bearer "):
            return auth[len("Bearer "):].strip() or None
        if incoming.header("Content-Type").startswith("application/x-www-form-urlencoded"):
            return incoming.form_body().get("token") or incoming.query.get("token")
        return incoming.query.get("token")

    def _authenticate(self, kind: str, incoming: Incoming) -> Optional[Reply]:
        if kind.startswith(_RESPONSE_PREFIX) or kind == "oauth.v2.access" or kind not in self._methods:
            return None  # response_url needs no token; oauth uses client credentials
        token = self._token_of(incoming)
        if token is None:
            return Reply.json(200, {"ok": False, "error": "not_authed"}, SLACK_JSON)
        if not token.startswith("xox") or (self._valid_tokens is not None and token not in self._valid_tokens):
            return Reply.json(200, {"ok": False, "error": "invalid_auth"}, SLACK_JSON)
        return None

    def _handle(self, kind: str, entry: dict[str, Any], incoming: Incoming) -> Reply:
        if kind.startswith(_RESPONSE_PREFIX):
            return self._answer_response_post(kind[len(_RESPONSE_PREFIX):], entry)
        handler = self._methods.get(kind)
        if handler is None:
            return Reply.json(404, {"ok": False, "error": "unknown_method", "req_method": kind}, SLACK_JSON)
        try:
            payload = handler(entry, incoming)
        except SlackError as err:
            payload = err.payload
        return Reply.json(200, payload, SLACK_JSON)

    def _error_reply(self, kind: str, status: int, retry_after: Optional[int] = None) -> Reply:
        if kind.startswith(_RESPONSE_PREFIX):
            return Reply.text(status, _RESPONSE_URL_ERRORS.get(status, "error"), "text/html")
        if status == 429:
            headers = {"Retry-After": str(1 if retry_after is None else retry_after)}
            return Reply.json(429, {"ok": False, "error": "ratelimited"}, SLACK_JSON, headers)
        error = "internal_error" if status >= 500 else "invalid_request"
        return Reply.json(status, {"ok": False, "error": error}, SLACK_JSON)

    # -- response_url ----------------------------------------------------------------------

    def _answer_response_post(self, key: str, body: dict[str, Any]) -> Reply:
        """Slack answers a response_url post with text "ok" and no message ts."""
        self._response_uses[key] += 1
        if self._response_uses[key] > RESPONSE_URL_USES:
            return Reply.text(404, "used_url", "text/html")
        if body.get("delete_original"):
            return Reply.text(200, "ok", "text/html")
        try:
            _check_message_content(body)
        except SlackError as err:
            return Reply.text(400, err.payload["error"], "text/html")
        return Reply.text(200, "ok", "text/html")

    # -- auth / oauth ------------------------------------------------------------------------

    def _auth_test(self, params: dict[str, Any], incoming: Incoming) -> dict[str, Any]:
        return {
            "ok": True,
            "url": self.TEAM_URL,
            "team": self.TEAM_NAME,
            "user": self.BOT_USER_NAME,
            "team_id": self.TEAM_ID,
            "user_id": self.BOT_USER_ID,
            "bot_id": self.BOT_ID,
            "is_enterprise_install": False,
        }

    def _oauth_v2_access(self, params: dict[str, Any], incoming: Incoming) -> dict[str, Any]:
        client_id, client_secret = self._client_credentials(params, incoming)
        if not client_id or (self._client_id is not None and client_id != self._client_id):
            raise SlackError("invalid_client_id")
        if not client_secret or (self._client_secret is not None and client_secret != self._client_secret):
            raise SlackError("bad_client_secret")
        if not params.get("code") and params.get("grant_type") != "refresh_token":
            raise SlackError("invalid_code")
        return self._oauth_success()

    def _client_credentials(self, params: dict[str, Any], incoming: Incoming) -> tuple[str, str]:
        """HTTP Basic (what slack_sdk sends) or client_id/client_secret form fields."""
        auth = incoming.header("Authorization")
        if auth.startswith("Basic "):
            try:
                decoded = base64.b64decode(auth[len("Basic "):]).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return "", ""
            client_id, _, client_secret = decoded.partition(":")
            return client_id, client_secret
        return params.get("client_id", ""), params.get("client_secret", "")

    def _oauth_success(self) -> dict[str, Any]:
        self._ts_counter += 1
        token = f"xoxb-1000{self._ts_counter}-2000{self._ts_counter}-fakeBotToken{self._ts_counter:06d}"
        if self._valid_tokens is not None:
            self._valid_tokens.add(token)
        return {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": self._scope,
            "bot_user_id": self.BOT_USER_ID,
            "app_id": self.APP_ID,
            "team": {"id": self.TEAM_ID, "name": self.TEAM_NAME},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": self.INSTALLER_USER_ID},
        }

    # -- chat ----------------------------------------------------------------------------------

    def _next_ts(self) -> str:
        """Monotonic message timestamps: 1700000000.000100, 1700000000.000200, ..."""
        self._ts_counter += 1
        micros = 100 * self._ts_counter
        return f"{1_700_000_000 + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _bot_message(self, params: dict[str, Any], ts: str) -> dict[str, Any]:
        message = {
            "type": "message",
            "text": params.get("text") or "",
            "user": self.BOT_USER_ID,
            "bot_id": self.BOT_ID,
            "app_id": self.APP_ID,
            "team": self.TEAM_ID,
            "ts": ts,
        }
        for name in ("blocks", "attachments", "thread_ts", "metadata"):
            if params.get(name):
                message[name] = params[name]
        return message

    def _chat_post_message(self, params: dict[str, Any], incoming: Incoming) -> dict[str, Any]:
        channel = _required(params, "channel", "channel_not_found")
        _check_message_content(params)
        ts = self._next_ts()
        message = self._bot_message(params, ts)
        self._messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_update(self, params: dict[str, Any], incoming: Incoming) -> dict[str, Any]:
        channel = _required(params, "channel", "channel_not_found")
        ts = _required(params, "ts", "message_not_found")
        if (channel, ts) not in self._messages:
            raise SlackError("message_not_found")
        _check_message_content(params)
        message = self._bot_message(params, ts)
        self._messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "text": message["text"], "message": message}

    def _chat_post_ephemeral(self, params: dict[str, Any], incoming: Incoming) -> dict[str, Any]:
        _required(params, "channel", "channel_not_found")
        _required(params, "user", "user_not_in_channel")
        _check_message_content(params)
        return {"ok": True, "message_ts": self._next_ts()}

    # -- calls ---------------------------------------------------------------------------------

    def _calls_add(self, params: dict[str, Any], incoming: Incoming) -> dict[str, Any]:
        _required(params, "external_unique_id")
        _required(params, "join_url")
        if (self._token_of(incoming) or "").startswith("xoxb-"):
            _required(params, "created_by")  # required with bot tokens
        users = params.get("users") or []
        if not isinstance(users, list):
            raise SlackError("invalid_users")
        call_id = f"R{len(self._calls) + 1:08d}"
        call = {"id": call_id, "date_start": int(params.get("date_start") or time.time())}
        for name in ("external_unique_id", "join_url", "desktop_app_join_url", "external_display_id", "title"):
            if params.get(name):
                call[name] = params[name]
        call["users"] = users
        self._calls[call_id] = {"call": call, "participants": [_participant_key(u) for u in users]}
        return {"ok": True, "call": call}

    def _live_call(self, params: dict[str, Any]) -> dict[str, Any]:
        call_id = _required(params, "id")
        state = self._calls.get(call_id)
        if state is None:
            raise SlackError("invalid_call_id")
        return state

    def _calls_info(self, params: dict[str, Any], incoming: Incoming) -> dict[str, Any]:
        return {"ok": True, "call": self._live_call(params)["call"]}

    def _calls_update(self, params: dict[str, Any], incoming: Incoming) -> dict[str, Any]:
        call = self._live_call(params)["call"]
        for name in ("title", "join_url", "desktop_app_join_url"):
            if params.get(name):
                call[name] = params[name]
        return {"ok": True, "call": call}

    def _calls_end(self, params: dict[str, Any], incoming: Incoming) -> dict[str, Any]:
        call = self._live_call(params)["call"]
        if call.get("has_ended"):
            raise SlackError("inactive_call")
        call["has_ended"] = True
        call["date_end"] = int(time.time())
        if params.get("duration") is not None:
            call["duration"] = int(params["duration"])
        return {"ok": True}

    def _participants(self, params: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
        state = self._live_call(params)
        users = _required(params, "users")
        if not isinstance(users, list):
            raise SlackError("invalid_users")
        return state, users

    def _calls_participants_add(self, params: dict[str, Any], incoming: Incoming) -> dict[str, Any]:
        state, users = self._participants(params)
        for user in users:
            if _participant_key(user) not in state["participants"]:
                state["participants"].append(_participant_key(user))
                state["call"]["users"].append(user)
        return {"ok": True}

    def _calls_participants_remove(self, params: dict[str, Any], incoming: Incoming) -> dict[str, Any]:
        state, users = self._participants(params)
        keys = [_participant_key(user) for user in users]
        if any(key not in state["participants"] for key in keys):
            raise SlackError("bad_users")
        state["participants"] = [key for key in state["participants"] if key not in keys]
        state["call"]["users"] = [u for u in state["call"]["users"] if _participant_key(u) not in keys]
        return {"ok": True}

    # -- views ---------------------------------------------------------------------------------

    def _views_publish(self, params: dict[str, Any], incoming: Incoming) -> dict[str, Any]:
        user_id = _required(params, "user_id")
        view = _required(params, "view")
        if not isinstance(view, dict) or view.get("type") != "home":
            raise SlackError("invalid_arguments")
        self._ts_counter += 1
        published = {
            "id": f"V{self._ts_counter:08d}",
            "team_id": self.TEAM_ID,
            "type": "home",
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "hash": f"{int(time.time())}.{self._ts_counter:08d}",
            "app_id": self.APP_ID,
            "bot_id": self.BOT_ID,
            "user_id": user_id,
        }
        return {"ok": True, "view": published}
