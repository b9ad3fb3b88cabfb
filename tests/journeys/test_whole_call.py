"""A whole call over real HTTP, driven the way Slack and Vonage drive the app:
/meet → Connect → the bridge leg joins the conversation → a phone caller keys the PIN →
the card follows the callers → Hang up drops both sides. Also measures webhook answer times."""

from __future__ import annotations

import json
import re
import statistics
import time
from dataclasses import dataclass

import pytest
import requests

from tests.conftest import SIGNING_SECRET, VOICE_KEY, VOICE_SECRET
from tests.signing import block_action_body, slack_headers, slash_command_body
from tests.vonage_calls import (
    WebhookCall,
    answer,
    bridge_leg_answer,
    dtmf,
    event,
    new_uuid,
    post_json,
    status_lines,
    wait_for_status,
)
from tests.waiting import wait_until

SIP_URI = "sip:15550100000@sip.nexmo.com;transport=tls"
TIMED_REQUESTS = 200


@dataclass
class SlackOverHttp:
    """Signed Slack requests to the live server, as Slack's own servers send them."""

    base_url: str
    fake_slack: object
    user_id: str = "U0ADA"

    def meet(self, topic: str) -> requests.Response:
        body = slash_command_body(topic, self.user_id, response_url=self.fake_slack.response_url("meet"))
        return self._post(body)

    def click(self, action_id: str, meeting_id: str, response_key: str) -> requests.Response:
        body = block_action_body(action_id, meeting_id, self.user_id,
                                 response_url=self.fake_slack.response_url(response_key))
        return self._post(body)

    def _post(self, body: str) -> requests.Response:
        return requests.post(self.base_url + "/slack/events", data=body,
                             headers=slack_headers(SIGNING_SECRET, body), timeout=10)


def start_meeting_over_http(slack: SlackOverHttp, fake_slack, topic: str) -> tuple[str, str]:
    """/meet, then read the meeting id and PIN off the posted card, as a person would."""
    assert slack.meet(topic).status_code == 200
    card = fake_slack.wait_for("chat.postMessage")[-1]
    meeting_id = card["blocks"][1]["accessory"]["url"].rsplit("/", 1)[-1]
    pin = re.search(r"PIN ([\d ]*\d)", card["text"]).group(1).replace(" ", "")  # shown grouped
    return meeting_id, pin


def follow_input(prompt: list[dict], leg: str, digits: str, base_url: str) -> requests.Response:
    """Key digits into the NCCO's input action: Vonage posts them to its eventUrl."""
    (event_url,) = prompt[-1]["eventUrl"]
    assert event_url.startswith(base_url)
    call = dtmf(leg, digits)
    return WebhookCall("POST", event_url.removeprefix(base_url), body=call.body,
                       headers=call.headers).over_http(base_url)


def say_name(prompt: list[dict], leg: str, text: str, base_url: str) -> requests.Response:
    """Answer the NCCO's speech input: Vonage posts what it recognised to its eventUrl."""
    (event_url,) = prompt[-1]["eventUrl"]
    assert event_url.startswith(base_url)
    call = post_json(event_url.removeprefix(base_url), {
        "uuid": leg, "conversation_uuid": f"CON-{leg}", "from": "447700900123", "to": "15550100000",
        "timestamp": "2030-03-17T17:46:40.000Z", "dtmf": {"digits": None, "timed_out": False},
        "speech": {"timeout_reason": "end_on_silence_timeout", "results": [{"text": text, "confidence": "0.93"}]}})
    return call.over_http(base_url)


