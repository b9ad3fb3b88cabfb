"""Benchmark 2: /voice-answer and /voice-dtmf against a bare Flask endpoint, both under the
documented gunicorn config, in the same run.

Targets: at saturation (50 clients) >= 50 % of the baseline's requests/s; at a fixed offered
rate of 200 requests/s (open loop), p99 < 25 ms. Medians over ROUNDS rounds.

Webhooks are signed as Vonage signs them (the JWT check and its `jti` write are on the hot
path). `--compare-unsigned` also runs the same code with signing off, in the same rounds, to
show what the check costs. `--backend postgresql` (or `both`) runs the app on PostgreSQL
(bench/postgres.py: a throwaway cluster with production durability) instead of (or as well as,
in the same rounds) the SQLite file. Each /voice-dtmf request is a caller that /voice-answer already saw
(set up before the measurement, as a real caller is answered before keying the PIN); after each
round those callers hang up, so meetings never reach MAX_PHONE_CALLERS.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import uuid
from contextlib import ExitStack

from .harness import (
    app_env,
    busy_percent,
    busy_seconds,
    cpu_counters,
    cpu_seconds,
    fakes,
    free_port,
    gunicorn,
    percentile,
    postmaster_pid,
    process_tree,
    save,
    steal_percent,
    temp_database,
)
from .load import closed_loop, in_own_process, open_loop, send_all
from .meet_client import (
    CALLER,
    NUMBER,
    AnswerRequests,
    Callers,
    answer_request,
    bridge_answer_request,
    completed_request,
    dtmf_request,
    meet_request,
    pin_from_card,
)

MEETINGS = 200  # callers spread over many meetings: a Vonage conversation holds at most 50
CLIENTS = 50
SATURATION_SECONDS = 8
RATE = 200
OPEN_LOOP_SECONDS = 10
ROUNDS = 3
LEGS_PER_CLIENT = 120  # room for 750 dtmf/s at saturation (beyond, clients re-use legs); paced: RATE × seconds


def measure(port: int, saturating, paced, processes: dict[str, int] | None = None) -> dict:
    """Saturation and paced latency; with `processes` (name → root pid), also the CPU time each
    group of processes spent per request at saturation (`cpu_ms_per_request`: the app's gunicorn,
    the PostgreSQL server), which says where a request's work goes better than req/s on a shared
    machine can. Always: the whole machine's CPU per request at saturation (load generator and
    fakes included) and how busy the CPUs were: when they were busy, the ratio of two routes'
    req/s is the inverse ratio of their machine CPU per request."""
    before = cpu_counters()
    trees = {name: process_tree(pid) for name, pid in (processes or {}).items()}
    spent_before = {name: cpu_seconds(pids) for name, pids in trees.items()}
    saturated = in_own_process(closed_loop, port, saturating, CLIENTS, SATURATION_SECONDS)
    spent = {name: cpu_seconds(pids) - spent_before[name] for name, pids in trees.items()}
    machine = cpu_counters()
    paced_result = in_own_process(open_loop, port, paced, RATE, OPEN_LOOP_SECONDS)
    result: dict = {"saturation_rps": round(saturated.per_second, 1), "saturation_errors": saturated.errors,
              "rate_200_p50_ms": round(percentile(paced_result.latencies_ms, 50), 2),
              "rate_200_p99_ms": round(percentile(paced_result.latencies_ms, 99), 2),
              "rate_200_errors": paced_result.errors, "cpu_steal_percent": steal_percent(before, cpu_counters()),
              "saturated_busy_percent": busy_percent(before, machine),
              "machine_cpu_ms_per_request": round(1000 * busy_seconds(before, machine) / max(1, saturated.requests), 3)}
    if spent:
        result["cpu_ms_per_request"] = {name: round(1000 * seconds / max(1, saturated.requests), 3)
                                        for name, seconds in spent.items()}
    return result


class Server:
    """One app under gunicorn with its own fakes and 200 live meetings whose bridges are up."""

    def __init__(self, stack: ExitStack, signed: bool, database_url: str | None = None,
                 database_pid: int | None = None) -> None:
        """`signed`: the app checks signatures. Requests are always signed, so that the load
        generators (on the same two cores) do the same work in every mode. `database_url`:
        PostgreSQL's (`database_pid`: its server's main process), else a new SQLite file."""
        slack, opentok, vonage, private_pem = stack.enter_context(fakes())
        self.port, self.signed = free_port(), signed
        self.env = app_env(slack, opentok, vonage, private_pem, self.port, temp_database(), signed=signed)
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.processes = {"app": stack.enter_context(gunicorn("app:create_app()", self.env)).pid}
        if database_pid is not None:
            self.processes["postgresql"] = database_pid
        self.database_url = database_url
        self.pins = start_meetings(self.port, slack, MEETINGS)
        connect_bridges(self.port, opentok, vonage, self.pins)

    def settle(self) -> None:
        """Before a measurement on PostgreSQL: its statistics brought up to date after the set-up's
        writes (bench/postgres.py refresh_statistics)."""
        if self.database_url:
            from .postgres import refresh_statistics

            refresh_statistics(self.database_url)

    def measure_answer(self) -> dict:
        self.settle()
        return measure(self.port, AnswerRequests(), AnswerRequests(), self.processes)

    def measure_dtmf(self) -> dict:
        """Answer enough callers for the saturated and the paced run, measure their PIN entry,
        then hang them all up (neither of the set-up steps is measured)."""
        saturating = [str(uuid.uuid4()) for _ in range(CLIENTS * LEGS_PER_CLIENT)]
        paced = [str(uuid.uuid4()) for _ in range(RATE * OPEN_LOOP_SECONDS)]
        everyone = saturating + paced
        answered = in_own_process(send_all, self.port, LegRequests(everyone, "answer"), len(everyone))
        assert answered.errors == 0, answered
        probe = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        joined = json.loads(send(probe, Callers(paced, self.pins, len(paced))(len(paced) - 1)))
        assert joined[-1]["action"] == "conversation", joined  # callers are admitted, not turned away
        self.settle()
        result = measure(self.port, Callers(saturating, self.pins, LEGS_PER_CLIENT),
                         Callers(paced, self.pins, len(paced)), self.processes)
        in_own_process(send_all, self.port, LegRequests(everyone, "completed"), len(everyone))
        return result


class LegRequests:
    """The answer (or `completed` event) of each leg in turn (picklable for in_own_process)."""

    def __init__(self, legs: list[str], kind: str) -> None:
        self.legs, self.kind = legs, kind

    def __call__(self, index: int):
        leg = self.legs[index]
        return answer_request(leg) if self.kind == "answer" else completed_request(leg)


BACKENDS = ("sqlite", "postgresql")
PREFIXES = {("sqlite", True): "", ("sqlite", False): "unsigned_", ("postgresql", True): "pg_",
            ("postgresql", False): "pg_unsigned_"}  # result names: `pg_voice_dtmf`, …


def run(compare_unsigned: bool = False, backends: tuple[str, ...] = ("sqlite",),
        synchronous_commit: str = "on", unix_socket: bool = False) -> dict:
    """ROUNDS rounds of baseline, answer, dtmf back to back on each back-end (and the same
    unsigned, when asked); ratios are taken within a round and the medians reported, so a noisy
    minute on the host cannot decide the result alone."""
    modes = [(backend, signed) for backend in backends for signed in ((True, False) if compare_unsigned else (True,))]
    rounds: list[dict] = []
    result: dict = {"benchmark": "webhook speed", "clients": CLIENTS, "rate": RATE, "signed": True,
                    "backends": list(backends)}
    with ExitStack() as stack:
        urls: dict[tuple[str, bool], str] = {}
        database_pid = None
        if "postgresql" in backends:
            from .postgres import durable_cluster, new_database, over_socket, settings_of

            cluster = stack.enter_context(durable_cluster())
            urls = {mode: new_database(cluster, synchronous_commit) for mode in modes if mode[0] == "postgresql"}
            if unix_socket:
                urls = {mode: over_socket(cluster, url) for mode, url in urls.items()}
            result["postgresql_over"] = "unix socket" if unix_socket else "tcp 127.0.0.1"
            result["postgresql"] = settings_of(next(iter(urls.values())))
            database_pid = postmaster_pid(os.path.join(cluster.directory, "data"))
        servers = {mode: Server(stack, signed=mode[1], database_url=urls.get(mode),
                                database_pid=database_pid if mode[0] == "postgresql" else None) for mode in modes}
        base_env = dict(next(iter(servers.values())).env, PORT=str(free_port()))
        for _ in range(ROUNDS):
            with gunicorn("bench.baseline_app:create_app()", base_env) as baseline:
                answers = AnswerRequests()
                row = {"baseline": measure(int(base_env["PORT"]), answers, answers, {"app": baseline.pid})}
            for mode, server in servers.items():
                row[PREFIXES[mode] + "voice_answer"] = server.measure_answer()
                row[PREFIXES[mode] + "voice_dtmf"] = server.measure_dtmf()
            rounds.append(row)
    result["rounds"] = rounds
    for name in rounds[0]:
        if name == "baseline":
            continue
        for row in rounds:
            row[name]["ratio_to_baseline"] = round(row[name]["saturation_rps"] / row["baseline"]["saturation_rps"], 3)
        summary = {key: statistics.median(row[name][key] for row in rounds)
                   for key in ("saturation_rps", "ratio_to_baseline", "rate_200_p50_ms", "rate_200_p99_ms",
                               "cpu_steal_percent", "saturated_busy_percent", "machine_cpu_ms_per_request")}
        summary["errors"] = sum(row[name]["saturation_errors"] + row[name]["rate_200_errors"] for row in rounds)
        if "cpu_ms_per_request" in rounds[0][name]:
            summary["cpu_ms_per_request"] = {
                group: statistics.median(row[name]["cpu_ms_per_request"][group] for row in rounds)
                for group in rounds[0][name]["cpu_ms_per_request"]}
        summary["targets_met"] = summary["ratio_to_baseline"] >= 0.5 and summary["rate_200_p99_ms"] < 25
        result[name] = summary
    result["baseline"] = {key: statistics.median(row["baseline"][key] for row in rounds)
                          for key in ("saturation_rps", "rate_200_p99_ms", "cpu_steal_percent",
                                      "saturated_busy_percent", "machine_cpu_ms_per_request")}
    result["baseline"]["cpu_ms_per_request"] = {"app": statistics.median(
        row["baseline"]["cpu_ms_per_request"]["app"] for row in rounds)}
    name = "webhooks_compared" if compare_unsigned else "webhooks"
    save(name if backends == ("sqlite",) else f"{name}_{'_'.join(backends)}", result)
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


def connect_bridges(port: int, opentok, vonage, pins: list[str]) -> None:
    """Each meeting's first caller starts its phone bridge (auto-bridge) and Vonage answers the
    SIP leg, as the real platform does within a second or two; measuring starts from there.
    These first callers stay on (and Vonage knows them as live when the sweeper asks), so no
    bridge goes idle between rounds.
    (The fake OpenTok never places the call itself: without this step every bridge would sit
    in `connecting` for 45 s, fail, and be dialled again by the next caller.)"""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for count, pin in enumerate(pins, start=1):  # one meeting at a time: no bridge waits long enough to time out
        leg = vonage.add_call(to=NUMBER, from_=CALLER)
        send(conn, answer_request(leg))
        joined = json.loads(send(conn, dtmf_request(leg, pin)))
        assert joined[-1]["action"] == "conversation", joined  # the path the dtmf benchmark measures
        dial = opentok.wait_for("dial", count=count, timeout=60)[-1]
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


def main() -> None:
    parser = argparse.ArgumentParser(description="Webhook speed against a bare Flask endpoint (bench/README.md).")
    parser.add_argument("--compare-unsigned", action="store_true", help="also measure with signing off")
    parser.add_argument("--backend", choices=(*BACKENDS, "both"), default="sqlite")
    parser.add_argument("--synchronous-commit", choices=("on", "off"), default="on",
                        help="PostgreSQL's synchronous_commit for the app's database")
    parser.add_argument("--unix-socket", action="store_true",
                        help="the app reaches PostgreSQL over its unix socket instead of TCP on 127.0.0.1")
    options = parser.parse_args()
    backends = BACKENDS if options.backend == "both" else (options.backend,)
    print(json.dumps(run(options.compare_unsigned, backends, options.synchronous_commit, options.unix_socket),
                     indent=2))


if __name__ == "__main__":
    main()
