"""Limits kept in the database hold when several hosts ask at the same moment: sliding-window
rate limits, Slack's per-workspace budget, once-a-minute alerts, PIN lock-outs."""

from __future__ import annotations

from meetbridge.storage import Rule
from meetbridge.storage.pin_guard import Policy
from tests.meetbridge.storage.conftest import NOW, RACERS, race

POLICY = Policy(threshold=3, run_gap_seconds=60, first_lockout_seconds=30, longest_lockout_seconds=600,
                forget_after_seconds=3600)


def test_a_rate_limit_admits_exactly_its_limit_when_hosts_collide(stores):
    hosts = stores(RACERS)
    rules = [Rule("dial:m1", 3, 60), Rule("dial:m1", 5, 3600)]
    waits = race(RACERS, lambda index: hosts[index].rate_limits.take(rules, NOW))
    assert waits.count(None) == 3
    assert all(wait == 60 for wait in waits if wait is not None)


def test_a_rate_limit_window_slides_and_expired_hits_are_pruned(store):
    rules = [Rule("token:m1", 2, 60)]
    assert store.rate_limits.take(rules, NOW) is None
    assert store.rate_limits.take(rules, NOW + 10) is None
    assert store.rate_limits.take(rules, NOW + 20) == 40
    assert store.rate_limits.take(rules, NOW + 61) is None  # the first hit left the window
    store.rate_limits.take([Rule("other", 1, 1)], NOW + 1000)
    assert store.database.query_one("SELECT count(*) AS n FROM rate_limit_hits")["n"] == 1


def test_slack_budget_tokens_are_spent_once_each_across_hosts(stores):
    hosts = stores(RACERS)
    waits = race(RACERS, lambda index: hosts[index].slack_budgets.reserve("T1", NOW, rate=1.0, burst=3))
    assert sorted(waits) == [0, 0, 0] + [float(n) for n in range(1, RACERS - 2)]  # booked one second apart


def test_slack_budget_pause_keeps_the_longer_one(store):
    store.slack_budgets.pause("T1", NOW + 30)
    store.slack_budgets.pause("T1", NOW + 10)
    assert store.slack_budgets.paused_for("T1", NOW) == 30
    assert store.slack_budgets.reserve("T1", NOW, rate=1.0, burst=3) == 30


def test_an_alert_is_said_by_one_host_per_interval(stores):
    hosts = stores(RACERS)
    assert race(RACERS, lambda index: hosts[index].pin_guard.claim_alert("budget", NOW, 60)).count(True) == 1
    assert not hosts[0].pin_guard.claim_alert("budget", NOW + 59, 60)
    assert hosts[1].pin_guard.claim_alert("budget", NOW + 60, 60)


def test_failures_from_several_hosts_lock_a_number_out_and_back_off(stores):
    hosts = stores(RACERS)
    race(RACERS, lambda index: hosts[index].pin_guard.record_failure("4477", NOW, POLICY))
    row = hosts[0].pin_guard.lockout("4477")
    # 8 failures at the same moment: locked at the 3rd (30 s) and the 6th (60 s), 2 more counted
    assert (row["strikes"], row["failures"], row["locked_until"]) == (2, 2, NOW + 60)
    assert hosts[0].pin_guard.gate("4477", NOW - 3600).locked_until == NOW + 60
    assert hosts[0].pin_guard.prune(NOW + 61) == 1


def test_a_signed_webhook_token_and_a_slash_command_are_accepted_once_across_hosts(stores):
    hosts = stores(RACERS)
    assert race(RACERS, lambda index: hosts[index].seen_tokens.first_use("jti-1", NOW)).count(True) == 1
    assert race(RACERS, lambda index: hosts[index].slack_triggers.first_sight("trig-1", NOW)).count(True) == 1
    assert hosts[0].seen_tokens.prune(NOW + 1) == 1 and hosts[0].seen_tokens.count() == 0
    assert hosts[0].slack_triggers.prune(NOW + 3600) == 1
