"""phone_controls on both back-ends: a `*` is taken by one command only, whichever worker or host
reads the next key; a leg's commands act at most once per interval; hands and mute follow."""

from __future__ import annotations

from meetbridge.storage import Store
from tests.meetbridge.storage.conftest import NOW, RACERS, a_meeting, race

LEG = "8f0e6d0c-0000-4000-8000-000000000001"


def live_leg(store: Store, uuid: str = LEG) -> str:
    store.legs.ensure(uuid, "447700900123", NOW)
    return uuid


def test_a_star_then_a_digit_acts_once_and_a_digit_alone_never(store):
    live_leg(store)
    assert store.phone_controls.claim_command(LEG, NOW, NOW - 5, NOW - 1) is None  # no star pending
    store.phone_controls.press_star(LEG, NOW)
    assert store.phone_controls.claim_command(LEG, NOW + 1, NOW - 4, NOW) == "acted"
    assert store.phone_controls.claim_command(LEG, NOW + 1, NOW - 4, NOW) is None  # the star was taken


def test_a_second_command_within_the_interval_is_too_fast_and_drops_its_star(store):
    live_leg(store)
    store.phone_controls.press_star(LEG, NOW)
    assert store.phone_controls.claim_command(LEG, NOW, NOW - 5, NOW - 1) == "acted"
    store.phone_controls.press_star(LEG, NOW + 0.5)
    assert store.phone_controls.claim_command(LEG, NOW + 0.5, NOW - 4.5, NOW - 0.5) == "too_fast"
    assert store.phone_controls.claim_command(LEG, NOW + 0.6, NOW - 4.4, NOW - 0.4) is None
    store.phone_controls.press_star(LEG, NOW + 1.5)
    assert store.phone_controls.claim_command(LEG, NOW + 1.5, NOW - 3.5, NOW + 0.5) == "acted"


def test_an_old_star_or_a_forgotten_one_completes_nothing(store):
    live_leg(store)
    store.phone_controls.press_star(LEG, NOW)
    assert store.phone_controls.claim_command(LEG, NOW + 10, NOW + 5, NOW + 9) is None
    store.phone_controls.press_star(LEG, NOW + 20)
    store.phone_controls.forget_star(LEG)
    assert store.phone_controls.claim_command(LEG, NOW + 21, NOW + 16, NOW + 20) is None


def test_one_star_read_by_many_workers_at_once_acts_once(store, stores):
    live_leg(store)
    store.phone_controls.press_star(LEG, NOW)
    workers = stores(RACERS)
    results = race(RACERS, lambda i: workers[i].phone_controls.claim_command(LEG, NOW + 1, NOW - 4, NOW))
    assert (results.count("acted"), results.count(None)) == (1, RACERS - 1)


def test_hand_and_mute_follow_and_a_left_leg_changes_nothing(store):
    live_leg(store)
    assert store.phone_controls.toggle_hand(LEG, NOW) is True
    assert store.legs.get(LEG).hand_raised_at == NOW
    assert store.phone_controls.toggle_hand(LEG, NOW + 1) is False
    assert store.phone_controls.set_muted(LEG, True) is True
    assert store.legs.get(LEG).muted == 1
    store.legs.record_status(LEG, "completed", NOW + 2, terminal=True)
    assert store.phone_controls.set_muted(LEG, False) is False
    assert store.phone_controls.toggle_hand(LEG, NOW + 3) is None
    store.phone_controls.press_star(LEG, NOW + 3)
    assert store.phone_controls.claim_command(LEG, NOW + 3, NOW - 2, NOW + 2) is None


def test_the_roster_is_the_admitted_live_callers_earliest_first(store):
    store.meetings.insert(a_meeting())
    for n in (2, 1, 3):
        uuid = live_leg(store, f"8f0e6d0c-0000-4000-8000-00000000000{n}")
        store.database.execute("UPDATE phone_legs SET meeting_id = ?, joined_at = ? WHERE uuid = ?",
                               ["m1", NOW + n, uuid])
    live_leg(store, "8f0e6d0c-0000-4000-8000-000000000009")  # never admitted
    store.legs.record_status("8f0e6d0c-0000-4000-8000-000000000003", "completed", NOW + 9, terminal=True)
    assert [leg.uuid[-1] for leg in store.phone_controls.roster("m1")] == ["1", "2"]
