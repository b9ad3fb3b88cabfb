"""Forged voice webhooks, against gunicorn with two workers:
unsigned, replayed (one captured JWT sent again to both workers), too old or from the future,
from another Vonage application or account, signed with another secret, with a tampered body or
query, a POST whose payload hides in the query string. Each gets 401 (or a 4xx that acts on
nothing) and adds no row to the database.

The requests carry a live meeting's PIN: each one would have let a caller in on the old code.
"""

from __future__ import annotations

import time
from dataclasses import replace

import jwt
import pytest

from tests.security.measurements import record
from tests.security.servers import REPLAY_RECORDS
from tests.security.steps import start_meeting
from tests.security.vonage_side import Claims, sign, without_auth
from tests.vonage_calls import WebhookCall, answer, dtmf, event, new_uuid

UNSIGNED_GUESSES = 100
REPLAYS = 20


@pytest.fixture(scope="module")
def meeting(two_workers):
    return start_meeting(two_workers, "Signed webhooks")


def webhooks_with_the_pin(pin: str) -> dict[str, WebhookCall]:
    """One of each webhook a forger would send: answer (GET and POST), the PIN, an event."""
    leg = new_uuid()
    return {"answer GET": answer(leg), "answer POST": answer(leg, method="POST"), "dtmf": dtmf(leg, pin),
            "event": event(leg, "answered")}


def refused_everywhere(app, calls: dict[str, WebhookCall], **send) -> dict[str, int]:
    return {name: app.vonage_side.send(call, **send).status_code for name, call in calls.items()}


def test_unsigned_webhooks_get_401_and_store_nothing(two_workers, meeting):
    before, dials = two_workers.row_counts(), len(two_workers.opentok.requests("dial"))
    started = time.monotonic()

    statuses = refused_everywhere(two_workers, webhooks_with_the_pin(meeting.pin), signed=False)
    guesses = [two_workers.vonage_side.send(dtmf(new_uuid(), meeting.pin, from_=None), signed=False)
               for _ in range(UNSIGNED_GUESSES)]
    elapsed = time.monotonic() - started

    assert statuses == dict.fromkeys(statuses, 401)
    assert [response.status_code for response in guesses] == [401] * UNSIGNED_GUESSES
    assert all(response.json().keys() == {"error"} for response in guesses)
    assert two_workers.rows_added(before) == {}
    assert len(two_workers.opentok.requests("dial")) == dials  # no auto-bridge for a forged caller
    record("unsigned PIN guesses checked", "~1,250 per second, hit after 1,533 (1.2 s)",
           f"0 of {UNSIGNED_GUESSES} right-PIN guesses checked (all 401, {UNSIGNED_GUESSES / elapsed:.0f}/s sent)")


def test_one_captured_jwt_replayed_to_both_workers_is_refused_every_time(two_workers, meeting):
    captured = sign(answer(new_uuid()))
    assert two_workers.vonage_side.send_raw(captured).status_code == 200
    after_first = two_workers.row_counts()

    # A new connection per replay: with two workers accepting, both see the jti again.
    replays = [two_workers.vonage_side.send_raw(captured).status_code for _ in range(REPLAYS)]
    hidden_in_query = WebhookCall("POST", "/voice-dtmf", query={"uuid": new_uuid(), "dtmf": meeting.pin},
                                  headers=captured.headers)

    assert replays == [401] * REPLAYS
    assert two_workers.vonage_side.send_raw(hidden_in_query).status_code == 401
    assert two_workers.rows_added(after_first) == {}
    record("one captured JWT replayed", "200/200 accepted", f"1 accepted, {REPLAYS}/{REPLAYS} replays 401")


FOREIGN_CLAIMS = {  # made when the test runs: `iat` is relative to now
    "six minutes old": lambda: Claims(iat=int(time.time()) - 6 * 60),
    "six minutes ahead": lambda: Claims(iat=int(time.time()) + 6 * 60),
    "no iat": lambda: Claims(iat=None),
    "another application": lambda: Claims(application_id="ffffffff-0000-4000-8000-000000000000"),
    "another account": lambda: Claims(api_key="ffff9999"),
    "no jti": lambda: Claims(jti=None),
    "wrong payload_hash": lambda: Claims(payload_hash="0" * 64),
}


@pytest.mark.parametrize("claims", FOREIGN_CLAIMS.values(), ids=FOREIGN_CLAIMS.keys())
def test_a_jwt_that_vonage_would_not_send_for_this_app_gets_401_and_stores_nothing(two_workers, meeting,
                                                                                   claims):
    before = two_workers.row_counts()

    statuses = refused_everywhere(two_workers, webhooks_with_the_pin(meeting.pin), claims=claims())

    assert statuses == dict.fromkeys(statuses, 401)
    assert two_workers.rows_added(before) == {}


def test_a_webhook_signed_with_another_secret_or_no_algorithm_gets_401(two_workers, meeting):
    before = two_workers.row_counts()
    calls = webhooks_with_the_pin(meeting.pin)
    other_secret = {name: sign(call, secret="someone-elses-vonage-signature-secret") for name, call in calls.items()}
    unsigned_token = jwt.encode(Claims().for_call(calls["dtmf"]), key=None, algorithm="none")
    alg_none = calls["dtmf"].with_headers(Authorization=f"Bearer {unsigned_token}")

    statuses = [two_workers.vonage_side.send_raw(call).status_code for call in [*other_secret.values(), alg_none]]

    assert statuses == [401] * (len(calls) + 1)
    assert two_workers.rows_added(before) == {}


def test_a_tampered_body_or_query_gets_401_and_stores_nothing(two_workers, meeting):
    leg = new_uuid()
    signed_wrong_pin = sign(dtmf(leg, "000000001"))
    tampered_body = signed_wrong_pin.with_body(dtmf(leg, meeting.pin).body)
    signed_get = sign(answer(leg))
    tampered_query = replace(signed_get, query={**signed_get.query, "from": "447700900999"})
    before = two_workers.row_counts()

    statuses = [two_workers.vonage_side.send_raw(call).status_code for call in (tampered_body, tampered_query)]

    assert statuses == [401, 401]
    assert two_workers.rows_added(before) == {}


def test_a_signed_post_reads_its_payload_from_the_body_only(two_workers, meeting):
    leg = new_uuid()
    empty_post = WebhookCall("POST", "/voice-dtmf", query={"uuid": leg, "from": "447700900123",
                                                          "dtmf": meeting.pin})
    before = two_workers.row_counts(without=(REPLAY_RECORDS,))

    response = two_workers.vonage_side.send(empty_post)

    assert response.status_code in (400, 401), response.text
    assert response.json().keys() == {"error"}
    assert two_workers.rows_added(before, without=(REPLAY_RECORDS,)) == {}


def test_refused_webhooks_never_write_their_token_to_the_log(two_workers, meeting):
    forged = sign(dtmf(new_uuid(), meeting.pin), claims=Claims(iat=int(time.time()) - 3600))
    token = forged.headers["Authorization"].removeprefix("Bearer ")

    assert two_workers.vonage_side.send_raw(forged).status_code == 401
    assert two_workers.vonage_side.send_raw(without_auth(forged)).status_code == 401

    time.sleep(0.2)  # the worker's log line reaches the pipe
    log = two_workers.read_log()
    assert token not in log and token.split(".")[2] not in log
