"""Each workspace's budget for card updates (bot/workspace_budget.py over
storage/slack_budgets.py): a token bucket per workspace kept in the database, so every worker
spends from the same one, and a 429's Retry-After pauses only its workspace."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.workspace_budget import UPDATE_BURST, UPDATES_PER_SECOND, WorkspaceBudget, rate_limited
from meetbridge.storage import Store

SLACK_TIER_3_PER_MINUTE = 50


class ManualClock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def stores(tmp_path) -> Iterator[list[Store]]:
    """Two stores on one file: two worker processes' views of the database."""
    opened = [Store(str(tmp_path / "meetbridge.db")) for _ in range(2)]
    yield opened
    for store in opened:
        store.close()


def budget(store: Store, clock: ManualClock, rate: float = 1.0, burst: int = 2) -> WorkspaceBudget:
    return WorkspaceBudget(store.slack_budgets, rate=rate, burst=burst, clock=clock)


def test_burst_is_spent_at_once_then_each_waiter_books_the_next_free_token(stores, clock):
    first = budget(stores[0], clock)
    assert [first.reserve("T1") for _ in range(5)] == [0.0, 0.0, 1.0, 2.0, 3.0]


def test_booked_tokens_are_not_handed_out_twice_as_time_passes(stores, clock):
    first = budget(stores[0], clock, rate=2.0, burst=1)
    assert [first.reserve("T1") for _ in range(3)] == [0.0, 0.5, 1.0]
    clock.now += 0.75
    assert first.reserve("T1") == 0.75  # the tokens due at +0.5 and +1.0 are already booked


def test_an_idle_bucket_refills_only_up_to_the_burst(stores, clock):
    first = budget(stores[0], clock, burst=3)
    first.reserve("T1")
    clock.now += 3600
    assert [first.reserve("T1") for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]


def test_each_workspace_has_its_own_bucket(stores, clock):
    first = budget(stores[0], clock, burst=1)
    assert [first.reserve("T1"), first.reserve("T2"), first.reserve("T1")] == [0.0, 0.0, 1.0]


def test_two_workers_spend_from_one_bucket(stores, clock):
    """The count is in the database: a second process does not get a burst of its own."""
    one, two = budget(stores[0], clock), budget(stores[1], clock)
    assert [one.reserve("T1"), two.reserve("T1"), one.reserve("T1"), two.reserve("T1")] == [0.0, 0.0, 1.0, 2.0]


def test_workers_racing_for_tokens_never_get_more_than_the_burst_at_once(stores, clock):
    """Each reservation is one conditional statement: no read-then-write race to win."""
    workers = [budget(store, clock, rate=0.5, burst=10) for store in stores for _ in range(2)]
    waits: list[float] = []
    lock = threading.Lock()

    def spend(worker: WorkspaceBudget) -> None:
        for _ in range(10):
            wait = worker.reserve("T1")
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=spend, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(waits) == [0.0] * 10 + [2.0 * n for n in range(1, 31)]  # 40 turns, none twice


def test_default_budget_keeps_any_minute_within_slacks_tier_3(stores, clock):
    default = WorkspaceBudget(stores[0].slack_budgets, clock=clock)
    waits = [default.reserve("T1") for _ in range(200)]
    sent_at = sorted(clock.now + wait for wait in waits)
    busiest_minute = max(sum(1 for t in sent_at if start <= t < start + 60) for start in sent_at)
    assert busiest_minute <= SLACK_TIER_3_PER_MINUTE
    assert (UPDATE_BURST, round(UPDATES_PER_SECOND * 60)) == (10, 40)


def test_a_pause_hands_out_nothing_before_retry_after_and_the_first_turn_right_then(stores, clock):
    first = budget(stores[0], clock, rate=1.0, burst=5)
    first.reserve("T1")
    first.pause("T1", 20)
    assert [first.reserve("T1"), first.reserve("T1")] == [20.0, 21.0]
    assert first.reserve("T2") == 0.0  # another workspace is not held up


def test_a_pause_is_seen_by_the_other_workers_and_voids_turns_booked_before_it(stores, clock):
    one, two = budget(stores[0], clock, burst=1), budget(stores[1], clock, burst=1)
    assert [one.reserve("T1"), one.reserve("T1")] == [0.0, 1.0]  # the second card booked +1 s
    two.pause("T1", 20)  # the other worker got a 429
    clock.now += 1
    assert one.paused_for("T1") == 19.0  # the booked card comes back and must not go
    assert one.reserve("T1") == 19.0


def test_a_shorter_pause_does_not_cut_a_longer_one(stores, clock):
    first = budget(stores[0], clock)
    first.pause("T1", 20)
    first.pause("T1", 5)
    assert first.paused_for("T1") == 20.0
    clock.now += 25
    assert first.paused_for("T1") == 0.0


def slack_error(status: int, headers: dict) -> SlackApiError:
    response = SlackResponse(client=None, http_verb="POST", api_url="https://slack.com/api/chat.update",
                             req_args={}, data={"ok": False, "error": "ratelimited"}, headers=headers,
                             status_code=status)
    return SlackApiError("ratelimited", response)


@pytest.mark.parametrize(("headers", "seconds"), [
    ({"Retry-After": "20"}, 20.0),
    ({"retry-after": "3"}, 3.0),
    ({"Retry-After": "0"}, 1.0),  # never "ask again at once"
    ({}, 1.0),
    ({"Retry-After": "soon"}, 1.0),
    ({"Retry-After": "86400"}, 600.0),
])
def test_a_429_is_read_with_its_retry_after_kept_within_bounds(headers, seconds):
    assert rate_limited(slack_error(429, headers)).retry_after == seconds


def test_other_slack_failures_are_not_rate_limits():
    assert rate_limited(slack_error(200, {"Retry-After": "20"})) is None
    assert rate_limited(slack_error(500, {})) is None
