"""The webhooks' one-round-trip statements: a new caller stored behind the PIN gate, a PIN entry
read back with its meeting, writes that need not wait for the disk, and prepared statements."""

from __future__ import annotations

import pytest

from meetbridge.errors import TokenReplayed
from meetbridge.records import WebhookToken
from meetbridge.storage.keypad import EntryLimits
from tests.meetbridge.storage.conftest import NOW, RACERS, a_meeting, race

LIMITS = EntryLimits(attempts=3, budget=2, budget_window_seconds=3600, callers=10)
CALLER = "447700900000"


def store_caller(store, uuid: str, number: str | None = CALLER, at: float = NOW, language: str | None = None):
    return store.pin_guard.store_caller(uuid, number, at, language, LIMITS.budget, at - 3600)


def test_a_new_caller_is_stored_with_the_gate_read_after_it(store):
    store.meetings.insert(a_meeting())
    store.pins.claim("12345678", "m1", released_before=0)
    stored, gate = store_caller(store, "leg-1", language="de-DE")
    assert stored and (gate.budget_used, gate.locked_until, gate.longest_pin) == (0, None, 8)
    leg = store.legs.get("leg-1")
    assert (leg.caller_number, leg.language, leg.attempts) == (CALLER, "de-DE", 0)


def test_a_repeated_answer_keeps_the_leg_and_fills_in_what_it_lacked(store):
    assert store_caller(store, "leg-1", number=None)[0]
    assert store_caller(store, "leg-1", language="fr-FR")[0]
    leg = store.legs.get("leg-1")
    assert (leg.caller_number, leg.language, leg.created_at) == (CALLER, "fr-FR", NOW)


def test_a_locked_out_number_is_not_stored_and_the_gate_says_until_when(store):
    store.database.execute("INSERT INTO pin_lockouts (key, failures, last_failure_at, strikes, locked_until) "
                           "VALUES (?, 0, ?, 1, ?)", [CALLER, NOW, NOW + 60])
    stored, gate = store_caller(store, "leg-1")
    assert (stored, gate.locked_until) == (False, NOW + 60)
    assert store.legs.get("leg-1") is None
    assert store_caller(store, "leg-2", number="447700900001")[0]  # another number is not locked out
    assert store_caller(store, "leg-3", at=NOW + 61)[0]  # nor this one once the lock-out ends


def test_no_caller_is_stored_while_the_failure_budget_is_spent(store):
    for n in range(LIMITS.budget):
        assert store_caller(store, f"guess-{n}", number=f"44770090100{n}")[0]
        assert store.keypad.enter(f"guess-{n}", "999999", NOW, LIMITS)  # a wrong PIN: a failure
    stored, gate = store_caller(store, "leg-1")
    assert (stored, gate.budget_used) == (False, LIMITS.budget)
    assert store.legs.get("leg-1") is None
    assert store_caller(store, "leg-1", at=NOW + 3601)[0]  # the failures left the window


def test_a_right_pin_is_entered_and_read_back_with_its_meeting_in_one_call(store):
    store.meetings.insert(a_meeting())
    store.pins.claim("123456", "m1", released_before=0)
    store_caller(store, "leg-1")
    facts = store.keypad.enter_and_look_up("leg-1", "123456", NOW, LIMITS)
    assert (facts.admitted, facts.meeting_id, facts.team_id, facts.conversation_name, facts.attempts) == (
        True, "m1", "T1", "conv-m1", 1)
    assert store.keypad.enter_and_look_up("leg-1", "123456", NOW, LIMITS) is None  # admitted: no attempt left to grant


