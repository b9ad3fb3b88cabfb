"""Benchmark 1: /meet acks while the video API takes 2.5 s per call (20 at once).

Target: every ack < 3 s, p99 ack < 300 ms, every card posted.
"""

from __future__ import annotations

import http.client
import threading
import time

from .harness import app_env, fakes, free_port, gunicorn, save, summary, temp_database
from .meet_client import meet_request

CONCURRENT = 20
VIDEO_DELAY_SECONDS = 2.5


def run() -> dict:
    with fakes() as (slack, opentok, vonage, private_pem):
        opentok.delay("create_session", VIDEO_DELAY_SECONDS)
        port = free_port()
        env = app_env(slack, opentok, vonage, private_pem, port, temp_database())
        with gunicorn("app:create_app()", env):
            acks = fire(port, [meet_request(slack.response_url(f"u{i}"), i) for i in range(CONCURRENT)])
            started = time.monotonic()
            slack.wait_for("chat.postMessage", count=CONCURRENT, timeout=30)
            cards_after = time.monotonic() - started
    stats = summary(acks)
    result = {"benchmark": "ack under slow video API", "concurrent": CONCURRENT,
              "video_delay_s": VIDEO_DELAY_SECONDS, "ack_ms": stats, "cards_posted": CONCURRENT,
              "all_cards_within_s_after_acks": round(cards_after, 2),
              "targets_met": stats["max"] < 3000 and stats["p99"] < 300}
    save("ack", result)
    return result


def fire(port: int, requests: list) -> list[float]:
    """Send all requests at the same moment; return each ack's latency in ms."""
    barrier = threading.Barrier(len(requests))
    latencies: list[float] = [0.0] * len(requests)

    def send(index: int) -> None:
        method, path, body, headers = requests[index]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        barrier.wait()
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        latencies[index] = (time.perf_counter() - started) * 1000
        assert response.status == 200, response.status

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


if __name__ == "__main__":
    print(run())
