"""The per-workspace budget for card updates (bot/update_scheduler.py TokenBuckets)."""

from __future__ import annotations

from bot.update_scheduler import TokenBuckets


class ManualClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_is_spent_at_once_then_each_waiter_books_the_next_free_token():
    clock = ManualClock()
    budget = TokenBuckets(rate=1.0, burst=2, clock=clock)
    assert [budget.reserve("T1") for _ in range(5)] == [0.0, 0.0, 1.0, 2.0, 3.0]


def test_booked_tokens_are_not_handed_out_twice_as_time_passes():
    clock = ManualClock()
    budget = TokenBuckets(rate=2.0, burst=1, clock=clock)
    assert [budget.reserve("T1") for _ in range(3)] == [0.0, 0.5, 1.0]
    clock.now += 0.75
    assert budget.reserve("T1") == 0.75  # the tokens due at +0.5 and +1.0 are already booked


def test_an_idle_bucket_refills_only_up_to_the_burst():
    clock = ManualClock()
    budget = TokenBuckets(rate=1.0, burst=3, clock=clock)
    budget.reserve("T1")
    clock.now += 3600
    assert [budget.reserve("T1") for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]


def test_each_workspace_has_its_own_bucket():
    clock = ManualClock()
    budget = TokenBuckets(rate=1.0, burst=1, clock=clock)
    assert [budget.reserve("T1"), budget.reserve("T2"), budget.reserve("T1")] == [0.0, 0.0, 1.0]
