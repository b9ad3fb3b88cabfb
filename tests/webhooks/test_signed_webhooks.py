"""Signed webhooks on (VONAGE_SIGNATURE_SECRET): only requests Vonage signed, once,
recently and for this deployment are acted on; a refused one writes nothing and logs one event
without the token, the body or the query string.

Tokens are built as Vonage builds them (tests.signing.vonage_bearer): HS256
with the signature secret; `iat`, `jti`, `iss`, `api_key`, `application_id`; `payload_hash` of a
POST's raw body or, for a GET, of its query parameters as a JSON object in their original order
with no whitespace (Vonage support article "How do I verify that the Voice API Webhook request
and its payload has not been tampered during transit").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import jwt
import pytest

from app import create_app
from meetbridge.settings import load_settings
from tests.conftest import APP_ID
from tests.database_calls import statements_of_this_thread
from tests.fakes import make_rsa_keypair
from tests.signing import vonage_bearer
from tests.vonage_calls import WebhookCall, answer, bridge_leg_answer, dialled, dtmf, event, new_uuid
from webhooks.hs256 import verified_claims

SECRET = "vonage-signature-secret-0123456789abcdef"
OTHER_SECRET = "some-other-account-secret-0123456789abcd"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
WINDOW = 300  # seconds either side of our clock that an `iat` may be


@pytest.fixture
def base_env(base_env) -> dict[str, str]:
    return {**base_env, "VONAGE_SIGNATURE_SECRET": SECRET}


def bearer(call: WebhookCall, clock, secret: str | None = SECRET, **claims) -> str:
    """Vonage's header for `call` at the app clock's time; `claims` change it (tests.signing)."""
    claims.setdefault("iat", clock.now())
    claims.setdefault("application_id", APP_ID)
    return vonage_bearer(secret, call.body, method=call.method, query=call.query, **claims)


def signed(call: WebhookCall, clock, **claims) -> WebhookCall:
    return call.with_headers(Authorization=bearer(call, clock, **claims))


def answered_call(client, clock) -> str:
    """A caller rang and got the PIN prompt (signed); returns the leg for its DTMF."""
    leg = new_uuid()
    response = signed(answer(leg), clock).send(client)
    assert response.status_code == 200 and response.get_json()[-1]["action"] == "input"
    return leg


def audit_rows(services) -> int:
    return len(services.store.webhook_log.recent(limit=10_000))


def refused_with(response, reason: str) -> None:
    assert (response.status_code, response.get_json()) == (401, {"error": f"unauthorized: {reason}"})


# -- every rule, on the request that matters most: the right PIN of a live meeting -------------

RSA_PRIVATE_PEM = make_rsa_keypair()[0]


def tampered(call: WebhookCall, clock) -> str:
    """Signed for a wrong PIN, delivered with the right one."""
    payload = json.loads(call.body)
    payload["dtmf"]["digits"] = "000000000"
    return bearer(call.with_body(json.dumps(payload).encode()), clock)


FORGERIES: dict[str, tuple[Callable[[WebhookCall, object], str | None], str]] = {
    "unsigned": (lambda call, clock: None, "missing Bearer token"),
    "not a Bearer token": (lambda call, clock: bearer(call, clock).replace("Bearer ", "Basic "),
                           "missing Bearer token"),
    "garbage": (lambda call, clock: "Bearer garbage", "bad signature"),
    "another account's secret": (lambda call, clock: bearer(call, clock, OTHER_SECRET), "bad signature"),
    "alg none": (lambda call, clock: bearer(call, clock, None, algorithm="none"), "bad signature"),
    "RS256": (lambda call, clock: bearer(call, clock, RSA_PRIVATE_PEM, algorithm="RS256"), "bad signature"),
    "iat too old": (lambda call, clock: bearer(call, clock, iat=clock.now() - WINDOW - 2),
                    "iat outside the accepted window"),
    "iat too far ahead": (lambda call, clock: bearer(call, clock, iat=clock.now() + WINDOW + 2),
                          "iat outside the accepted window"),
    "iat missing": (lambda call, clock: bearer(call, clock, without=["iat"]), "iat missing"),
    "iat not a number": (lambda call, clock: bearer(call, clock, iat=str(int(clock.now()))), "iat missing"),
    "exp passed": (lambda call, clock: bearer(call, clock, exp=int(clock.now()) - WINDOW - 2), "token expired"),
    "another application": (lambda call, clock: bearer(call, clock, application_id="bbbbbbbb-0000-4000-8000-"
                                                                                   "000000000000"),
                            "application_id is not ours"),
    "another account's api_key": (lambda call, clock: bearer(call, clock, api_key="ffff0000"),
                                  "api_key is not ours"),
    "jti missing": (lambda call, clock: bearer(call, clock, without=["jti"]), "jti missing"),
    "jti not a string": (lambda call, clock: bearer(call, clock, jti=7), "jti missing"),
    "no payload_hash on a POST": (lambda call, clock: bearer(call, clock, without=["payload_hash"]),
                                  "payload_hash missing"),
    "body tampered": (tampered, "payload_hash does not match"),
}


@pytest.mark.parametrize("forgery", FORGERIES, ids=list(FORGERIES))
def test_forged_right_pin_is_refused_writes_nothing_and_the_genuine_one_still_joins(
        forgery, start_meeting, client, services, clock):
    meeting = start_meeting()
    leg = answered_call(client, clock)
    right_pin = dtmf(leg, meeting.pin)
    make_header, reason = FORGERIES[forgery]
    header = make_header(right_pin, clock)
    forged = right_pin.with_headers(Authorization=header) if header else right_pin
    rows_before, tokens_before = audit_rows(services), services.store.seen_tokens.count()

    refused_with(forged.send(client), reason)

    assert services.store.legs.callers_in(meeting.id) == 0
    assert (audit_rows(services), services.store.seen_tokens.count()) == (rows_before, tokens_before)
    assert signed(right_pin, clock).send(client).get_json()[-1]["action"] == "conversation"
    assert services.store.legs.callers_in(meeting.id) == 1


@pytest.mark.parametrize("forgery", ["unsigned", "another account's secret", "iat too old", "jti missing"])
@pytest.mark.parametrize("route", ["answer GET", "answer POST", "event"])
def test_forgeries_on_every_route_are_refused_and_record_nothing(forgery, route, client, services, clock):
    leg = new_uuid()
    call = {"answer GET": answer(leg), "answer POST": answer(leg, method="POST"),
            "event": event(leg, "completed")}[route]
    header = FORGERIES[forgery][0](call, clock)

    response = (call.with_headers(Authorization=header) if header else call).send(client)

    refused_with(response, FORGERIES[forgery][1])
    assert services.store.legs.get(leg) is None
    assert (audit_rows(services), services.store.seen_tokens.count()) == (0, 0)


def test_forged_bridge_leg_completed_leaves_the_bridge_connected(start_meeting, slack_user, client, services,
                                                                 fake_opentok, clock):
    meeting = start_meeting()
    slack_user.click("dial_out", meeting.id)
    leg = new_uuid()
    bridge_answer = signed(bridge_leg_answer(dialled(fake_opentok, services, meeting.id), leg), clock)
    assert bridge_answer.send(client).get_json()[-1]["action"] == "conversation"

    refused_with(event(leg, "completed", from_="opentok").signed(OTHER_SECRET, clock.now()).send(client),
                 "bad signature")

    assert services.store.bridges.active(meeting.id).state == "connected"
    assert fake_opentok.requests("force_disconnect") == []


def jws(header: dict, claims: dict, key: bytes = SECRET.encode()) -> str:
    """A compact JWS written out by hand, for headers PyJWT would not write."""
    def segment(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    signing_input = f"{segment(header)}.{segment(claims)}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


CLAIMS = {"iat": 1700000000, "jti": "2a5d0a4c-6d0f-4a4e-9c1f-0c2b1f3e4d5a", "iss": "Vonage"}


@pytest.mark.parametrize("token, claims", [
    (jwt.encode(CLAIMS, SECRET, algorithm="HS256"), CLAIMS),
    (jws({"alg": "HS256"}, CLAIMS), CLAIMS),
    (jws({"alg": "HS256", "typ": "JWT", "kid": "k1"}, CLAIMS), CLAIMS),
    (jws({"alg": "HS256", "crit": ["exp"]}, CLAIMS), None),
    (jws({"alg": "HS512"}, CLAIMS), None),
    (jws({"alg": "hs256"}, CLAIMS), None),
    (jws({"alg": "HS256"}, CLAIMS, key=OTHER_SECRET.encode()), None),
    (jwt.encode(CLAIMS, SECRET, algorithm="HS256") + "=", None),
    (jwt.encode(CLAIMS, SECRET, algorithm="HS256").replace(".", "..", 1), None),
    (jws({"alg": "HS256"}, CLAIMS).rsplit(".", 1)[0] + ".", None),
    (jws({"alg": "HS256"}, ["not", "an", "object"]), None),  # type: ignore[arg-type]
    ("eyJé" + jwt.encode(CLAIMS, SECRET, algorithm="HS256")[3:], None),
], ids=["PyJWT", "no typ", "typ and kid", "crit", "HS512", "alg case", "other key", "padding",
        "four segments", "no signature", "claims not an object", "not ASCII"])
def test_hs256_tokens_are_checked_exactly(token, claims):
    assert verified_claims(token, SECRET.encode()) == claims


# -- what is accepted ----------------------------------------------------------------------------

@pytest.mark.parametrize("claims", [
    {"iat_offset": -(WINDOW - 2)}, {"iat_offset": WINDOW - 2}, {"without": ["application_id"]},
    {"without": ["api_key"]}, {"exp_offset": 60},
], ids=["iat 298 s old", "iat 298 s ahead", "no application_id", "no api_key", "exp to come"])
def test_tokens_within_the_rules_are_accepted(claims, client, clock):
    call = answer(new_uuid())
    claims = dict(claims)
    iat = clock.now() + claims.pop("iat_offset", 0)
    if "exp_offset" in claims:
        claims["exp"] = int(clock.now()) + claims.pop("exp_offset")
    response = signed(call, clock, iat=iat, **claims).send(client)
    assert response.status_code == 200
    assert [action["action"] for action in response.get_json()] == ["talk", "input"]


def test_the_window_follows_the_apps_clock(client, clock):
    call = signed(answer(new_uuid()), clock)
    clock.advance(WINDOW + 2)  # the request arrives late by the app's (injected) clock
    refused_with(call.send(client), "iat outside the accepted window")


def test_signed_post_answer_is_served(client, clock):
    response = signed(answer(new_uuid(), method="POST"), clock).send(client)
    assert response.status_code == 200
    assert [action["action"] for action in response.get_json()] == ["talk", "input"]


def test_signed_bridge_leg_pin_and_event_are_acted_on(start_meeting, slack_user, client, services, fake_opentok,
                                                      clock):
    meeting = start_meeting()
    slack_user.click("dial_out", meeting.id)
    bridge = signed(bridge_leg_answer(dialled(fake_opentok, services, meeting.id), new_uuid(), method="POST"),
                    clock).send(client)
    assert (bridge.status_code, bridge.get_json()[-1]["action"]) == (200, "conversation")
    leg = answered_call(client, clock)
    response = signed(dtmf(leg, meeting.pin), clock).send(client)
    assert (response.status_code, response.get_json()[-1]["action"]) == (200, "conversation")
    assert services.store.legs.callers_in(meeting.id) == 1
    assert signed(event(leg, "completed"), clock).send(client).status_code in (200, 204)
    assert services.store.legs.callers_in(meeting.id) == 0


# -- jti: once, across workers -------------------------------------------------------------------

def test_one_token_sent_200_times_to_two_workers_is_accepted_once(app, settings, client, services, clock):
    """Two app instances on one database file stand for two gunicorn workers."""
    second = create_app(settings, clock=clock, run_sweeper=False)
    try:
        captured = signed(answer(new_uuid()), clock)
        statuses: list[int] = []
        lock = threading.Lock()

        def replay(worker) -> None:
            worker_client = worker.test_client()
            mine = [captured.send(worker_client).status_code for _ in range(25)]
            with lock:
                statuses.extend(mine)

        threads = [threading.Thread(target=replay, args=(worker,)) for worker in [app, second] * 4]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        second.extensions["meetbridge.shutdown"]()
    assert Counter(statuses) == {200: 1, 401: 199}
    assert services.store.seen_tokens.count() == 1


def test_a_refused_request_does_not_use_up_its_token(start_meeting, client, services, clock):
    """The jti is recorded last: a tampered copy arriving first cannot burn Vonage's request."""
    meeting = start_meeting()
    leg = answered_call(client, clock)
    genuine = signed(dtmf(leg, meeting.pin), clock)
    tampered_copy = genuine.with_body(genuine.body.replace(meeting.pin.encode(), b"000000000"))

    refused_with(tampered_copy.send(client), "payload_hash does not match")
    assert genuine.send(client).get_json()[-1]["action"] == "conversation"
    refused_with(genuine.send(client), "token already used")


