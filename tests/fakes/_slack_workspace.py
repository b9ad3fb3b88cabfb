"""The state and method logic behind FakeSlack, free of HTTP: messages, Calls, OAuth, views.

Each method handler takes the decoded params and the caller's token and returns
Slack's success payload, or raises SlackError for Slack's `{"ok": false, ...}`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

MAX_BLOCKS = 50
Payload = dict[str, Any]


class SlackError(Exception):
    """Becomes Slack's `{"ok": false, "error": code}` (HTTP 200)."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.payload = {"ok": False, "error": code, **extra}


def required(params: Payload, name: str, error: str = "invalid_arguments") -> Any:
    """The param's value, or Slack's error for a missing required argument."""
    value = params.get(name)
    if value in (None, "", [], {}):
        raise SlackError(error, response_metadata={"messages": [f"[ERROR] missing required field: {name}"]})
    return value


def check_message_content(params: Payload) -> None:
    """A message needs text, blocks or attachments, and well-formed blocks (≤ 50)."""
    blocks = params.get("blocks")
    if blocks is not None and not isinstance(blocks, list):
        raise SlackError("invalid_blocks_format")
    if blocks and (len(blocks) > MAX_BLOCKS or not all(isinstance(b, dict) and b.get("type") for b in blocks)):
        raise SlackError("invalid_blocks")
    if not (params.get("text") or blocks or params.get("attachments")):
        raise SlackError("no_text")


def _participant_key(user: Any) -> tuple[Any, Any]:
    """A Calls user object is `{"slack_id"}` or `{"external_id", "display_name"}`
    (docs.slack.dev calls.participants.add/remove, @slack/types calls.d.ts: `display_name`
    is not optional beside `external_id`); the same object for add and for remove."""
    if not isinstance(user, dict):
        raise SlackError("invalid_users")
    slack_id, external_id = user.get("slack_id"), user.get("external_id")
    if not slack_id and not (external_id and user.get("display_name")):
        raise SlackError("invalid_users")
    return slack_id, external_id


def _user_list(params: Payload) -> list[Any]:
    users = required(params, "users")
    if not isinstance(users, list):
        raise SlackError("invalid_users")
    return users