@pytest.mark.parametrize("extra_env", [{"ASK_CALLER_NAME": "true"}])
def test_whole_call_from_connect_to_hang_up(live_server, fake_slack, fake_opentok, fake_vonage):
    base_url = live_server.url
    slack = SlackOverHttp(base_url, fake_slack)
    meeting_id, pin = start_meeting_over_http(slack, fake_slack, "Quarterly review")
    services = live_server.app.extensions["meetbridge"]
    session_id = services.store.meetings.get(meeting_id).session_id
    conference = services.store.meetings.get(meeting_id).conversation_name  # random, not the id

    # Connect: the video session dials our number with digest auth and our own headers.
    assert slack.click("dial_out", meeting_id, "connect").status_code == 200
    dial = fake_opentok.wait_for("dial")[0]
    assert (dial["sessionId"], dial["sip"]["uri"]) == (session_id, SIP_URI)
    assert dial["sip"]["auth"] == {"username": VOICE_KEY, "password": VOICE_SECRET}
    assert dial["sip"]["headers"]["X-Meetbridge-Meeting"] == meeting_id

    # Vonage answers the SIP leg: with our headers it joins the meeting's conversation.
    bridge_leg = fake_vonage.add_call(new_uuid(), from_="sip:opentok@sip.nexmo.com")
    bridge_answer = bridge_leg_answer(dial, bridge_leg).over_http(base_url)
    assert (bridge_answer.status_code, bridge_answer.headers["Content-Type"]) == (200, "application/json")
    assert bridge_answer.json() == [{"action": "conversation", "name": conference, "startOnEnter": True,
                                     "endOnExit": False}]
    seen = wait_for_status(fake_slack, "Phone bridge: *connected* · 0 phone callers")

    # A phone caller rings, is asked for the PIN, keys it, says their name and lands in the
    # same conversation.
    caller = new_uuid()
    for status in ("started", "ringing", "answered"):
        assert event(caller, status).over_http(base_url).status_code == 200
    prompt = answer(caller).over_http(base_url).json()
    assert [action["action"] for action in prompt] == ["talk", "input"]
    assert prompt[-1]["dtmf"]["maxDigits"] >= len(pin)
    asked = follow_input(prompt, caller, pin, base_url).json()
    assert [action["action"] for action in asked] == ["talk", "stream", "input"]
    assert asked[0]["text"] == "After the tone, say your name." and asked[-1]["type"] == ["speech"]
    joined = say_name(asked, caller, "maria", base_url)
    assert services.store.legs.get(caller).caller_name == "Maria"
    assert joined.json() == [{"action": "talk", "text": "Joining the meeting."},
                             {"action": "input", "type": ["dtmf"], "mode": "asynchronous",
                              "eventUrl": [base_url + "/voice-keypad"], "eventMethod": "POST"},
                             {"action": "conversation", "name": conference, "startOnEnter": True,
                              "endOnExit": False}]
    seen = wait_for_status(fake_slack, "Phone bridge: *connected* · 1 phone caller", after=seen)
    wait_until(lambda: "Maria (phone)" in json.dumps(fake_slack.requests("chat.update")[-1]["blocks"]))

    # The caller hangs up: the card follows.
    assert event(caller, "completed").over_http(base_url).status_code == 200
    seen = wait_for_status(fake_slack, "Phone bridge: *connected* · 0 phone callers", after=seen)

    # Hang up: OpenTok drops the SIP connection and Vonage the bridge leg.
    (live_connection,) = fake_opentok.live_connections()
    assert slack.click("hang_up", meeting_id, "hang_up").status_code == 200
    assert fake_opentok.wait_for("force_disconnect") == [
        {"session_id": session_id, "connection_id": live_connection[1]}]
    assert fake_vonage.wait_for("hangup") == [{"uuid": bridge_leg, "action": "hangup"}]
    assert fake_vonage.call(bridge_leg)["status"] == "completed"
    wait_until(lambda: any(line.startswith("Phone bridge: *off* · 0 phone callers")
                           for line in status_lines(fake_slack)[seen:]))

    # Vonage then reports the bridge leg completed: nothing is dropped twice.
    assert event(bridge_leg, "completed", from_="opentok").over_http(base_url).status_code == 200
    assert len(fake_opentok.requests("force_disconnect")) == 1
    assert fake_slack.responses("connect") == fake_slack.responses("hang_up") == []


def percentile_ms(samples: list[float], percent: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[percent - 1] * 1000


def timed(call: WebhookCall, base_url: str) -> tuple[float, requests.Response]:
    started = time.perf_counter()
    response = call.over_http(base_url)
    return time.perf_counter() - started, response


def test_webhooks_answer_well_under_a_second_over_real_http(live_server, fake_slack):
    """Vonage gives the answer webhook 1 s to connect and 5 s to answer."""
    base_url = live_server.url
    meeting_id, pin = start_meeting_over_http(SlackOverHttp(base_url, fake_slack), fake_slack, "Timing")
    answer_times, dtmf_times = [], []
    for n in range(TIMED_REQUESTS):
        leg = new_uuid()
        seconds, prompt = timed(answer(leg, from_=f"4477009{n:05d}"), base_url)
        assert prompt.json()[-1]["action"] == "input"
        answer_times.append(seconds)
        seconds, joined = timed(dtmf(leg, pin, from_=f"4477009{n:05d}"), base_url)
        assert joined.json()[-1]["action"] == "conversation"
        dtmf_times.append(seconds)
        event(leg, "completed").over_http(base_url)  # hangs up: a meeting holds MAX_PHONE_CALLERS
    report = {name: (percentile_ms(times, 50), percentile_ms(times, 99))
              for name, times in (("/voice-answer", answer_times), ("/voice-dtmf", dtmf_times))}
    for name, (p50, p99) in report.items():
        print(f"{name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms over {TIMED_REQUESTS} sequential requests")
    assert all(p99 < 1000 for _, p99 in report.values()), report