def test_seen_tokens_are_pruned_after_the_window(client, services, clock):
    signed(answer(new_uuid()), clock).send(client)
    services.store.seen_tokens.prune(before=clock.now() - 2 * WINDOW - 60)
    assert services.store.seen_tokens.count() == 1
    services.store.seen_tokens.prune(before=clock.now() + 1)
    assert services.store.seen_tokens.count() == 0


# -- what a POST and a GET are signed over ----------------------------------------------------

def test_a_posts_fields_never_come_from_its_query_string(start_meeting, client, services, clock):
    meeting = start_meeting()
    leg = answered_call(client, clock)
    fields = {"uuid": leg, "conversation_uuid": f"CON-{leg}", "from": "447700900123", "to": "15550100000",
              "dtmf": meeting.pin}
    empty = WebhookCall("POST", "/voice-dtmf", query=fields)  # signed: payload_hash of b""

    response = signed(empty, clock).send(client)

    assert (response.status_code, response.get_json()) == (400, {"error": "'uuid' is required"})
    wrong_in_body = dtmf(leg, "000000000")
    response = signed(WebhookCall("POST", "/voice-dtmf", query=fields, body=wrong_in_body.body,
                                  headers=wrong_in_body.headers), clock).send(client)
    assert response.get_json()[-1]["action"] == "input"  # the body's wrong PIN: asked again
    assert services.store.legs.callers_in(meeting.id) == 0