def test_the_read_back_names_the_one_member_of_the_meetings_workspace_who_saved_the_callers_number(store):
    store.meetings.insert(a_meeting())
    store.pins.claim("123456", "m1", released_before=0)
    store.saved_numbers.save("T2", "U0ELSEWHERE", "+" + CALLER, NOW)  # another workspace's member
    store.saved_numbers.save("T1", "U0OTHER", "+447700900999", NOW)  # another number
    facts = []
    for n, saved_by in enumerate(([], ["U0MARIA"], ["U0MARIA", "U0BOB"])):
        for member in saved_by:
            store.saved_numbers.save("T1", member, "+" + CALLER, NOW)
        store_caller(store, f"leg-{n}")
        facts.append(store.keypad.enter_and_look_up(f"leg-{n}", "123456", NOW, LIMITS))
    assert [(each.admitted, each.saved_member) for each in facts] == [(True, None), (True, "U0MARIA"),
                                                                     (True, None)]  # two: neither
    store_caller(store, "withheld", number=None)
    assert store.keypad.enter_and_look_up("withheld", "123456", NOW, LIMITS).saved_member is None


def test_the_read_back_says_whether_the_leg_is_named_already(store):
    store.meetings.insert(a_meeting())
    store.pins.claim("123456", "m1", released_before=0)
    for uuid in ("plain", "said", "member"):
        store_caller(store, uuid)
    store.phone_waiting.set_name("said", "Maria")
    store.phone_waiting.set_member("member", "U0MARIA")
    facts = {uuid: store.keypad.enter_and_look_up(uuid, "123456", NOW, LIMITS) for uuid in ("plain", "said", "member")}
    assert {uuid: (each.named, each.caller_name, each.slack_member_id) for uuid, each in facts.items()} == {
        "plain": (False, None, None), "said": (True, "Maria", None), "member": (True, None, "U0MARIA")}


def test_a_wrong_pin_is_counted_and_read_back_as_not_admitted(store):
    store_caller(store, "leg-1")
    facts = store.keypad.enter_and_look_up("leg-1", "999999", NOW, LIMITS)
    assert (facts.admitted, facts.meeting_id, facts.attempts, facts.caller_number) == (False, None, 1, CALLER)
    assert store.keypad.enter_and_look_up("never-answered", "999999", NOW, LIMITS) is None


def test_an_admitting_entry_reads_who_is_on_the_line_in_the_same_call(store):
    store.meetings.insert(a_meeting())
    store.pins.claim("123456", "m1", released_before=0)
    for uuid in ("leg-1", "leg-2", "wrong"):
        store_caller(store, uuid)
    first = store.keypad.enter_and_look_up("leg-1", "123456", NOW, LIMITS)
    assert [caller.uuid for caller in first.presence.callers] == ["leg-1"]
    store.phone_waiting.start_waiting("leg-1", NOW)
    second = store.keypad.enter_and_look_up("leg-2", "123456", NOW + 1, LIMITS)
    assert second.presence == store.phone_waiting.presence("m1")  # the waiting rules' own read
    assert [(caller.uuid, caller.waiting, caller.naming) for caller in second.presence.callers] == [
        ("leg-1", True, False), ("leg-2", False, False)]
    assert (second.presence.bridge_state, second.presence.video_participants) == (None, 0)
    assert store.keypad.enter_and_look_up("wrong", "999999", NOW, LIMITS).presence is None  # admitted nowhere


def test_several_reads_after_one_write_come_back_in_order_alone_or_in_a_transaction(store):
    write = "INSERT INTO alerts_said (name, said_at) VALUES (:name, :at)"
    reads = ["SELECT name FROM alerts_said WHERE said_at <= :at ORDER BY name",
             "SELECT name FROM alerts_said WHERE 0 = 1", "SELECT count(*) AS n FROM alerts_said"]
    assert store.database.execute_then_reads(write, reads, {"name": "b", "at": 2.0}, durable=False) == (
        1, [[{"name": "b"}], [], [{"n": 1}]])
    with store.database.transaction():
        assert store.database.execute_then_reads(write, reads, {"name": "a", "at": 1.0}) == (
            1, [[{"name": "a"}], [], [{"n": 2}]])
    changed, (names, _, _) = store.database.execute_then_reads(write, reads, {"name": "c", "at": 3.0},
                                                               serialised="alerts")
    assert (changed, names) == (1, [{"name": "a"}, {"name": "b"}, {"name": "c"}])


