"""Who may use this server (ALLOWED_TEAM_IDS / ALLOWED_ENTERPRISE_IDS).

Two doors: an OAuth install from a workspace outside the lists is refused with a friendly
page and nothing is stored (the installation store will not save it; Bolt's failure callback
words the refusal), and any request from such a workspace — command, button, event — is
acknowledged and acted on not at all, with a short ephemeral note where Slack lets us reply.
With neither list set, every workspace may.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from concurrent.futures import Executor

from slack_bolt import BoltContext, BoltResponse
from slack_bolt.error import BoltError
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_sdk.oauth.installation_store import Bot, Installation

from meetbridge.words import LANGUAGES, N_, language_of

from . import messages
from .installation_store import StoredInstallations
from .slack_words import say

log = logging.getLogger(__name__)
TeamAllowed = Callable[[str | None, str | None], bool]  # (team_id, enterprise_id)
REFUSED_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{heading}</h1>
<p>{why}</p>
<p>{ask}</p>
</body></html>
"""
REFUSED_TITLE = N_("Not enabled for this workspace")
REFUSED_HEADING = N_("meetbridge is not enabled for this workspace")
REFUSED_WHY = N_("This meetbridge server only serves the workspaces its administrator has listed, and "
                 "{workspace} is not one of them. Nothing was installed and nothing was stored.")
REFUSED_ASK = N_("If your workspace should use it, ask the person who runs this server to add it.")


def refused_page(workspace: str, accept_language: str | None) -> str:
    """The refusal page in the browser's language (its Accept-Language), the workspace escaped."""
    locale = browser_language(accept_language)
    return REFUSED_PAGE.format(lang=language_of(locale), title=say(REFUSED_TITLE, locale),
                               heading=say(REFUSED_HEADING, locale),
                               why=say(REFUSED_WHY, locale, workspace=html.escape(workspace)),
                               ask=say(REFUSED_ASK, locale))


def browser_language(header: str | None) -> str | None:
    """The first language of an Accept-Language header that ships (by quality), else None."""
    ranked = []
    for position, item in enumerate((header or "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = params.strip()[2:] if params.strip().startswith("q=") else "1"
        try:
            ranked.append((-float(quality), position, tag.strip()))
        except ValueError:
            continue
    for _, _, tag in sorted(ranked):
        if tag.replace("_", "-").split("-")[0].lower() in LANGUAGES:
            return tag
    return None


class WorkspaceNotAllowed(BoltError):
    """An install from a workspace outside the allow-lists (Bolt hands BoltErrors from the
    installation store to the failure callback)."""


class AllowListInstallationStore(StoredInstallations):
    """The installation store that refuses to save installs from other workspaces."""

    def __init__(self, *, team_allowed: TeamAllowed, **kwargs) -> None:
        super().__init__(**kwargs)
        self.team_allowed = team_allowed

    def save(self, installation: Installation) -> None:
        """Save an install, unless its workspace is not allowed (then raise)."""
        self._check(installation.team_id, installation.enterprise_id, installation.team_name)
        super().save(installation)

    def save_bot(self, bot: Bot) -> None:
        """Save a bot install, unless its workspace is not allowed (then raise)."""
        self._check(bot.team_id, bot.enterprise_id, bot.team_name)
        super().save_bot(bot)

    def _check(self, team_id: str | None, enterprise_id: str | None, team_name: str | None) -> None:
        if not self.team_allowed(team_id, enterprise_id):
            log.info("install from workspace %s (enterprise %s) refused: not in the allow-lists",
                     team_id, enterprise_id)
            raise WorkspaceNotAllowed(team_name or team_id or "this workspace")


def first_header(headers: dict, name: str) -> str | None:
    """One request header as Bolt keeps them (lower-case names, each a list of values)."""
    values = (headers or {}).get(name) or []
    return values[0] if isinstance(values, list) and values else (values or None)


def install_callbacks() -> CallbackOptions:
    """Bolt's own pages, except the friendly refusal for a workspace outside the lists."""
    def success(args: SuccessArgs) -> BoltResponse:
        return args.default.success(args)

    def failure(args: FailureArgs) -> BoltResponse:
        if isinstance(args.error, WorkspaceNotAllowed):
            page = refused_page(str(args.error), first_header(args.request.headers, "accept-language"))
            return BoltResponse(status=403, body=page, headers={"Content-Type": "text/html; charset=utf-8"})
        return args.default.failure(args)

    return CallbackOptions(success=success, failure=failure)


def workspace_gate(team_allowed: TeamAllowed, background: Executor,
                   locale: str | None = None) -> Callable[..., BoltResponse | None]:
    """Bolt middleware: requests from other workspaces stop here, acknowledged (the refusal in
    `locale`, DEFAULT_LOCALE: a workspace that is not served has no member locales to read)."""
    refusal = messages.word(messages.NOT_ENABLED, locale)

    def gate(context: BoltContext, body: dict, next_: Callable[[], None]) -> BoltResponse | None:
        if team_allowed(context.team_id, context.enterprise_id):
            next_()
            return None
        log.info("request from workspace %s refused: not in the allow-lists", context.team_id)
        if body.get("command"):  # the ack itself is the reply
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": refusal})
        respond = context.respond
        if context.response_url and respond is not None:  # buttons: a reply through response_url, after the ack
            background.submit(respond, response_type="ephemeral", replace_original=False,
                              text=refusal)
        return BoltResponse(status=200, body="")

    return gate