def test_a_bodyless_token_does_not_sign_a_post(client, services, clock):
    """A GET's JWT has no payload_hash: replayed on a POST it must not vouch for that body."""
    leg = new_uuid()
    get_token = vonage_bearer(SECRET, b"", clock.now(), application_id=APP_ID)
    refused_with(answer(leg, method="POST").with_headers(Authorization=get_token).send(client),
                 "payload_hash missing")
    assert services.store.legs.get(leg) is None


def test_a_get_carries_no_body(client, clock):
    call = signed(answer(new_uuid()), clock).with_body(b'{"uuid": "x"}')
    refused_with(call.with_headers(**{"Content-Type": "application/json"}).send(client), "a GET carries no body")


def test_get_payload_hash_is_vonages_rule_for_query_strings(client, clock):
    """The object of the query parameters in their original order, JSON with no whitespace,
    non-ASCII as is (JSON.stringify), SHA-256 hex: written out by hand here."""
    leg = new_uuid()
    query = (f"to=15550100000&uuid={leg}&conversation_uuid=CON-{leg}&from=447700900123"
             "&SipHeader_X-Note=Zo%C3%AB+%22x%22")
    text = (f'{{"to":"15550100000","uuid":"{leg}","conversation_uuid":"CON-{leg}","from":"447700900123",'
            '"SipHeader_X-Note":"Zoë \\"x\\""}')
    token = vonage_bearer(SECRET, iat=clock.now(), application_id=APP_ID,
                          payload_hash=hashlib.sha256(text.encode()).hexdigest())

    response = client.get(f"/voice-answer?{query}", headers={"Authorization": token})

    assert (response.status_code, response.get_json()[-1]["action"]) == (200, "input")


