"""A whole call at LOG_LEVEL=DEBUG leaves no secret in the logs: not the Slack signing secret or
bot token, not the Video/Voice secrets or private key, not our SIP token, not the PIN, not a
caller's full number (its last four digits may appear), and no bearer token (JWT) of any SDK."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from pythonjsonlogger.json import JsonFormatter

from app import CHATTY_LOGGERS, create_app
from meetbridge import ncco
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, VIDEO_SECRET, VOICE_SECRET
from tests.vonage_calls import (
    CALLER_NUMBER,
    TOKEN_HEADER,
    answer,
    bridge_leg_answer,
    dialled,
    dtmf,
    event,
    new_uuid,
    status_lines,
)
from tests.waiting import wait_until

SIGNATURE_SECRET = "vonage-signature-secret-0123456789abcdef"
JWT = re.compile(r"eyJ[\w-]{8,}\.[\w-]{8,}\.")  # header.payload. of any JWT (Vonage, OpenTok REST auth)


@pytest.fixture
def base_env(base_env: dict[str, str]) -> dict[str, str]:
    """Signed voice webhooks on, so that secret is in play too."""
    return {**base_env, "VONAGE_SIGNATURE_SECRET": SIGNATURE_SECRET}


@pytest.fixture
def json_log_stream() -> Iterator[io.StringIO]:
    """What the app's JSON handler writes to stderr, for the length of one test."""
    buffer = io.StringIO()
    handlers = [h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)]
    previous = [handler.setStream(buffer) for handler in handlers]
    yield buffer
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, settings, clock):
    """The app configured with LOG_LEVEL=DEBUG while every record is captured at DEBUG."""
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    caplog.set_level(logging.DEBUG)
    flask_app = create_app(settings, clock=clock, run_sweeper=False)
    yield flask_app
    flask_app.extensions["meetbridge.shutdown"]()


def run_a_whole_call(client, slack_user, start_meeting, fake_slack, fake_opentok, fake_vonage,
                     services) -> tuple[str, dict[str, str]]:
    """/meet, join page and token, dial-out, bridge answer, a caller keys the PIN, events, hang-up,
    end. Returns the PIN and the tokens that were handed out on the way."""
    meeting = start_meeting("Board meeting")
    assert client.get(f"/rooms/{meeting.id}").status_code == 200
    visitor = client.post(f"/rooms/{meeting.id}/token", json={"name": "Grace"})
    assert visitor.status_code == 200
    slack_user.click("dial_out", meeting.id)
    dial = dialled(fake_opentok, services, meeting.id)
    bridge_leg = fake_vonage.add_call(new_uuid())
    assert bridge_leg_answer(dial, bridge_leg, secret=SIGNATURE_SECRET).send(client).status_code == 200
    event(bridge_leg, "answered", from_="opentok", secret=SIGNATURE_SECRET).send(client)

    caller = fake_vonage.add_call(new_uuid(), from_=CALLER_NUMBER)
    for status in ("started", "ringing", "answered"):
        event(caller, status, secret=SIGNATURE_SECRET).send(client)
    assert answer(caller, secret=SIGNATURE_SECRET).send(client).status_code == 200
    joined = dtmf(caller, meeting.pin, secret=SIGNATURE_SECRET).send(client).get_json()
    assert joined == ncco.join_conversation(meeting.conversation_name,
                                            keypad_url=ncco.keypad_url(services.settings.server_url))
    wait_until(lambda: any("1 phone caller" in line for line in status_lines(fake_slack)))
    event(caller, "completed", secret=SIGNATURE_SECRET).send(client)
    stays = fake_vonage.add_call(new_uuid(), from_=CALLER_NUMBER)  # hung up by End, through the Voice API
    answer(stays, secret=SIGNATURE_SECRET).send(client)
    dtmf(stays, meeting.pin, secret=SIGNATURE_SECRET).send(client)

    slack_user.click("hang_up", meeting.id)
    wait_until(lambda: services.store.bridges.active(meeting.id) is None)
    event(bridge_leg, "completed", from_="opentok", secret=SIGNATURE_SECRET).send(client)
    slack_user.click("end_meeting", meeting.id)
    fake_slack.wait_for("calls.end")
    assert [hangup["uuid"] for hangup in fake_vonage.wait_for("hangup", 2)] == [bridge_leg, stays]
    wait_until(lambda: any("Meeting ended" in str(u["blocks"]) for u in fake_slack.requests("chat.update")))
    return meeting.pin, {"meeting id (a join credential)": meeting.id,
                         "X-Meetbridge-Token": dial["sip"]["headers"][TOKEN_HEADER],
                         "visitor's video token": visitor.get_json()["token"],
                         "SIP connection's video token": dial["token"]}


