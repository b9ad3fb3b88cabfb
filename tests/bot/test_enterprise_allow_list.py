"""ALLOWED_ENTERPRISE_IDS on its own: a workspace of a listed Enterprise Grid org may use the
app whatever its team id; a workspace outside the org is acked with a note and starts nothing.
The org comes from the request itself (`enterprise_id` in a Grid workspace's slash command)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest

from bot import messages
from meetbridge.settings import load_settings
from tests.conftest import SIGNING_SECRET
from tests.signing import slack_headers, slash_command_body

LISTED_ORG = "E0001"


@pytest.fixture
def settings(base_env):
    return load_settings(dict(base_env, ALLOWED_ENTERPRISE_IDS=LISTED_ORG, AUTO_BRIDGE="false"))


def meet(client, fake_slack, team_id: str, enterprise_id: str | None, key: str):
    fields = dict(parse_qsl(slash_command_body("Plans", team_id=team_id, response_url=fake_slack.response_url(key))))
    if enterprise_id is not None:
        fields["enterprise_id"] = enterprise_id
    body = urlencode(fields)
    return client.post("/slack/events", data=body, headers=slack_headers(SIGNING_SECRET, body))


def test_a_workspace_of_a_listed_org_starts_meetings_whatever_its_team_id(client, fake_slack, fake_opentok):
    assert meet(client, fake_slack, "T0042", LISTED_ORG, "grid").status_code == 200
    fake_slack.wait_for("chat.postMessage")
    assert len(fake_opentok.requests("create_session")) == 1


@pytest.mark.parametrize("enterprise_id", [None, "E0002"], ids=["no org", "another org"])
def test_a_workspace_outside_the_listed_org_is_acked_with_a_note_and_starts_nothing(
        client, fake_slack, fake_opentok, services, enterprise_id):
    response = meet(client, fake_slack, "T0001", enterprise_id, "outside")

    assert (response.status_code, response.get_json()) == (
        200, {"response_type": "ephemeral", "text": messages.NOT_ENABLED})
    services.background.shutdown()  # anything the request started in the background has finished
    assert fake_opentok.requests("create_session") == []
    assert fake_slack.requests("chat.postMessage") == []