def test_a_write_that_need_not_wait_for_the_disk_is_seen_by_other_hosts_at_once(store, other_store):
    assert store.seen_tokens.first_use("jti-1", NOW)
    assert not other_store.seen_tokens.first_use("jti-1", NOW)  # a replay to another host
    assert other_store.seen_tokens.count() == 1


def test_prepared_statements_keep_quoted_text_casts_and_repeated_names(store):
    sql = ("INSERT INTO alerts_said (name, said_at) SELECT :k, :v WHERE CAST(:v AS DOUBLE PRECISION) >= 0 "
           "ON CONFLICT (name) DO UPDATE SET said_at = alerts_said.said_at + excluded.said_at")
    read = "SELECT said_at AS v, 'it''s 100% :not_a_name ?' AS note, :k AS k FROM alerts_said WHERE name = :k"
    for round_ in range(3):  # the first call prepares on its connection, later ones execute what it prepared
        changed, row = store.database.execute_then_read(sql, read, {"k": "a'b", "v": 1.5}, durable=False)
        assert changed == 1
        assert row == {"v": 1.5 * (round_ + 1), "note": "it's 100% :not_a_name ?", "k": "a'b"}
    assert store.database.execute_then_read(sql, read, {"k": "x", "v": -1.0}) == (0, None)
    update = "UPDATE alerts_said SET said_at = ? WHERE name = ? AND coalesce(?, name) = name"
    assert store.database.execute(update, [2.0, "a'b", None], durable=False) == 1
    assert store.database.execute(update, [3.0, "a'b", "another"], durable=False) == 0


# -- a signed webhook's token rides on the request's first write -------------------------------

def test_a_token_is_recorded_with_the_pin_entry_and_its_replay_writes_nothing(store, other_store):
    store.meetings.insert(a_meeting())
    store.pins.claim("123456", "m1", released_before=0)
    store_caller(store, "leg-1")
    token = WebhookToken("jti-1", NOW)
    assert store.keypad.enter_and_look_up("leg-1", "999999", NOW, LIMITS, token).attempts == 1
    with pytest.raises(TokenReplayed):  # the same token on another host, now with the right PIN
        other_store.keypad.enter_and_look_up("leg-1", "123456", NOW, LIMITS, token)
    leg = store.legs.get("leg-1")
    assert (leg.attempts, leg.meeting_id, store.seen_tokens.count()) == (1, None, 1)
    refused = store.keypad.enter_and_look_up("never-answered", "123456", NOW, LIMITS, WebhookToken("jti-2", NOW))
    assert (refused, store.seen_tokens.count()) == (None, 2)  # no attempt granted: the token is used all the same
    assert store.keypad.enter_and_look_up("leg-1", "123456", NOW, LIMITS, WebhookToken("jti-3", NOW)).admitted


def test_a_token_is_recorded_with_a_new_caller_and_its_replay_stores_no_leg(store, other_store):
    token = WebhookToken("jti-1", NOW)
    assert store.pin_guard.store_caller("leg-1", CALLER, NOW, None, LIMITS.budget, NOW - 3600, token)[0]
    with pytest.raises(TokenReplayed):
        other_store.pin_guard.store_caller("leg-2", CALLER, NOW, None, LIMITS.budget, NOW - 3600, token)
    assert (store.legs.get("leg-2"), store.seen_tokens.count()) == (None, 1)
    assert not store.seen_tokens.first_use("jti-1", NOW)  # the checker of the other routes sees it too


def test_one_token_sent_to_many_hosts_at_once_stores_one_caller(store, other_store):
    token = WebhookToken("jti-race", NOW)

    def answer(n: int) -> bool:
        try:
            return (store if n % 2 else other_store).pin_guard.store_caller(
                f"leg-{n}", CALLER, NOW, None, LIMITS.budget, NOW - 3600, token)[0]
        except TokenReplayed:
            return False
    assert race(RACERS, answer).count(True) == 1
    assert store.database.query_one("SELECT count(*) AS n FROM phone_legs")["n"] == 1
