"""Never an empty NCCO (issue 11, last attack): a second bridge leg with a used dial token, and a
bridge leg answered after the bridge was hung up, were answered `[]`, which Vonage's NCCO
schema refuses. Every NCCO this suite receives is checked (tests/security/vonage_side.py);
these are the two answers that used to be empty."""

from __future__ import annotations

from tests.security.steps import actions, click, connect_bridge, start_meeting
from tests.security.ncco_schema import check_ncco
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