class SlackWorkspace:
    """One workspace with our bot installed. Not thread-safe: FakeSlack holds its lock."""

    TEAM_ID = "T0001"
    TEAM_NAME = "Acme"
    TEAM_URL = "https://acme.slack.com/"
    BOT_USER_ID = "U0BOT"
    BOT_USER_NAME = "meetbridge"
    BOT_ID = "B0001"
    APP_ID = "A0001"
    INSTALLER_USER_ID = "U0INSTALLER"
    DEFAULT_SCOPE = "commands,chat:write,chat:write.public,calls:read,calls:write,users:read"

    def __init__(self, client_id: str | None, client_secret: str | None, scope: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.scope = scope
        self.issued_tokens: list[str] = []
        self.messages: dict[tuple[str, str], Payload] = {}
        self.calls: dict[str, Payload] = {}  # call id -> {"call": ..., "participants": [...]}
        self._counter = 0
        self.methods: dict[str, Callable[[Payload, str | None], Payload]] = {
            "auth.test": self.auth_test,
            "oauth.v2.access": self.oauth_v2_access,
            "chat.postMessage": self.chat_post_message,
            "chat.update": self.chat_update,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "calls.add": self.calls_add,
            "calls.info": self.calls_info,
            "calls.update": self.calls_update,
            "calls.end": self.calls_end,
            "calls.participants.add": self.calls_participants_add,
            "calls.participants.remove": self.calls_participants_remove,
            "views.publish": self.views_publish,
            "views.open": self.views_open,
            "views.update": self.views_update,
            "users.info": self.users_info,
        }
        # Members users.info knows: id → (real name, display name, time zone, locale).
        self.members: dict[str, tuple[str, str, str, str]] = {"U0ADA": ("Ada Lovelace", "Ada", "America/New_York",
                                                                       "en-US")}
        self.used_triggers: set[str] = set()
        self.modals: dict[str, Payload] = {}  # views.open results by view id, for views.update

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def next_ts(self) -> str:
        """Monotonic message timestamps: 1700000000.000100, 1700000000.000200, ..."""
        micros = 100 * self._next()
        return f"{1_700_000_000 + micros // 1_000_000}.{micros % 1_000_000:06d}"

    # -- auth / oauth ------------------------------------------------------------------------

    def auth_test(self, params: Payload, token: str | None) -> Payload:
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

    def oauth_v2_access(self, params: Payload, token: str | None) -> Payload:
        """params carry client_id/client_secret (FakeSlack decodes HTTP Basic into them)."""
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        if not client_id or self.client_id not in (None, client_id):
            raise SlackError("invalid_client_id")
        if not client_secret or self.client_secret not in (None, client_secret):
            raise SlackError("bad_client_secret")
        if not params.get("code") and params.get("grant_type") != "refresh_token":
            raise SlackError("invalid_code")
        return self._installation(self._issue_token())

    def _issue_token(self) -> str:
        n = self._next()
        token = f"xoxb-1000{n}-2000{n}-fakeBotToken{n:06d}"
        self.issued_tokens.append(token)
        return token

    def _installation(self, access_token: str) -> Payload:
        return {
            "ok": True,
            "access_token": access_token,
            "token_type": "bot",
            "scope": self.scope,
            "bot_user_id": self.BOT_USER_ID,
            "app_id": self.APP_ID,
            "team": {"id": self.TEAM_ID, "name": self.TEAM_NAME},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": self.INSTALLER_USER_ID},
        }

    # -- chat ----------------------------------------------------------------------------------

    def bot_message(self, params: Payload, ts: str) -> Payload:
        """A message as Slack returns it for our bot."""
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

    def chat_post_message(self, params: Payload, token: str | None) -> Payload:
        channel = required(params, "channel", "channel_not_found")
        check_message_content(params)
        if channel[:1] in ("U", "W"):  # a member's id: Slack posts in the app's IM with them, a D… id
            channel = "D" + channel[1:]
        ts = self.next_ts()
        message = self.bot_message(params, ts)
        self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def chat_update(self, params: Payload, token: str | None) -> Payload:
        channel = required(params, "channel", "channel_not_found")
        ts = required(params, "ts", "message_not_found")
        if (channel, ts) not in self.messages:
            raise SlackError("message_not_found")
        check_message_content(params)
        message = self.bot_message(params, ts)
        self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "text": message["text"], "message": message}

    def chat_post_ephemeral(self, params: Payload, token: str | None) -> Payload:
        required(params, "channel", "channel_not_found")
        required(params, "user", "user_not_in_channel")
        check_message_content(params)
        return {"ok": True, "message_ts": self.next_ts()}

    # -- calls ---------------------------------------------------------------------------------

    def calls_add(self, params: Payload, token: str | None) -> Payload:
        required(params, "external_unique_id")
        required(params, "join_url")
        if (token or "").startswith("xoxb-"):
            required(params, "created_by")  # required when called with a bot token
        users = params.get("users") or []
        if not isinstance(users, list):
            raise SlackError("invalid_users")
        call_id = f"R{len(self.calls) + 1:08d}"
        call = {"id": call_id, "date_start": int(params.get("date_start") or time.time())}
        for name in ("external_unique_id", "join_url", "desktop_app_join_url", "external_display_id", "title"):
            if params.get(name):
                call[name] = params[name]
        call["users"] = users
        self.calls[call_id] = {"call": call, "participants": [_participant_key(u) for u in users]}
        return {"ok": True, "call": call}

    def _known_call(self, params: Payload) -> Payload:
        state = self.calls.get(required(params, "id"))
        if state is None:
            raise SlackError("invalid_call_id")
        return state

    def calls_info(self, params: Payload, token: str | None) -> Payload:
        return {"ok": True, "call": self._known_call(params)["call"]}

    def calls_update(self, params: Payload, token: str | None) -> Payload:
        call = self._known_call(params)["call"]
        for name in ("title", "join_url", "desktop_app_join_url"):
            if params.get(name):
                call[name] = params[name]
        return {"ok": True, "call": call}

    def calls_end(self, params: Payload, token: str | None) -> Payload:
        call = self._known_call(params)["call"]
        if call.get("has_ended"):
            raise SlackError("inactive_call")
        call.update(has_ended=True, date_end=int(time.time()))
        if params.get("duration") is not None:
            call["duration"] = int(params["duration"])
        return {"ok": True}

    def calls_participants_add(self, params: Payload, token: str | None) -> Payload:
        state, users = self._known_call(params), _user_list(params)
        for user in users:  # all checked before any is added
            _participant_key(user)
        for user in users:
            if _participant_key(user) not in state["participants"]:
                state["participants"].append(_participant_key(user))
                state["call"]["users"].append(user)
        return {"ok": True}

    def calls_participants_remove(self, params: Payload, token: str | None) -> Payload:
        state, users = self._known_call(params), _user_list(params)
        gone = [_participant_key(user) for user in users]
        if any(key not in state["participants"] for key in gone):
            raise SlackError("bad_users")
        state["participants"] = [key for key in state["participants"] if key not in gone]
        state["call"]["users"] = [u for u in state["call"]["users"] if _participant_key(u) not in gone]
        return {"ok": True}

    # -- views ---------------------------------------------------------------------------------

    def views_publish(self, params: Payload, token: str | None) -> Payload:
        user_id = required(params, "user_id")
        view = required(params, "view")
        if not isinstance(view, dict) or view.get("type") != "home":
            raise SlackError("invalid_arguments")
        n = self._next()
        published = {
            "id": f"V{n:08d}",
            "team_id": self.TEAM_ID,
            "type": "home",
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "hash": f"{int(time.time())}.{n:08d}",
            "app_id": self.APP_ID,
            "bot_id": self.BOT_ID,
            "user_id": user_id,
        }
        return {"ok": True, "view": published}

    def users_info(self, params: Payload, token: str | None) -> Payload:
        """A member as Slack's users.info answers (docs: "Typical success response"; `locale`
        only with include_locale=true); user_not_found for anyone else; missing_scope without
        users:read."""
        if "users:read" not in self.scope.split(","):
            raise SlackError("missing_scope", needed="users:read", provided=self.scope)
        user_id = required(params, "user", "user_not_found")
        if user_id not in self.members:
            raise SlackError("user_not_found")
        real_name, shown, tz, locale = self.members[user_id]
        user: Payload = {
            "id": user_id, "team_id": self.TEAM_ID, "name": shown.lower() or user_id.lower(), "deleted": False,
            "real_name": real_name, "tz": tz, "tz_label": tz, "tz_offset": 0, "is_bot": False,
            "profile": {"real_name": real_name, "display_name": shown, "real_name_normalized": real_name,
                        "display_name_normalized": shown, "team": self.TEAM_ID},
        }
        if str(params.get("include_locale", "")).lower() in ("true", "1"):
            user["locale"] = locale
        return {"ok": True, "user": user}

    def views_open(self, params: Payload, token: str | None) -> Payload:
        """A modal for a trigger_id: each trigger opens one view (Slack's trigger_id works once,
        for 3 s); a modal needs a title of at most 24 characters and private_metadata of at most
        3000 (Slack's view object reference)."""
        trigger_id = required(params, "trigger_id", "invalid_trigger_id")
        view = required(params, "view")
        if not isinstance(view, dict) or view.get("type") != "modal":
            raise SlackError("invalid_arguments")
        title = (view.get("title") or {}).get("text", "")
        if not title or len(title) > 24 or len(view.get("private_metadata") or "") > 3000:
            raise SlackError("invalid_arguments")
        if trigger_id in self.used_triggers:
            raise SlackError("exchanged_trigger_id")
        self.used_triggers.add(trigger_id)
        n = self._next()
        opened = {**view, "id": f"V{n:08d}", "team_id": self.TEAM_ID, "state": {"values": {}},
                  "hash": f"{int(time.time())}.{n:08d}", "app_id": self.APP_ID, "bot_id": self.BOT_ID,
                  "root_view_id": f"V{n:08d}", "previous_view_id": None}
        self.modals[opened["id"]] = opened
        return {"ok": True, "view": opened}

    def views_update(self, params: Payload, token: str | None) -> Payload:
        """Redraw an open modal by `view_id`: `not_found` for a view never opened, `hash_conflict`
        when `hash` is given and the view changed since (Slack's views.update reference)."""
        view_id = required(params, "view_id", "not_found")
        view = required(params, "view")
        current = self.modals.get(view_id)
        if current is None:
            raise SlackError("not_found")
        if not isinstance(view, dict) or view.get("type") != "modal":
            raise SlackError("invalid_arguments")
        if params.get("hash") and params["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        n = self._next()
        updated = {**current, **view, "hash": f"{int(time.time())}.{n:08d}"}
        self.modals[view_id] = updated
        return {"ok": True, "view": updated}
