"""Benchmark 2: /voice-answer and /voice-dtmf against a bare Flask endpoint, both under the
documented gunicorn config, in the same run.

Targets: at saturation (50 clients) >= 50 % of the baseline's requests/s; at a fixed offered
rate of 200 requests/s (open loop), p99 < 25 ms.
"""

from __future__ import annotations

from .harness import app_env, fakes, free_port, gunicorn, percentile, save, temp_database
from .load import closed_loop, open_loop
from .meet_client import answer_request, dtmf_request, meet_request, pin_from_card

CLIENTS = 50
SATURATION_SECONDS = 8
RATE = 200
OPEN_LOOP_SECONDS = 10


def measure(port: int, make_request) -> dict:
    saturated = closed_loop(port, make_request, CLIENTS, SATURATION_SECONDS)
    paced = open_loop(port, make_request, RATE, OPEN_LOOP_SECONDS)
    return {"saturation_rps": round(saturated.per_second, 1), "saturation_errors": saturated.errors,
            "rate_200_p50_ms": round(percentile(paced.latencies_ms, 50), 2),
            "rate_200_p99_ms": round(percentile(paced.latencies_ms, 99), 2), "rate_200_errors": paced.errors}


def run() -> dict:
    with fakes() as (slack, opentok, vonage, private_pem):
        port, base_port = free_port(), free_port()
        env = app_env(slack, opentok, vonage, private_pem, port, temp_database())
        base_env = dict(env, PORT=str(base_port))
        with gunicorn("bench.baseline_app:create_app()", base_env):
            baseline = measure(base_port, answer_request)
        with gunicorn("app:create_app()", env):
            pin = start_meeting(port, slack)
            answer = measure(port, answer_request)
            dtmf = measure(port, lambda i: dtmf_request(pin))
    result = {"benchmark": "webhook speed", "clients": CLIENTS, "rate": RATE, "baseline": baseline,
              "voice_answer": answer, "voice_dtmf": dtmf}
    for name in ("voice_answer", "voice_dtmf"):
        row = result[name]
        row["ratio_to_baseline"] = round(row["saturation_rps"] / baseline["saturation_rps"], 3)
        row["targets_met"] = row["ratio_to_baseline"] >= 0.5 and row["rate_200_p99_ms"] < 25
    save("webhooks", result)
    return result


def start_meeting(port: int, slack) -> str:
    import http.client

    method, path, body, headers = meet_request(slack.response_url("bench"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=body, headers=headers)
    conn.getresponse().read()
    return pin_from_card(slack.wait_for("chat.postMessage", timeout=10)[-1]["blocks"])


if __name__ == "__main__":
    print(run())
