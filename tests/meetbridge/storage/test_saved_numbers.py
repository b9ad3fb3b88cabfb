"""Members' saved numbers and the card's dial-out lines, on both back-ends."""

from __future__ import annotations

NOW = 1_900_000_000.0


def test_a_saved_number_is_kept_per_workspace_and_member_and_replaced_and_forgotten(store, other_store):
    rows = store.saved_numbers
    rows.save("T1", "U1", "+15550100199", NOW)
    rows.save("T2", "U1", "+442071234567", NOW)  # the same user id in another workspace
    assert other_store.saved_numbers.get("T1", "U1") == "+15550100199"
    assert rows.get("T1", "U2") is None
    rows.save("T1", "U1", "+15550100777", NOW + 1)
    assert other_store.saved_numbers.get("T1", "U1") == "+15550100777"
    assert rows.forget("T1", "U1") is True
    assert rows.forget("T1", "U1") is False
    assert rows.get("T1", "U1") is None
    assert rows.get("T2", "U1") == "+442071234567"


def test_dial_lines_follow_each_call_until_it_is_dropped(store, other_store):
    lines = store.dial_lines
    assert lines.put("m1", "call-a", "•••0199", "ringing", NOW) is True
    lines.put("m1", "call-b", "Maria", "ringing", NOW + 1)
    lines.put("m2", "call-c", "•••0777", "ringing", NOW)
    assert lines.put("m1", "call-a", "•••0199", "ringing", NOW + 1) is False  # a repeated event
    assert lines.put("m1", "call-a", "•••0199", "joined", NOW + 2) is True
    assert other_store.dial_lines.of_meeting("m1") == [("Maria", "ringing"), ("•••0199", "joined")]
    assert lines.drop("call-b") is True
    assert lines.drop("call-b") is False
    assert other_store.dial_lines.of_meeting("m1") == [("•••0199", "joined")]


def test_forgetting_a_workspace_removes_only_its_members_numbers(store):
    rows = store.saved_numbers
    rows.save("T1", "U1", "+15550100199", NOW)
    rows.save("T1", "U2", "+15550100177", NOW)
    rows.save("T2", "U1", "+442071234567", NOW)
    assert rows.forget_workspace("T1") == 2
    assert (rows.get("T1", "U1"), rows.get("T1", "U2"), rows.get("T2", "U1")) == (None, None, "+442071234567")
