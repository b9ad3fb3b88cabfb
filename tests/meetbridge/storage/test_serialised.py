"""Read-then-write rules that hold across hosts: the service-wide PIN failure budget, the
per-meeting caller cap and the per-workspace live-meeting cap."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from meetbridge.storage import open_store
from meetbridge.storage.caller_locks import CALLERS_LOCK
from meetbridge.storage.keypad import EntryLimits
from tests.meetbridge.storage.conftest import NOW, RACERS, a_meeting, race

LIMITS = EntryLimits(attempts=3, budget=3, budget_window_seconds=3600, callers=10)
TEAM_CAP = 2


def test_wrong_pins_keyed_on_several_hosts_at_once_never_overshoot_the_failure_budget(store, stores):
    for n in range(RACERS):
        store.legs.ensure(f"leg-{n}", f"44770090000{n}", NOW)
    hosts = stores(RACERS)
    granted = race(RACERS, lambda index: hosts[index].keypad.enter(f"leg-{index}", "999999", NOW, LIMITS))
    assert granted.count(True) == LIMITS.budget
    assert store.keypad.refusal("leg-7", NOW - 3600).budget_used == LIMITS.budget


def test_the_right_pin_admits_and_counts_no_failure(store):
    store.meetings.insert(a_meeting())
    store.pins.claim("123456", "m1", released_before=0)
    store.legs.ensure("leg-1", "447700900000", NOW)
    assert store.keypad.enter("leg-1", "123456", NOW, LIMITS)
    facts = store.keypad.look_up("leg-1", "123456")
    assert (facts.admitted, facts.meeting_id, facts.longest_pin) == (True, "m1", 6)
    assert store.pin_guard.gate("447700900000", NOW - 3600).budget_used == 0


def test_workspace_cap_holds_when_hosts_start_meetings_at_once(store, stores):
    hosts = stores(RACERS)

    def start(index: int) -> bool:
        host = hosts[index]
        with host.transaction():
            host.meetings.hold_team("T1")
            if host.meetings.live_count_for_team("T1") >= TEAM_CAP:
                return False
            time.sleep(0.05)  # the gap a slow /meet leaves between counting and inserting
            host.meetings.insert(a_meeting(f"m{index}", pin=f"{index:06d}"))
            return True

    assert race(RACERS, start).count(True) == TEAM_CAP
    assert store.meetings.live_count_for_team("T1") == TEAM_CAP


@pytest.mark.parametrize("entry", ["enter", "enter_and_look_up"])
def test_hosts_keying_right_and_wrong_pins_at_once_spend_the_budget_exactly_and_fill_no_more_than_the_cap(
        store, stores, entry):
    limits = EntryLimits(attempts=3, budget=5, budget_window_seconds=3600, callers=2)
    store.meetings.insert(a_meeting())
    store.pins.claim("123456", "m1", released_before=0)
    racers = 2 * RACERS
    for n in range(racers):
        store.legs.ensure(f"leg-{n}", f"4477009{n:05d}", NOW)
    hosts = stores(racers)

    def key_in(index: int) -> list[bool]:  # even legs guess, odd legs key the right PIN of a meeting soon full
        pin = "123456" if index % 2 else "999999"
        enter = getattr(hosts[index].keypad, entry)
        return [enter(f"leg-{index}", pin, NOW, limits) not in (False, None) for _ in range(limits.attempts)]

    granted = sum(entries.count(True) for entries in race(racers, key_in))
    admitted = [n for n in range(racers) if store.keypad.look_up(f"leg-{n}", "123456").admitted]
    # Never more than the cap; fewer when wrong guesses spent the budget before a right PIN's turn
    # (a granted attempt counts as a failure until it admits, so the order decides).
    assert len(admitted) <= limits.callers
    assert granted - len(admitted) == limits.budget  # every granted attempt that did not admit is a failure
    assert store.keypad.refusal("leg-0", NOW - 3600).budget_used == limits.budget


def test_a_meeting_ending_while_hosts_key_its_pin_leaves_the_budget_exact(store, stores):
    limits = EntryLimits(attempts=3, budget=4, budget_window_seconds=3600, callers=50)
    store.meetings.insert(a_meeting())
    store.pins.claim("123456", "m1", released_before=0)
    racers = 2 * RACERS
    for n in range(racers):
        store.legs.ensure(f"leg-{n}", f"4477009{n:05d}", NOW)
    hosts = stores(racers + 1)

    def act(index: int) -> list[bool]:  # one host ends the meeting while the others key in
        if index == racers:
            time.sleep(0.01)
            hosts[index].meetings.mark_ended("m1", NOW, "ended")
            return []
        pin = "123456" if index % 2 else "999999"
        return [hosts[index].keypad.enter(f"leg-{index}", pin, NOW, limits) for _ in range(limits.attempts)]

    granted = sum(entries.count(True) for entries in race(racers + 1, act))
    admitted = sum(store.keypad.look_up(f"leg-{n}", None).admitted for n in range(racers))
    used = store.keypad.refusal("leg-0", NOW - 3600).budget_used
    # A right PIN that finds the meeting admitting takes no budget lock; the meeting's end waits for
    # it, so it admits rather than counting a failure nobody serialised.
    assert used == granted - admitted <= limits.budget


def test_a_right_pin_does_not_wait_for_the_budget_lock_another_host_holds_but_a_wrong_one_does(postgres_url):
    limits = EntryLimits(attempts=3, budget=10, budget_window_seconds=3600, callers=10)
    store, other = open_store(postgres_url), open_store(postgres_url)
    store.meetings.insert(a_meeting())
    store.pins.claim("123456", "m1", released_before=0)
    store.legs.ensure("leg-right", "447700900001", NOW)
    store.legs.ensure("leg-wrong", "447700900002", NOW)
    held, release = threading.Event(), threading.Event()

    def hold_the_budget_lock() -> None:  # another host's wrong PIN, slow to commit
        with other.transaction():
            other.database.hold(CALLERS_LOCK)
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_budget_lock)
    holder.start()
    try:
        assert held.wait(5)
        with ThreadPoolExecutor(max_workers=2) as pool:
            right = pool.submit(store.keypad.enter_and_look_up, "leg-right", "123456", NOW, limits)
            wrong = pool.submit(store.keypad.enter, "leg-wrong", "999999", NOW, limits)
            facts = right.result(timeout=5)
            assert facts is not None and facts.admitted
            time.sleep(0.3)
            assert not wrong.done()  # it can spend the budget: it waits its turn
            release.set()
            assert wrong.result(timeout=5) is True
        assert store.keypad.refusal("leg-wrong", NOW - 3600).budget_used == 1
    finally:
        release.set()
        holder.join(10)
        store.close()
        other.close()
