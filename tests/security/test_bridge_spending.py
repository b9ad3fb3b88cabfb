"""Running up the bill with a join link: dial-out and hang-up in a loop
from the page, the card's buttons and auto-bridge callers, into two gunicorn workers; page
controls without the joined-visitor cookie or without JSON; publisher tokens minted in bulk.
"""

from __future__ import annotations

import time
from collections import Counter

import requests

from tests.security.measurements import record
from tests.security.steps import HTTP_TIMEOUT, Visitor, call_in, click, connect_bridge, joined, start_meeting
from tests.waiting import wait_until

CLICKS = 100
TOKEN_REQUESTS = 100


def dials(app) -> int:
    return len(app.opentok.requests("dial"))


def test_a_hundred_dial_out_clicks_from_every_path_make_at_most_two_sip_dials(two_workers):
    app = two_workers
    meeting = start_meeting(app, "Dial loop")
    visitor = Visitor(app, meeting.id)
    assert visitor.join().status_code == 200
    before, started = dials(app), time.monotonic()
    page_answers: list[requests.Response] = []
    callers_admitted = 0

    for n in range(CLICKS):
        if n % 3 == 0:
            page_answers.append(visitor.control("dial-out"))
        elif n % 3 == 1:
            click(app, "dial_out", meeting.id)
        else:
            callers_admitted += joined(call_in(app, meeting.pin, number=f"4477009{n:05d}")[1])  # auto-bridge
        if n % 2:
            visitor.control("hang-up")
        else:
            click(app, "hang_up", meeting.id)
    elapsed = time.monotonic() - started
    time.sleep(1.0)  # clicks and auto-bridge dial after their ack, on background threads

    made = dials(app) - before
    assert callers_admitted == CLICKS // 3  # every path was really taken
    assert made <= 2
    statuses = Counter(response.status_code for response in page_answers)
    assert set(statuses) <= {202, 409, 429}, statuses
    assert statuses[429] > 0
    assert all(response.headers.get("Retry-After", "").isdigit() for response in page_answers
               if response.status_code == 429)
    record("SIP dials from a dial/hang-up loop", "1,126 in 10 s (~400,000 an hour)",
           f"{made} for {CLICKS} clicks in {elapsed:.1f} s (page, Slack, auto-bridge; 2 workers)")


def test_the_hourly_dial_cap_holds_when_the_interval_is_short(serve):
    app = serve(BRIDGE_DIAL_INTERVAL_SECONDS="0.01", BRIDGE_DIALS_PER_HOUR="2")
    meeting = start_meeting(app, "Hourly cap")
    visitor = Visitor(app, meeting.id)
    assert visitor.join().status_code == 200

    answers = []
    for _ in range(20):
        answers.append(visitor.control("dial-out").status_code)
        visitor.control("hang-up")
        time.sleep(0.02)

    assert dials(app) == 2
    assert answers[:2] == [202, 202] and set(answers[2:]) == {429}


def test_page_controls_need_the_joined_visitors_cookie_and_json(serve):
    app = serve()
    meeting, other = start_meeting(app, "Cookie"), start_meeting(app, "Other meeting")
    leg = connect_bridge(app, meeting)
    dials_so_far = dials(app)
    stranger = requests.Session()
    guest = Visitor(app, meeting.id)
    assert guest.join().status_code == 200
    other_guest = Visitor(app, other.id)
    assert other_guest.join().status_code == 200
    elsewhere = {cookie.name: cookie.value for cookie in other_guest.session.cookies}

    def send(session, tail: str, **kwargs) -> int:
        return session.post(f"{app.url}/rooms/{meeting.id}/{tail}", timeout=HTTP_TIMEOUT, **kwargs).status_code

    answers = {
        "hang-up, no cookie": send(stranger, "hang-up", json={}),
        "dial-out, no cookie": send(stranger, "dial-out", json={}),
        "hang-up, another meeting's cookie": send(stranger, "hang-up", json={}, cookies=elsewhere),
        "hang-up, text/plain": send(guest.session, "hang-up", data="{}", headers={"Content-Type": "text/plain"}),
        "hang-up, a form": send(guest.session, "hang-up", data={"x": "1"}),
    }

    assert answers == {"hang-up, no cookie": 403, "dial-out, no cookie": 403,
                       "hang-up, another meeting's cookie": 403, "hang-up, text/plain": 415,
                       "hang-up, a form": 415}
    assert app.store.bridges.active(meeting.id).leg_uuid == leg  # still connected
    assert dials(app) == dials_so_far and app.vonage.requests("hangup") == []
    assert guest.control("hang-up").status_code == 200  # the joined visitor can
    wait_until(lambda: app.store.bridges.active(meeting.id) is None)


def test_publisher_tokens_are_rate_limited_for_one_client(serve):
    app = serve()
    meeting = start_meeting(app, "Tokens")
    client = requests.Session()
    started = time.monotonic()

    answers = [client.post(f"{app.url}/rooms/{meeting.id}/token", json={"name": f"Guest {n}"}, timeout=HTTP_TIMEOUT)
               for n in range(TOKEN_REQUESTS)]
    elapsed = time.monotonic() - started

    statuses = Counter(response.status_code for response in answers)
    assert set(statuses) == {200, 429}, statuses
    assert all(response.headers.get("Retry-After", "").isdigit() for response in answers
               if response.status_code == 429)
    record("publisher tokens from one client", "500 in 1.1 s",
           f"{statuses[200]} of {TOKEN_REQUESTS} in {elapsed:.1f} s, the rest 429 with Retry-After")
