"""PINs: digits as text, unique among live meetings, rested a day, long enough to resist guessing."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator

import pytest

from meetbridge.meetings import MeetingRequest, MeetingService
from meetbridge.phone_format import grouped_pin
from meetbridge.pins import (
    GUESS_ODDS,
    MAX_DRAWS,
    PIN_REUSE_AFTER_SECONDS,
    PinSpaceExhausted,
    allocate_pin,
    draw_pin,
    guess_odds,
    pin_length_for,
)
from meetbridge.storage import Store

NOW = 1_900_000_000.0
DAY = 24 * 3600


class ScriptedDigits:
    """A random source that hands out the digits of given PINs in order (to force collisions)."""

    def __init__(self, *pins: str) -> None:
        self._digits: Iterator[str] = iter("".join(pins))

    def choice(self, sequence: str) -> str:
        digit = next(self._digits)
        assert digit in sequence
        return digit


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    opened = Store(str(tmp_path / "pins.db"))
    yield opened
    opened.close()


def live_pins(store: Store) -> dict[str, str]:
    rows = store.database.query("SELECT pin, meeting_id FROM pins WHERE released_at IS NULL ORDER BY pin")
    return {row["pin"]: row["meeting_id"] for row in rows}


def allocate(store: Store, meeting_id: str, rng, now: float = NOW, minimum: int = 9) -> str:
    with store.transaction():
        return allocate_pin(store.pins, meeting_id, rng, minimum, now)


def test_pin_keeps_its_leading_zero_from_draw_to_database(store):
    rng = random.Random(2)  # this seed's first digit is 0
    assert allocate(store, "m1", rng) == "011524493"
    assert live_pins(store) == {"011524493": "m1"}
    assert store.pins.live_meeting_id("011524493") == "m1"
    assert store.pins.live_meeting_id("11524493") is None


def test_drawn_pins_are_digits_only_of_the_asked_length():
    rng = random.Random(7)
    pins = [draw_pin(rng, length) for length in (4, 6, 9) for _ in range(200)]
    assert [pin for pin in pins if not (pin.isdigit() and pin.isascii())] == []
    assert sorted({len(pin) for pin in pins}) == [4, 6, 9]


def test_claim_of_a_live_pin_fails(store):
    assert store.pins.claim("123456", "m1", released_before=NOW - DAY) is True
    assert store.pins.claim("123456", "m2", released_before=NOW - DAY) is False
    assert live_pins(store) == {"123456": "m1"}


def test_allocation_skips_a_live_pin_and_takes_the_next_draw(store):
    allocate(store, "m1", ScriptedDigits("123456789"))
    assert allocate(store, "m2", ScriptedDigits("123456789", "987654321")) == "987654321"
    assert live_pins(store) == {"123456789": "m1", "987654321": "m2"}


def test_released_pin_is_not_reused_within_a_day(store):
    allocate(store, "m1", ScriptedDigits("123456789"))
    store.pins.release("m1", at=NOW)
    almost_a_day_later = NOW + DAY - 1
    assert allocate(store, "m2", ScriptedDigits("123456789", "222222222"), now=almost_a_day_later) == "222222222"
    assert live_pins(store) == {"222222222": "m2"}


def test_released_pin_is_reusable_after_a_day(store):
    allocate(store, "m1", ScriptedDigits("123456789"))
    store.pins.release("m1", at=NOW)
    later = NOW + PIN_REUSE_AFTER_SECONDS + 1
    assert allocate(store, "m2", ScriptedDigits("123456789"), now=later) == "123456789"
    assert live_pins(store) == {"123456789": "m2"}


def test_releasing_a_meeting_frees_only_its_own_pin(store):
    allocate(store, "m1", ScriptedDigits("111111111"))
    allocate(store, "m2", ScriptedDigits("222222222"))
    store.pins.release("m1", at=NOW)
    assert (live_pins(store), store.pins.live_count()) == ({"222222222": "m2"}, 1)


def test_allocation_gives_up_when_every_draw_is_taken(store):
    allocate(store, "m1", ScriptedDigits("123456789"))
    with pytest.raises(PinSpaceExhausted):
        allocate(store, "m2", ScriptedDigits(*["123456789"] * MAX_DRAWS))
    assert live_pins(store) == {"123456789": "m1"}


@pytest.mark.parametrize(("live", "minimum", "length"), [
    (0, 9, 9), (98, 9, 9), (99, 9, 10),         # 99 live + the new one = 100 in 10**9: 1 in 10**7 is not below
    (998, 9, 10), (999, 9, 11),
    (0, 7, 8),                                  # one PIN in 10**7 is exactly 1 in 10**7: seven digits never do
    (0, 6, 8), (8, 8, 8), (9, 8, 9),
    (5, 12, 12),                                # a long minimum is kept
])
def test_pin_length_grows_at_the_boundary_of_the_guessing_odds(live, minimum, length):
    assert pin_length_for(live, minimum) == length


def test_one_guess_matches_some_live_meeting_less_than_one_in_a_million():
    """A guess matches under 1 in a million (the old bound: 1 in 10,000); the allocator keeps 1 in ten million."""
    assert GUESS_ODDS >= 10_000_000
    for live in [0, 1, 50, 99, 100, 500, 999, 1000, 12_345, 99_999]:
        length = pin_length_for(live, 9)
        assert guess_odds(live + 1, length) < 1 / GUESS_ODDS < 1 / 1_000_000
        assert length == 9 or guess_odds(live + 1, length - 1) >= 1 / GUESS_ODDS


def test_allocation_lengthens_pins_when_live_meetings_fill_the_space(store):
    for index in range(99):
        store.pins.claim(f"{index:09d}", f"old{index}", released_before=NOW - DAY)
    assert len(allocate(store, "new", random.Random(1))) == 10


@pytest.mark.parametrize(("pin", "shown"), [
    ("123456", "123 456"), ("1234567", "123 4567"), ("12345678", "123 456 78"), ("012345678", "012 345 678"),
    ("0123456789", "012 345 6789"), ("01234567890", "012 345 678 90"), ("012345678901", "012 345 678 901"),
])
def test_pins_are_shown_in_groups_of_three_without_a_lone_last_digit(pin, shown):
    assert grouped_pin(pin) == shown
    assert grouped_pin(pin).replace(" ", "") == pin


def test_pin_allocated_by_a_failed_start_is_rolled_back_with_its_meeting(store, monkeypatch):
    """Meeting and PIN are stored in one transaction: a failure leaves neither."""
    class Video:
        def create_routed_session(self) -> str:
            return "1_session"

    class Clock:
        def now(self) -> float:
            return NOW

    class Policy:
        pin_length, meeting_ttl_seconds, max_live_meetings_per_team = 9, 3600.0, 50

    service = MeetingService(Policy(), store, Video(), Clock(), random.Random(3))

    def broken_insert(meeting) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store.meetings, "insert", broken_insert)
    with pytest.raises(RuntimeError):
        service.start(MeetingRequest(workspace_id="T1", place_id="C1", starter_id="U1", topic=None))
    assert (live_pins(store), store.database.query("SELECT id FROM meetings")) == ({}, [])


def test_app_draws_pins_from_the_operating_systems_csprng(services):
    assert isinstance(services.rng, secrets.SystemRandom)
