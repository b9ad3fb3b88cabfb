"""What the phone side is told: never an empty NCCO, never a hint of the join link.

- Never an empty NCCO: a second bridge leg with a used dial token, and a bridge leg answered
  after the bridge was hung up, were answered `[]`, which Vonage's NCCO schema refuses. Every
  NCCO this suite receives is checked (tests/security/vonage_side.py); these are the two answers
  that used to be empty.
- Nothing sent to a phone leg reveals the join link: a guessed PIN used to answer a
  conversation named `meetbridge-<meeting id>`, and the meeting id opens the join page.
"""

from __future__ import annotations

import json

from tests.security.measurements import record
from tests.security.ncco_schema import check_ncco
from tests.security.steps import actions, call_in, click, connect_bridge, start_meeting
from tests.vonage_calls import bridge_leg_answer, new_uuid
from tests.waiting import wait_until


def test_bridge_legs_with_a_used_or_stale_dial_token_get_a_valid_ncco_that_joins_nothing(serve):
    app = serve()
    meeting = start_meeting(app, "Stale bridge legs")
    connect_bridge(app, meeting)
    dial = app.opentok.requests("dial")[-1]

    second_leg = app.vonage_side.send(bridge_leg_answer(dial, new_uuid()))
    assert click(app, "hang_up", meeting.id).status_code == 200
    wait_until(lambda: app.store.bridges.active(meeting.id) is None)
    after_hang_up = app.vonage_side.send(bridge_leg_answer(dial, new_uuid()))

    for response in (second_leg, after_hang_up):
        assert response.status_code == 200
        check_ncco(response.json())
        assert "conversation" not in actions(response.json())


def test_nothing_sent_to_a_caller_or_the_bridge_leg_contains_the_join_link(serve):
    app = serve(AUTO_BRIDGE="false")
    meeting = start_meeting(app, "Join link")
    connect_bridge(app, meeting)
    bridge_ncco = app.vonage_side.last_ncco
    _, caller_ncco = call_in(app, meeting.pin)

    conversations = {action["name"] for ncco in (bridge_ncco, caller_ncco) for action in ncco
                     if action["action"] == "conversation"}
    assert len(conversations) == 1  # caller and bridge meet in one conversation...
    assert meeting.id not in json.dumps([bridge_ncco, caller_ncco])  # ...whose name is not the link
    record("conversation name told to a caller", "meetbridge-<meeting id> (the join link)",
           "a random name, no meeting id in any NCCO")

