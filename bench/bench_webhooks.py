"""Benchmark 2: /voice-answer and /voice-dtmf against a bare Flask endpoint, both under the
documented gunicorn config, in the same run.

Targets: at saturation (50 clients) >= 50 % of the baseline's requests/s; at a fixed offered
rate of 200 requests/s (open loop), p99 < 25 ms. Medians over ROUNDS rounds.
"""

from __future__ import annotations

import http.client
import json
import statistics

from .harness import (app_env, cpu_counters, fakes, free_port, gunicorn, percentile, save, steal_percent,
                      temp_database)
from .load import closed_loop, in_own_process, open_loop
from .meet_client import (AnswerRequests, DtmfRequests, bridge_answer_request, dtmf_request, meet_request,
                          pin_from_card)

MEETINGS = 200  # callers spread over many meetings: a Vonage conversation holds at most 50
CLIENTS = 50
SATURATION_SECONDS = 8
RATE = 200
OPEN_LOOP_SECONDS = 10
ROUNDS = 3


def measure(port: int, make_request) -> dict:
    before = cpu_counters()
    saturated = in_own_process(closed_loop, port, make_request, CLIENTS, SATURATION_SECONDS)
    paced = in_own_process(open_loop, port, make_request, RATE, OPEN_LOOP_SECONDS)
    return {"saturation_rps": round(saturated.per_second, 1), "saturation_errors": saturated.errors,
            "rate_200_p50_ms": round(percentile(paced.latencies_ms, 50), 2),
            "rate_200_p99_ms": round(percentile(paced.latencies_ms, 99), 2), "rate_200_errors": paced.errors,
            "cpu_steal_percent": steal_percent(before, cpu_counters())}


def run() -> dict:
    """ROUNDS rounds of baseline, answer, dtmf back to back; ratios are taken within a round and
    the medians reported, so a noisy minute on the host cannot decide the result alone."""
    rounds: list[dict] = []
    with fakes() as (slack, opentok, vonage, private_pem):
        port, base_port = free_port(), free_port()
        env = app_env(slack, opentok, vonage, private_pem, port, temp_database())
        base_env = dict(env, PORT=str(base_port))
        with gunicorn("app:create_app()", env):
            pins = start_meetings(port, slack, MEETINGS)
            connect_bridges(port, opentok, pins)
            for _ in range(ROUNDS):
                with gunicorn("bench.baseline_app:create_app()", base_env):
                    baseline = measure(base_port, AnswerRequests())
                rounds.append({"baseline": baseline, "voice_answer": measure(port, AnswerRequests()),
                               "voice_dtmf": measure(port, DtmfRequests(pins))})
    result = {"benchmark": "webhook speed", "clients": CLIENTS, "rate": RATE, "rounds": rounds}
    for name in ("voice_answer", "voice_dtmf"):
        for row in rounds:
            row[name]["ratio_to_baseline"] = round(row[name]["saturation_rps"] / row["baseline"]["saturation_rps"], 3)
        summary = {key: statistics.median(row[name][key] for row in rounds)
                   for key in ("saturation_rps", "ratio_to_baseline", "rate_200_p50_ms", "rate_200_p99_ms",
                               "cpu_steal_percent")}
        summary["targets_met"] = summary["ratio_to_baseline"] >= 0.5 and summary["rate_200_p99_ms"] < 25
        result[name] = summary
    result["baseline"] = {key: statistics.median(row["baseline"][key] for row in rounds)
                          for key in ("saturation_rps", "rate_200_p99_ms", "cpu_steal_percent")}
    save("webhooks", result)
    return result


def start_meetings(port: int, slack, count: int) -> list[str]:
    """Run `/meet` `count` times (as different users); returns the PINs from the cards."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for user in range(count):
        method, path, body, headers = meet_request(slack.response_url(f"bench{user}"), user)
        conn.request(method, path, body=body, headers=headers)
        conn.getresponse().read()
    cards = slack.wait_for("chat.postMessage", count=count, timeout=60)
    return [pin_from_card(card["blocks"]) for card in cards]


def connect_bridges(port: int, opentok, pins: list[str]) -> None:
    """Each meeting's first caller starts its phone bridge (auto-bridge) and Vonage answers the
    SIP leg, as the real platform does within a second or two; measuring starts from there.
    (The fake OpenTok never places the call itself: without this step every bridge would sit
    in `connecting` for 45 s, fail, and be dialled again by the next caller.)"""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for pin in pins:
        send(conn, dtmf_request(pin))
    for dial in opentok.wait_for("dial", count=len(pins), timeout=60):
        answered = json.loads(send(conn, bridge_answer_request(dial)))
        assert [action["action"] for action in answered] == ["conversation"], answered


def send(conn: http.client.HTTPConnection, request) -> bytes:
    method, path, body, headers = request
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    assert response.status == 200, response.status
    return response.read()


def start_meeting(port: int, slack) -> str:
    return start_meetings(port, slack, 1)[0]


if __name__ == "__main__":
    print(run())
