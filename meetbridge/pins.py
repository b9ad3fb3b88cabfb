"""PIN policy: random digits, unique among live meetings, long enough that guessing fails.

Uniqueness is the database's job (primary key on the PIN); this module chooses the length
and draws candidates until one is free.
"""

from __future__ import annotations

import random
from typing import Protocol

PIN_REUSE_AFTER_SECONDS = 24 * 3600
GUESS_ODDS = 10_000  # one random guess must match some live meeting less than 1 in this
MAX_DRAWS = 64


class PinTable(Protocol):
    def live_count(self) -> int: ...

    def claim(self, pin: str, meeting_id: str, released_before: float) -> bool: ...


class PinSpaceExhausted(Exception):
    """No free PIN found: only possible if the random source is broken."""


def pin_length_for(live_meetings: int, minimum: int) -> int:
    """Shortest length >= minimum keeping (live PINs / possible PINs) below 1/GUESS_ODDS."""
    length = minimum
    while (live_meetings + 1) * GUESS_ODDS >= 10 ** length:
        length += 1
    return length


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
