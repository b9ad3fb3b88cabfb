"""Benchmark 4: worker RSS after 10,000 and 20,000 webhook requests (one gunicorn worker).

Target: < 150 MB, growth < 5 % between the two readings. The traffic is a day's calls in
fast-forward: callers answered, admitted into one of 50 meetings, and hung up again.
"""

from __future__ import annotations

import uuid

from .bench_webhooks import start_meetings
from .harness import app_env, fakes, free_port, gunicorn, rss_mb, save, temp_database, worker_pids
from .load import Request, closed_loop, in_own_process
from .meet_client import answer_request, completed_request, dtmf_request

BATCH = 10_000
MEETINGS = 50


class CallTraffic:
    """Request i: an answer (i % 3 == 0), that caller's PIN (1), then its `completed` event (2),
    each signed as Vonage signs it."""

    def __init__(self, pins: list[str]) -> None:
        self.pins = pins

    def __call__(self, index: int) -> Request:
        call, step = divmod(index, 3)
        leg = str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-call-{call}"))
        if step == 0:
            return answer_request(leg)
        if step == 1:
            return dtmf_request(leg, self.pins[call % len(self.pins)])
        return completed_request(leg)


def send(port: int, traffic: CallTraffic, offset: int, count: int) -> None:
    """`count` requests in order (one client: each call's steps arrive in sequence)."""
    result = in_own_process(closed_loop, port, OffsetTraffic(traffic, offset), 1, 600.0, count)
    assert result.requests == count and result.errors == 0, (result.requests, result.errors)


class OffsetTraffic:
    def __init__(self, inner, offset: int) -> None:
        self.inner = inner
        self.offset = offset

    def __call__(self, index: int) -> Request:
        return self.inner(self.offset + index)


def run() -> dict:
    with fakes() as (slack, opentok, vonage, private_pem):
        port = free_port()
        env = app_env(slack, opentok, vonage, private_pem, port, temp_database())
        with gunicorn("app:create_app()", env, workers=1) as master:
            traffic = CallTraffic(start_meetings(port, slack, MEETINGS))
            worker = worker_pids(master.pid)[0]
            send(port, traffic, 0, BATCH)
            first = rss_mb(worker)
            send(port, traffic, BATCH, BATCH)
            second = rss_mb(worker)
    growth = (second - first) / first * 100
    result = {"benchmark": "memory", "rss_mb_after_10k": round(first, 1), "rss_mb_after_20k": round(second, 1),
              "growth_pct": round(growth, 2), "targets_met": second < 150 and growth < 5}
    save("memory", result)
    return result


if __name__ == "__main__":
    print(run())
