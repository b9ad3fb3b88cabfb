"""/voice-dtmf is the hottest write path, and on a server database each statement is a round trip:
a caller's right PIN is entered and read back in one call, and everything the answer depends on
(the name step's facts, who hears whom for the waiting rules) comes from that read-back."""

from __future__ import annotations

from tests.database_calls import statements_of_this_thread
from tests.vonage_calls import dtmf
from tests.webhooks.callers import joined, new_call


def third_caller_keys(client, services, meeting, number: str) -> list[str]:
    """Two callers are in (the first one's waiting music already stopped by the second); the
    database calls of a third caller's right PIN."""
    for first in ("447700900001", "447700900002"):
        assert dtmf(new_call(client, first), meeting.pin, from_=first).send(client).get_json() == joined(meeting)
    leg = new_call(client, number)
    with statements_of_this_thread(services.store.database) as sent:
        response = dtmf(leg, meeting.pin, from_=number).send(client)
    assert response.get_json() == joined(meeting)
    return sent


def test_a_right_pin_is_one_entry_read_back_with_who_hears_whom(start_meeting, client, services):
    meeting = start_meeting()
    sent = third_caller_keys(client, services, meeting, "447700900003")
    assert sent == ["execute_then_reads"]  # the entry, its read-back and the waiting rules' read: one call
    assert services.store.legs.callers_in(meeting.id) == 3


def test_a_member_who_saved_the_number_costs_one_write_and_no_read(start_meeting, client, services):
    meeting = start_meeting()
    services.store.saved_numbers.save(meeting.team_id, "U0MARIA", "+447700900003", 0.0)
    sent = third_caller_keys(client, services, meeting, "447700900003")  # named by the saved number
    assert sent == ["execute_then_reads", "execute"]  # the entry with its reads; the member on the leg
    assert [leg.slack_member_id for leg in services.store.legs.live_legs(meeting.id)].count("U0MARIA") == 1