@pytest.mark.parametrize("change", ["another uuid", "parameters reordered", "parameter added"])
def test_get_query_changed_after_signing_is_refused(change, client, services, clock):
    leg, other = new_uuid(), new_uuid()
    call = answer(leg)
    header = bearer(call, clock)
    query = dict(call.query)
    if change == "another uuid":
        query["uuid"] = other
    elif change == "parameters reordered":
        query = dict(reversed(list(query.items())))
    else:
        query["SipHeader_X-Meetbridge-Meeting"] = "m"
    response = WebhookCall("GET", "/voice-answer", query=query, headers={"Authorization": header}).send(client)
    refused_with(response, "payload_hash does not match")
    assert services.store.legs.get(leg) is None and services.store.legs.get(other) is None


def test_a_get_without_payload_hash_is_accepted(client, clock):
    """Vonage documents the GET hash as optional to check; a token without one is taken."""
    token = vonage_bearer(SECRET, b"", clock.now(), application_id=APP_ID)
    assert answer(new_uuid()).with_headers(Authorization=token).send(client).status_code == 200


# -- the log -------------------------------------------------------------------------------------

def test_a_refusal_is_one_log_event_without_token_body_or_query(client, clock, caplog):
    leg = new_uuid()
    call = answer(leg, method="GET")
    token = bearer(call, clock, OTHER_SECRET)
    caplog.set_level(logging.DEBUG)

    call.with_headers(Authorization=token).send(client)

    refusals = [record for record in caplog.records if record.getMessage() == "webhook refused"]
    assert [(r.levelname, r.route, r.reason) for r in refusals] == [("WARNING", "/voice-answer", "bad signature")]
    logged = " ".join(str(record.__dict__) for record in caplog.records)
    for secret_part in (token.removeprefix("Bearer "), token.split(".")[1], leg, "447700900123"):
        assert secret_part not in logged


