"""What the Slack-side tests (OAuth install, Calls card, App Home, uninstall) share: Events API
bodies signed as Slack signs them, the OAuth-mode environment, and the browser half of an
install (the "Add to Slack" page, then Slack sending the installer back)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.conftest import SIGNING_SECRET
from tests.signing import slack_headers

CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "oauth-client-secret-0123456789abcdef"
STATE_COOKIE = "slack-app-oauth-state"
AUTHORIZE_URL = "https://slack.com/oauth/v2/authorize"


def oauth_env(base_env: dict[str, str]) -> dict[str, str]:
    """base_env switched to OAuth (multi-workspace) mode: client id/secret, no bot token."""
    env = {name: value for name, value in base_env.items() if name != "SLACK_BOT_TOKEN"}
    return {**env, "SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET}


def event_body(event: dict[str, Any], team_id: str = "T0001", event_id: str = "Ev0001") -> str:
    """An Events API envelope as Slack posts it (JSON, `event_callback`)."""
    return json.dumps({
        "token": "legacy-verification-token", "team_id": team_id, "api_app_id": "A0001",
        "event": event, "type": "event_callback", "event_id": event_id, "event_time": 1_700_000_000,
        "authorizations": [{"enterprise_id": None, "team_id": team_id, "user_id": "U0BOT",
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
    })


def post_event(client: Any, event: dict[str, Any], team_id: str = "T0001", event_id: str = "Ev0001"):
    """POST a signed Events API request to /slack/events."""
    body = event_body(event, team_id, event_id)
    return client.post("/slack/events", data=body,
                       headers=slack_headers(SIGNING_SECRET, body, content_type="application/json"))


def authorize_link(install_page_html: str) -> dict[str, str]:
    """The query of the "Add to Slack" link on the install page, one value per name."""
    found = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', install_page_html)
    assert found, install_page_html
    url = found.group(1).replace("&amp;", "&")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == AUTHORIZE_URL
    return {name: values[0] for name, values in parse_qs(parts.query, keep_blank_values=True).items()}


def state_cookie(response: Any) -> str:
    """The OAuth state the install page put in its Set-Cookie header."""
    cookies = [value for value in response.headers.getlist("Set-Cookie") if value.startswith(STATE_COOKIE + "=")]
    assert len(cookies) == 1, response.headers
    return cookies[0].split(";", 1)[0].split("=", 1)[1]


def slack_sends_installer_back(browser: Any, state: str, cookie: str | None, code: str = "oauth-code-1"):
    """The browser's GET /slack/oauth_redirect after the user pressed Allow on slack.com."""
    headers = {"Cookie": f"{STATE_COOKIE}={cookie}"} if cookie is not None else {}
    return browser.get("/slack/oauth_redirect", query_string={"code": code, "state": state}, headers=headers)


def install_via_oauth(browser: Any) -> None:
    """The whole happy install: open the install page, come back with its state and cookie."""
    page = browser.get("/slack/install")
    state = state_cookie(page)
    response = slack_sends_installer_back(browser, state, cookie=state)
    assert response.status_code == 200, response.get_data(as_text=True)
