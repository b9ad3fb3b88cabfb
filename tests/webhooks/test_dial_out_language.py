"""A call the meeting places speaks the workspace's language (DEFAULT_LOCALE): the invitation,
the goodbye after another key, and the greeting on 1, each with a voice of that language."""

from __future__ import annotations

import pytest

from meetbridge import ncco
from meetbridge.words import translate
from tests.webhooks.test_dial_out_calls import SECRET, add_phone, press, status, valid


@pytest.fixture
def base_env(base_env) -> dict[str, str]:
    return {**base_env, "VONAGE_SIGNATURE_SECRET": SECRET, "AUTO_BRIDGE": "false", "DEFAULT_LOCALE": "de"}


def test_the_invitation_and_its_answers_are_in_the_workspaces_language(client, services, start_meeting,
                                                                          fake_vonage):
    meeting = start_meeting("Planung")
    declined = services.dial_out.call(add_phone(meeting)).call_uuid
    invitation = valid(fake_vonage.wait_for("create_call")[0]["ncco"])[0]
    assert invitation == {"action": "talk", "bargeIn": True, "language": "de-DE", "style": 0,
                          "text": "Ada lädt Sie zu Planung ein. Drücken Sie die 1, um teilzunehmen."}
    status(client, declined, "answered")
    assert press(client, declined, "2") == [{"action": "talk", "text": "Kein Problem. Auf Wiederhören.",
                                             "language": "de-DE", "style": 0}]

    joining = services.dial_out.call(add_phone(meeting, name="Maria", member="U3")).call_uuid
    status(client, joining, "answered")
    joined = press(client, joining, "1")
    assert joined[0] == {"action": "talk", "text": translate(ncco.JOINING, "de-DE"), "language": "de-DE",
                         "style": 0}
    assert joined[-1]["action"] == "conversation"