# -- /video-events ---------------------------------------------------------------------------------

def video_callback(session_id: str, connection_id: str) -> WebhookCall:
    body = json.dumps({"sessionId": session_id, "projectId": "47000001", "event": "connectionCreated",
                       "timestamp": 1470257688309,
                       "connection": {"id": connection_id, "createdAt": 1470257688143, "data": ""}}).encode()
    return WebhookCall("POST", "/video-events", body=body, headers={"Content-Type": "application/json"})


def test_video_callbacks_signed_by_vonage_are_answered_200_once(start_meeting, client, services, clock):
    meeting = start_meeting()
    callback = video_callback(meeting.session_id, "conn-ada").signed(SECRET, clock.now())

    assert (callback.send(client).status_code, callback.send(client).status_code) == (200, 401)
    assert services.store.meetings.get(meeting.id).video_participants == 1
    unknown = video_callback("1_not-ours", "conn-x").signed(SECRET, clock.now())
    assert (unknown.send(client).status_code, unknown.send(client).status_code) == (200, 401)
    assert video_callback(meeting.session_id, "conn-bob").send(client).status_code == 401
    assert video_callback(meeting.session_id, "conn-bob").signed(OTHER_SECRET).send(client).status_code == 401
    assert services.store.meetings.get(meeting.id).video_participants == 1


# -- start-up ------------------------------------------------------------------------------------

def app_process(env: dict[str, str], cwd: Path) -> subprocess.Popen:
    """`python app.py` as an operator runs it, from a directory without a .env."""
    process_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_PROXY": "127.0.0.1,localhost",
                   "PYTHONIOENCODING": "utf-8", "HOME": str(cwd), **env}
    return subprocess.Popen([sys.executable, str(PROJECT_ROOT / "app.py")], cwd=cwd, env=process_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_public_server_url_without_the_secret_exits_2_with_one_message(base_env, tmp_path):
    env = {name: value for name, value in base_env.items() if name != "VONAGE_SIGNATURE_SECRET"}
    process = app_process({**env, "SERVER_URL": "https://meet.example.com"}, tmp_path)
    try:
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 2
    assert stderr.count("VONAGE_SIGNATURE_SECRET") == 1, stderr
    assert "VONAGE_SIGNATURE_SECRET is missing" in stderr and "Signature secret" in stderr
    assert "Traceback" not in stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_up_lines(env: dict[str, str], cwd: Path) -> list[str]:
    """What `python app.py` writes to stderr up to "listening" (then it is stopped)."""
    process = app_process(env, cwd)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stderr.readline, "")), daemon=True)
    reader.start()
    deadline = time.monotonic() + 60
    try:
        while not any("is listening" in line for line in lines) and time.monotonic() < deadline:
            assert process.poll() is None, "".join(lines)
            time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(timeout=20)
        reader.join(timeout=5)
    assert any("is listening" in line for line in lines), "".join(lines)
    return lines


