"""Benchmark 4: worker RSS after 10,000 and 20,000 webhook requests (one gunicorn worker).

Target: < 150 MB, growth < 5 % between the two readings.
"""

from __future__ import annotations

import json
import uuid

from .harness import app_env, fakes, free_port, gunicorn, rss_mb, save, temp_database, worker_pids
from .load import closed_loop
from .meet_client import answer_request, dtmf_request
from .bench_webhooks import start_meeting

BATCH = 10_000


def event_request(index: int):
    body = json.dumps({"uuid": str(uuid.uuid4()), "status": "completed", "conversation_uuid": "CON-1",
                       "direction": "inbound", "timestamp": "2026-11-26T12:00:00.000Z"}).encode()
    return "POST", "/voice-events", body, {"Content-Type": "application/json"}


def send(port: int, pin: str, count: int) -> None:
    kinds = (answer_request, lambda i: dtmf_request(pin), event_request)
    clients = 8
    sent = 0
    while sent < count:
        result = closed_loop(port, lambda i: kinds[i % 3](i), clients, 1.0)
        sent += result.requests


def run() -> dict:
    with fakes() as (slack, opentok, vonage, private_pem):
        port = free_port()
        env = app_env(slack, opentok, vonage, private_pem, port, temp_database())
        with gunicorn("app:create_app()", env, workers=1) as master:
            pin = start_meeting(port, slack)
            worker = worker_pids(master.pid)[0]
            send(port, pin, BATCH)
            first = rss_mb(worker)
            send(port, pin, BATCH)
            second = rss_mb(worker)
    growth = (second - first) / first * 100
    result = {"benchmark": "memory", "rss_mb_after_10k": round(first, 1), "rss_mb_after_20k": round(second, 1),
              "growth_pct": round(growth, 2), "targets_met": second < 150 and growth < 5}
    save("memory", result)
    return result


if __name__ == "__main__":
    print(run())
