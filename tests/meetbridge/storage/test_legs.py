"""Phone legs: sweepers on several hosts never claim the same leg; claims bound their batch."""

from __future__ import annotations

from tests.meetbridge.storage.conftest import NOW, RACERS, a_meeting, race

LEGS = 60


def legs_in_meeting(store, count: int = LEGS) -> list[str]:
    store.meetings.insert(a_meeting())
    uuids = [f"leg-{n:03d}" for n in range(count)]
    for uuid in uuids:
        store.legs.ensure(uuid, "447700900000", NOW)
        store.database.execute("UPDATE phone_legs SET meeting_id = 'm1', joined_at = ? WHERE uuid = ?", [NOW, uuid])
    return uuids


def test_sweepers_claiming_at_once_share_the_legs_without_overlap(store, stores):
    uuids = legs_in_meeting(store)
    hosts = stores(RACERS)

    def sweep(index: int) -> list[str]:
        taken: list[str] = []
        while batch := hosts[index].legs.claim_live("m1", NOW + 1, "ended", limit=5):
            taken.extend(batch)
        return taken

    claimed = [uuid for taken in race(RACERS, sweep) for uuid in taken]
    assert sorted(claimed) == uuids  # every leg once, by exactly one sweeper
    assert store.legs.callers_in("m1") == 0


def test_cleanup_retries_are_claimed_once_in_bounded_batches(store, stores):
    uuids = legs_in_meeting(store, 20)
    for uuid in uuids:
        store.legs.set_cleanup_pending(uuid, True)
    hosts = stores(4)
    claimed = race(4, lambda index: hosts[index].legs.claim_cleanup_batch(limit=50))
    assert sorted(uuid for batch in claimed for uuid in batch) == uuids
    assert store.legs.count_cleanup_pending() == 0


def test_vonage_checks_are_claimed_once_per_interval(store, stores):
    uuids = legs_in_meeting(store, 10)
    hosts = stores(4)
    claimed = race(4, lambda index: hosts[index].legs.claim_checks(NOW + 60, NOW, NOW + 30, limit=10))
    assert sorted(uuid for batch in claimed for uuid in batch) == uuids
    assert store.legs.claim_checks(NOW + 61, NOW, NOW + 30, limit=10) == []  # checked at NOW + 60


def test_a_leg_is_remembered_once_and_ends_once(store):
    store.legs.ensure("leg-1", None, NOW)
    store.legs.ensure("leg-1", "447700900000", NOW + 1)  # a retry fills the number in
    assert store.legs.get("leg-1").caller_number == "447700900000"
    assert store.legs.record_status("leg-1", "answered", NOW + 2, terminal=False)
    assert store.legs.record_status("leg-1", "completed", NOW + 3, terminal=True)
    assert not store.legs.record_status("leg-1", "completed", NOW + 4, terminal=True)
    assert not store.legs.record_status("never-answered", "completed", NOW, terminal=True)


def test_each_claim_takes_no_more_than_its_limit(store):
    legs_in_meeting(store, 30)  # PostgreSQL re-ran an IN (… LIMIT) sub-select: 30 claimed of 16
    assert len(store.legs.claim_checks(NOW + 60, NOW, NOW + 30, limit=16)) == 16
    assert len(store.legs.claim_live("m1", NOW + 1, "ended", limit=7)) == 7
    store.database.execute("UPDATE phone_legs SET cleanup_pending = 1")
    assert len(store.legs.claim_cleanup_batch(limit=5)) == 5
    store.meetings.mark_ended("m1", NOW + 2, "ended")
    assert len(store.legs.claim_live_in_ended_meetings(NOW + 3, "ended", limit=6)) == 6