def test_loopback_start_up_says_once_that_webhooks_are_unsigned(base_env, tmp_path):
    port = free_port()
    env = {**base_env, "PORT": str(port), "SERVER_URL": f"http://127.0.0.1:{port}"}
    del env["VONAGE_SIGNATURE_SECRET"]

    lines = start_up_lines(env, tmp_path)

    warnings = [json.loads(line) for line in lines if "not signed" in line]
    assert [(w["level"], w["name"]) for w in warnings] == [("WARNING", "meetbridge.webhooks")]
    assert "VONAGE_SIGNATURE_SECRET" in warnings[0]["message"]


@pytest.mark.parametrize("signing", [True, False], ids=["signed", "unsigned"])
def test_only_unsigned_start_up_says_so(signing, base_env, clock, caplog):
    env = base_env if signing else {k: v for k, v in base_env.items() if k != "VONAGE_SIGNATURE_SECRET"}
    caplog.set_level(logging.INFO)
    app = create_app(load_settings(env), clock=clock, run_sweeper=False)
    app.extensions["meetbridge.shutdown"]()
    said = [r.levelname for r in caplog.records if r.getMessage().startswith("voice webhooks are not signed")]
    assert said == ([] if signing else ["WARNING"])


# -- the hottest routes record the token with their first write ----------------------------------

def test_a_signed_answer_and_right_pin_each_cost_one_write_with_the_token_in_it(start_meeting, client, services,
                                                                              clock):
    meeting = start_meeting()
    for _ in range(2):  # two callers in: nobody waits for music
        leg = answered_call(client, clock)
        assert signed(dtmf(leg, meeting.pin), clock).send(client).get_json()[-1]["action"] == "conversation"
    leg = new_uuid()
    answering = signed(answer(leg, from_="447700900003"), clock)
    keying = signed(dtmf(leg, meeting.pin, from_="447700900003"), clock)
    tokens = services.store.seen_tokens.count()
    with statements_of_this_thread(services.store.database) as answered:
        assert answering.send(client).get_json()[-1]["action"] == "input"
    with statements_of_this_thread(services.store.database) as keyed:
        assert keying.send(client).get_json()[-1]["action"] == "conversation"
    assert answered == ["execute_then_read"]  # token, leg and the PIN gate: one call
    assert keyed == ["execute_then_reads"]  # token, PIN entry, read-back and the waiting rules' read
    assert services.store.seen_tokens.count() == tokens + 2
    refused_with(answering.send(client), "token already used")
    refused_with(keying.send(client), "token already used")


def test_a_replayed_pin_entry_is_refused_before_it_counts_an_attempt(client, services, clock):
    leg = answered_call(client, clock)
    wrong = signed(dtmf(leg, "000000000"), clock)
    assert wrong.send(client).get_json()[-1]["action"] == "input"
    refused_with(wrong.send(client), "token already used")  # the same token and body again
    assert services.store.legs.get(leg).attempts == 1  # the replay counted no attempt


def test_a_signed_request_with_a_malformed_payload_uses_its_token_up(client, services, clock):
    empty = signed(WebhookCall("POST", "/voice-answer", query={}), clock)  # signed, but no uuid
    response = empty.send(client)
    assert (response.status_code, response.get_json()) == (400, {"error": "'uuid' is required"})
    refused_with(empty.send(client), "token already used")
    assert services.store.seen_tokens.count() == 1