def leaks(text: str, secrets: dict[str, str], pin: str) -> list[str]:
    """Names of the secrets found in `text`."""
    found = [name for name, value in secrets.items() if value in text]
    if re.search(rf"(?<!\d){pin}(?!\d)", text):
        found.append("PIN")
    if JWT.search(text):
        found.append("a JWT")
    return found


def test_a_whole_call_at_debug_level_logs_no_secret_token_pin_or_caller_number(
        client, slack_user, start_meeting, fake_slack, fake_opentok, fake_vonage, services, settings,
        caplog, capfd, json_log_stream):
    pin, tokens = run_a_whole_call(client, slack_user, start_meeting, fake_slack, fake_opentok,
                                      fake_vonage, services)
    key_lines = [line for line in settings.vonage_private_key.splitlines() if line and "-----" not in line]
    secrets = {
        "SLACK_SIGNING_SECRET": SIGNING_SECRET, "bot token": BOT_TOKEN, "VIDEO_API_SECRET": VIDEO_SECRET,
        "VOICE_API_SECRET": VOICE_SECRET, "VONAGE_SIGNATURE_SECRET": SIGNATURE_SECRET,
        **tokens, "caller number": CALLER_NUMBER,
        **{f"private key line {n}": line for n, line in enumerate(key_lines)},
    }
    formatter = JsonFormatter("{asctime}{levelname}{name}{message}", style="{")
    assert caplog.records, "nothing was logged: the test would prove nothing"
    sdk_debug = {f"{r.name}: {r.getMessage()[:80]}" for r in caplog.records
                 if r.name.split(".")[0] in CHATTY_LOGGERS and r.levelno < logging.INFO}
    assert sdk_debug == set()  # the SDKs' DEBUG output (payloads, headers) stays off at LOG_LEVEL=DEBUG
    leaked = {}
    for record in caplog.records:
        text = record.getMessage() + "\n" + formatter.format(record)
        if found := leaks(text, secrets, pin):
            leaked[f"{record.name}: {record.getMessage()[:200]}"] = found
    assert leaked == {}
    stderr = json_log_stream.getvalue() + capfd.readouterr().err
    assert leaks(stderr, secrets, pin) == []
    requests_logged = [json.loads(line) for line in json_log_stream.getvalue().splitlines()
                       if '"meetbridge.requests"' in line]
    assert {entry["route"] for entry in requests_logged} >= {"/slack/events", "/voice-answer", "/voice-dtmf",
                                                             "/voice-events", "/rooms/<meeting_id>/token"}


def test_the_leak_check_finds_what_it_looks_for():
    """The check above can fail: each kind of secret is found where it is written."""
    secrets = {"bot token": BOT_TOKEN, "caller number": CALLER_NUMBER}
    assert leaks(f"posting with {BOT_TOKEN}", secrets, "123456") == ["bot token"]
    assert leaks("caller 447700900123 joined", secrets, "123456") == ["caller number"]
    assert leaks("caller •••0123 joined", secrets, "123456") == []
    assert leaks("PIN 123456 accepted", secrets, "123456") == ["PIN"]
    assert leaks("request 91234567 took 3 ms", secrets, "123456") == []
    assert leaks("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJpYXQiOjE3MDB9.c2ln", secrets, "123456") == ["a JWT"]
