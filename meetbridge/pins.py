"""PIN policy: random digits, unique among live meetings, long enough that guessing fails.

With the service-wide failure budget (meetbridge/pin_guard.py) this bounds what an attacker
with any number of phone lines can expect to guess (README "PIN guessing: the arithmetic").

Uniqueness is the database's job (primary key on the PIN); this module chooses the length
and draws candidates until one is free.
"""

from __future__ import annotations

import random
from typing import Protocol

PIN_REUSE_AFTER_SECONDS = 24 * 3600
# One random guess must match SOME live meeting less than 1 in this (the product promises 1 in a
# million; ten million keeps the service-wide expectation over a meeting's life below 1 in
# 1,000 too: README "PIN guessing: the arithmetic"). 9-digit PINs hold it up to 99 live
# meetings; from the 100th the allocator hands out 10 digits, and so on.
GUESS_ODDS = 10_000_000
MAX_DRAWS = 64


class PinTable(Protocol):
    """The PINs in use, as the allocator needs them."""

    def live_count(self) -> int:
        """How many PINs belong to live meetings."""
        ...

    def claim(self, pin: str, meeting_id: str, released_before: float) -> bool:
        """Take a PIN that is new, or was released before `released_before`; False when it is not free."""
        ...


class PinSpaceExhausted(Exception):
    """No free PIN found: only possible if the random source is broken."""


def pin_length_for(live_meetings: int, minimum: int) -> int:
    """Shortest length >= minimum keeping (live PINs / possible PINs) below 1/GUESS_ODDS."""
    length = minimum
    while (live_meetings + 1) * GUESS_ODDS >= 10 ** length:
        length += 1
    return length


def guess_odds(live_meetings: int, length: int) -> float:
    """The chance that one random guess of `length` digits matches one of the live PINs."""
    return live_meetings / 10 ** length


def draw_pin(rng: random.Random, length: int) -> str:
    """Digits as text, so a leading zero is never lost."""
    return "".join(rng.choice("0123456789") for _ in range(length))


def allocate_pin(pins: PinTable, meeting_id: str, rng: random.Random, minimum_length: int,
                 now: float) -> str:
    """Claim a fresh PIN for a meeting; call inside the transaction that stores the meeting."""
    length = pin_length_for(pins.live_count(), minimum_length)
    for _ in range(MAX_DRAWS):
        pin = draw_pin(rng, length)
        if pins.claim(pin, meeting_id, released_before=now - PIN_REUSE_AFTER_SECONDS):
            return pin
    raise PinSpaceExhausted(length)
