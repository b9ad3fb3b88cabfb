"""The Slack Web API client every part of the Slack side builds its clients with."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

# A Slack call can fail with an API error, a network error, or an answer that is not JSON
# (slack_sdk lets json.JSONDecodeError, a ValueError, through for a 200 with a broken body).
SLACK_FAILURES = (SlackApiError, SlackRequestError, OSError, ValueError)


def slack_web_client(token: str | None, base_url: str, wait_on_rate_limit: bool = True) -> WebClient:
    """WebClient that honours Slack's Retry-After on 429 by sleeping it out (slack_sdk retries
    only connection errors by default): right for a person's request, which has its own thread.
    The card senders serve every workspace and must not sleep: theirs raises the 429 at once
    (`wait_on_rate_limit=False`) and only that workspace's cards wait (bot/card_publisher.py)."""
    client = WebClient(token=token, base_url=base_url, timeout=10)
    if wait_on_rate_limit:
        client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return client
