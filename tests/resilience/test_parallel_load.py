"""Many requests at once: 50 parallel `/meet` over real HTTP, and two
gunicorn worker processes taking a meeting's DTMF and call events interleaved.

Counts must come out exact and SQLite must never answer "database is locked": PINs are
unique by primary key, joins and leaves are conditional updates, both safe across processes.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

from bench.harness import app_env, fakes, free_port, gunicorn, worker_pids
from bench.meet_client import SIGNATURE_SECRET
from meetbridge.phone_format import grouped_pin
from meetbridge.storage import Store
from tests.bridge_setup import status_line
from tests.conftest import SIGNING_SECRET
from tests.resilience.upstreams import inconsistencies
from tests.signing import slack_headers, slash_command_body
from tests.vonage_calls import answer, dtmf, event, new_uuid
from tests.waiting import wait_until

HTTP_TIMEOUT = 15
PEOPLE = 50
CALLER_THREADS, CALLERS_PER_THREAD = 8, 5


def meet_at_once(base_url: str, fake_slack, people: int) -> list[int]:
    """`people` signed `/meet` requests released together; the status of each."""
    start_line = threading.Barrier(people)

    def meet(person: int) -> int:
        body = slash_command_body(f"Meeting {person}", user_id=f"U{person:04d}",
                                  response_url=fake_slack.response_url(f"meet-{person}"))
        start_line.wait(timeout=HTTP_TIMEOUT)
        return requests.post(f"{base_url}/slack/events", data=body, headers=slack_headers(SIGNING_SECRET, body),
                             timeout=HTTP_TIMEOUT).status_code

    with ThreadPoolExecutor(max_workers=people) as pool:
        return list(pool.map(meet, range(people)))


def test_fifty_parallel_meets_make_fifty_meetings_each_with_its_own_pin_and_card(live_server, fake_slack,
                                                                                 caplog):
    caplog.set_level(logging.INFO)
    store = live_server.app.extensions["meetbridge"].store

    assert meet_at_once(live_server.url, fake_slack, PEOPLE) == [200] * PEOPLE

    cards = fake_slack.wait_for("chat.postMessage", count=PEOPLE, timeout=30)
    wait_until(lambda: store.database.query_one(
        "SELECT count(*) AS n FROM slack_cards WHERE ts IS NOT NULL")["n"] == PEOPLE, timeout=10)
    meetings = {row["id"]: row for row in store.database.query("SELECT id, pin, creator_id, topic FROM meetings")}
    linked = {card["blocks"][1]["accessory"]["url"].rsplit("/", 1)[-1]: card for card in cards}
    assert len(meetings) == PEOPLE
    assert len({meeting["pin"] for meeting in meetings.values()}) == PEOPLE
    assert set(linked) == set(meetings)  # one card per meeting, each linking its own
    assert sorted((m["creator_id"], m["topic"]) for m in meetings.values()) == [
        (f"U{n:04d}", f"Meeting {n}") for n in range(PEOPLE)]
    assert all(f"PIN {grouped_pin(meetings[mid]['pin'])}" in card["text"] for mid, card in linked.items())
    assert inconsistencies(store) == {}
    assert "database is locked" not in caplog.text
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


# -- two worker processes, one meeting -----------------------------------------------------------

def caller_calls(number: str, pin: str, leaves: bool) -> list:
    """What Vonage sends for one caller, signed as the app under gunicorn requires: answer, the
    PIN, and (for one who hangs up) `completed` twice, as Vonage may deliver an event more than
    once (each delivery with its own JWT)."""
    leg = new_uuid()
    calls = [answer(leg, from_=number), dtmf(leg, pin, from_=number)]
    if leaves:
        calls += [event(leg, "completed", from_=number)] * 2
    return [call.signed(SIGNATURE_SECRET) for call in calls]


def outcome(path: str, response: requests.Response) -> tuple[str, int, str | None]:
    """(path, status, and for DTMF the NCCO's last action: `conversation` when admitted)."""
    return path, response.status_code, response.json()[-1]["action"] if path == "/voice-dtmf" else None


def send_callers(base_url: str, pin: str) -> list[tuple[str, int, str | None]]:
    """8 threads, 5 callers each, every request on a new connection (so both workers get them);
    callers with an even number hang up: 40 join, 20 leave. Returns the outcome of each request."""
    def one_thread(thread: int) -> list[tuple[str, int, str | None]]:
        sent = []
        for caller in range(thread * CALLERS_PER_THREAD, (thread + 1) * CALLERS_PER_THREAD):
            for call in caller_calls(f"4477009{caller:05d}", pin, leaves=caller % 2 == 0):
                sent.append(outcome(call.path, call.over_http(base_url)))
        return sent

    with ThreadPoolExecutor(max_workers=CALLER_THREADS) as pool:
        return [item for batch in pool.map(one_thread, range(CALLER_THREADS)) for item in batch]


def test_two_gunicorn_workers_taking_one_meetings_dtmf_and_events_at_once_count_callers_exactly(tmp_path):
    with fakes() as (slack, opentok, vonage, private_pem):
        port = free_port()
        env = app_env(slack, opentok, vonage, private_pem, port, str(tmp_path / "meetbridge.db"),
                      AUTO_BRIDGE="false")
        base_url = f"http://127.0.0.1:{port}"
        with gunicorn("app:create_app()", env, workers=2) as server:
            body = slash_command_body("Load", response_url=slack.response_url("meet"))
            requests.post(f"{base_url}/slack/events", data=body, headers=slack_headers(SIGNING_SECRET, body),
                          timeout=HTTP_TIMEOUT)
            slack.wait_for("chat.postMessage", timeout=HTTP_TIMEOUT)
            store = Store(env["DATABASE_PATH"])
            try:
                wait_until(lambda: (store.database.query_one("SELECT ts FROM slack_cards") or {}).get("ts"))
                [meeting] = [store.meetings.get(row["id"]) for row in store.database.query("SELECT id FROM meetings")]

                sent = send_callers(base_url, meeting.pin)

                assert len(worker_pids(server.pid)) == 2
                assert Counter(sent) == {("/voice-answer", 200, None): 40, ("/voice-dtmf", 200, "conversation"): 40,
                                         ("/voice-events", 200, None): 40}
                assert store.database.query_one(
                    "SELECT count(*) AS joined, count(left_at) AS left FROM phone_legs WHERE meeting_id = ? "
                    "AND joined_at IS NOT NULL", [meeting.id]) == {"joined": 40, "left": 20}
                assert store.legs.callers_in(meeting.id) == 20
                card = store.slack_cards.get(meeting.id)
                wait_until(lambda: status_line(slack.message(card.channel, card.ts))
                           == "Phone bridge: *off* · 20 phone callers", timeout=10)
            finally:
                store.close()
        logged = server.stderr.read().decode()
    assert "database is locked" not in logged
    assert "Traceback" not in logged
