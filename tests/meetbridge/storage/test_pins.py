"""PINs: a live PIN belongs to one meeting whichever host claims it; released PINs rest first."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from meetbridge.pins import allocate_pin
from meetbridge.storage import UniqueViolation, open_store
from tests.meetbridge.storage.conftest import NOW, RACERS, a_meeting, race
from tests.meetbridge.storage.spawned import PINS_PER_PROCESS, PROCESSES, run_workers


def test_a_live_pin_is_claimed_once_and_the_database_refuses_a_second_row(store):
    assert store.pins.claim("123456", "m1", released_before=0)
    assert not store.pins.claim("123456", "m2", released_before=0)
    with pytest.raises(UniqueViolation):
        store.database.execute("INSERT INTO pins (pin, meeting_id) VALUES ('123456', 'm2')")
    assert store.pins.live_meeting_id("123456") == "m1"


def test_hosts_claiming_the_same_pins_at_once_each_get_a_different_one(stores):
    hosts = stores(RACERS)
    pins = [f"{n:06d}" for n in range(20)]

    def claim_all(index: int) -> list[str]:
        return [pin for pin in pins if hosts[index].pins.claim(pin, f"m{index}", released_before=0)]

    claimed = race(RACERS, claim_all)
    assert sorted(pin for won in claimed for pin in won) == pins  # each PIN exactly once
    assert hosts[0].pins.live_count() == len(pins)


def test_a_released_pin_rests_before_another_meeting_may_take_it(store):
    store.pins.claim("123456", "m1", released_before=0)
    store.pins.release("m1", at=NOW)
    assert store.pins.live_count() == 0 and store.pins.live_meeting_id("123456") is None
    assert not store.pins.claim("123456", "m2", released_before=NOW - 1)  # still resting
    assert store.pins.claim("123456", "m2", released_before=NOW + 1)
    assert (store.pins.live_meeting_id("123456"), store.pins.live_count()) == ("m2", 1)


def test_live_counts_by_length_follow_claims_releases_and_forgets(store):
    store.pins.claim("1234", "m1", released_before=0)
    store.pins.claim("123456", "m2", released_before=0)
    store.pins.claim("654321", "m3", released_before=0)
    assert (store.pins.live_count(), store.pins.longest_live_length()) == (3, 6)
    store.pins.release("m2", at=NOW)
    store.pins.forget("m3")
    assert (store.pins.live_count(), store.pins.longest_live_length()) == (1, 4)


def test_a_failed_transaction_leaves_neither_pin_nor_meeting(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.pins.claim("123456", "m1", released_before=0)
            store.meetings.insert(a_meeting())
            raise RuntimeError("announce failed")
    assert (store.pins.live_count(), store.meetings.get("m1")) == (0, None)


def test_a_meeting_round_trips(store):
    meeting = a_meeting(pin="000123", host_key_hash="h")
    store.meetings.insert(meeting)
    assert store.meetings.get("m1") == meeting
    assert store.meetings.mark_ended("m1", NOW + 5, "ended") and not store.meetings.mark_ended("m1", NOW + 6, "x")


def _allocate_pins_at(url: str, seed: int, count: int, worker: int, ready: Callable[[], None]) -> list[str]:
    """Child process (a host): allocate PINs with the same random sequence as every other one."""
    store = open_store(url)
    rng = random.Random(seed)
    ready()
    allocated = []
    for index in range(count):
        with store.transaction():
            allocated.append(allocate_pin(store.pins, f"w{worker}-m{index}", rng, 5, NOW))
    store.close()
    return allocated


def test_processes_on_one_postgresql_drawing_the_same_pins_never_share_a_live_one(postgres_url):
    outcomes = run_workers(_allocate_pins_at, [(postgres_url, 1234, PINS_PER_PROCESS, w) for w in range(PROCESSES)])
    handed_out = [pin for allocated in outcomes for pin in allocated]
    assert len(set(handed_out)) == len(handed_out) == PROCESSES * PINS_PER_PROCESS
