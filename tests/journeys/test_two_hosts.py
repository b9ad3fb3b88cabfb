"""Two app hosts, one PostgreSQL database: two gunicorn masters (two workers each) on their own
ports with the same settings, driven over real HTTP the way Slack and Vonage drive them.

- 50 parallel `/meet` split across the hosts make 50 meetings with 50 distinct PINs;
- a caller keys the PIN on host 1 while its call events reach host 2: the store and the card
  count exactly the callers still on;
- host 1 dies (kill -9 of its master and workers) with a bridge and callers connected: host 2's
  sweeper ends the meeting when it expires and hangs everything up.

The modules' hosts are shared (starting gunicorn costs seconds); the kill comes last.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest
import requests

from bench.harness import fakes
from meetbridge.storage import Store, open_store
from tests.conftest import SIGNING_SECRET
from tests.fakes import FakeOpenTok, FakeSlack, FakeVonage, unused_port
from tests.journeys.hosts import Host, host_env, hosts
from tests.postgres import Cluster
from tests.signing import block_action_body, new_trigger_id, slack_headers, slash_command_body
from tests.vonage_calls import answer, bridge_leg_answer, dtmf, event, new_uuid
from tests.waiting import wait_until

MEETING_TTL_SECONDS = 12.0  # the kill test waits for it; each other test is done with its meeting in 1-3 s
RULES = {"MEETING_TTL_HOURS": f"{MEETING_TTL_SECONDS / 3600:.6f}", "SWEEP_SECONDS": "0.5"}
PARALLEL_MEETS = 50
CALLERS = 10
LEAVING = 4  # of CALLERS: their `completed` events reach host 2
HTTP_TIMEOUT = 10
CARD_SETTLE_SECONDS = 1.5  # longer than the 1 s a host keeps between two updates of one card


@dataclass
class TwoHosts:
    """Both hosts, the fakes they share and the store the test reads the database through."""

    host1: Host
    host2: Host
    slack: FakeSlack
    opentok: FakeOpenTok
    vonage: FakeVonage
    store: Store
    sqlite_path: Path


@pytest.fixture(scope="module")
def two_hosts(postgres_cluster: Cluster, tmp_path_factory) -> Iterator[TwoHosts]:
    database_url = postgres_cluster.checkout()
    log_dir = tmp_path_factory.mktemp("two-hosts")
    sqlite_path = log_dir / "never-created.db"
    with fakes() as (slack, opentok, vonage, private_pem):
        proxy = f"http://127.0.0.1:{unused_port()}"  # the public URL (the proxy's): never called here
        env = host_env((slack, opentok, vonage), private_pem, database_url, str(sqlite_path), proxy, **RULES)
        with hosts(env, log_dir) as (host1, host2):
            store = open_store(database_url)
            try:
                yield TwoHosts(host1, host2, slack, opentok, vonage, store, sqlite_path)
            finally:
                store.close()
    postgres_cluster.checkin(database_url)


# -- Slack's side ---------------------------------------------------------------------------------

def post_slack(host: Host, body: str) -> int:
    return requests.post(f"{host.url}/slack/events", data=body, headers=slack_headers(SIGNING_SECRET, body),
                         timeout=HTTP_TIMEOUT).status_code


def meet(host: Host, slack: FakeSlack, team: str, channel: str, user: str) -> int:
    """A signed `/meet` as Slack sends it."""
    return post_slack(host, slash_command_body(f"{channel} {user}", user_id=user, channel_id=channel, team_id=team,
                                               response_url=slack.response_url(f"{channel}-{user}")))


def click(host: Host, slack: FakeSlack, action_id: str, meeting_id: str, team: str, channel: str, user: str) -> int:
    """A card button click, with a trigger_id of its own as Slack gives every click."""
    body = block_action_body(action_id, meeting_id, user_id=user, team_id=team, channel_id=channel,
                             response_url=slack.response_url(f"click-{uuid.uuid4().hex}"))
    fields = dict(parse_qsl(body))
    payload = json.loads(fields["payload"])
    payload["trigger_id"] = new_trigger_id()
    return post_slack(host, urlencode({"payload": json.dumps(payload)}))


def cards_in(slack: FakeSlack, channel: str) -> list[dict]:
    return [card for card in slack.requests("chat.postMessage") if card.get("channel") == channel]


def card_pin(card: dict) -> str:
    text = json.dumps(card["blocks"])
    start = text.index("PIN:* `") + len("PIN:* `")
    return text[start:text.index("`", start)].replace(" ", "")  # shown grouped: "123 456 789"


def meeting_of(card: dict) -> str:
    return card["blocks"][1]["accessory"]["url"].rsplit("/", 1)[-1]


def start_meeting(host: Host, slack: FakeSlack, team: str, channel: str, user: str = "U0HOST") -> tuple[str, str]:
    """`/meet` on `host`; (meeting id, PIN) read off the posted card, as a person reads them."""
    assert meet(host, slack, team, channel, user) == 200
    wait_until(lambda: cards_in(slack, channel), timeout=HTTP_TIMEOUT)
    card = cards_in(slack, channel)[0]
    return meeting_of(card), card_pin(card)


def status_line(slack: FakeSlack, channel: str) -> str | None:
    """The card's live status line (its context block) in the latest chat.update in `channel`."""
    updates = [update for update in slack.requests("chat.update") if update.get("channel") == channel]
    for update in reversed(updates):
        for block in update.get("blocks") or []:
            if block["type"] == "context":
                return block["elements"][0]["text"]
    return None


# -- Vonage's side --------------------------------------------------------------------------------

def connect_bridge(dialled_on: Host, answered_on: Host, world: TwoHosts, meeting_id: str, team: str,
                   channel: str) -> str:
    """Connect by the card's button on one host; Vonage answers the SIP leg on the other.
    The leg is registered at the fake Vonage: a call Vonage really placed. Its uuid."""
    dials = len(world.opentok.requests("dial"))
    assert click(dialled_on, world.slack, "dial_out", meeting_id, team, channel, "U0HOST") == 200
    dial = world.opentok.wait_for("dial", dials + 1, timeout=HTTP_TIMEOUT)[dials]
    wait_until(lambda: getattr(world.store.bridges.latest(meeting_id), "connection_id", None), timeout=HTTP_TIMEOUT)
    leg = world.vonage.add_call(new_uuid(), from_="sip:opentok@sip.nexmo.com")
    answered = answered_on.vonage_side.send(bridge_leg_answer(dial, leg))
    assert [action["action"] for action in answered.json()] == ["conversation"], answered.text
    wait_until(lambda: getattr(world.store.bridges.active(meeting_id), "state", None) == "connected",
               timeout=HTTP_TIMEOUT)
    return leg


def call_in(host: Host, world: TwoHosts, pin: str, number: str) -> str:
    """A caller rings and keys the PIN on `host` and lands in the conference; the leg's uuid."""
    leg = world.vonage.add_call(new_uuid(), to="15550100000", from_=number)
    assert host.vonage_side.send(answer(leg, from_=number)).status_code == 200
    keyed = host.vonage_side.send(dtmf(leg, pin, from_=number))
    assert [action["action"] for action in keyed.json()][-1] == "conversation", keyed.text
    return leg


def live_callers(store: Store, meeting_id: str) -> set[str]:
    return {leg.uuid for leg in store.legs.live_legs(meeting_id)}


# -- the journeys ---------------------------------------------------------------------------------

def test_fifty_parallel_meets_across_two_hosts_make_fifty_meetings_with_fifty_distinct_pins(two_hosts):
    world = two_hosts
    channel, team = "C0FIFTY", "T0FIFTY"
    served_before = [host.requests_served("POST /slack/events") for host in (world.host1, world.host2)]

    def one(person: int) -> int:
        return meet((world.host1, world.host2)[person % 2], world.slack, team, channel, f"U{person:04d}")

    with ThreadPoolExecutor(max_workers=PARALLEL_MEETS) as pool:
        assert list(pool.map(one, range(PARALLEL_MEETS))) == [200] * PARALLEL_MEETS
    wait_until(lambda: len(cards_in(world.slack, channel)) == PARALLEL_MEETS, timeout=30)

    meetings = world.store.database.query(
        "SELECT meetings.id, meetings.pin, pins.meeting_id AS pin_owner FROM meetings "
        "LEFT JOIN pins ON pins.pin = meetings.pin AND pins.released_at IS NULL WHERE team_id = ?", [team])
    assert len(meetings) == PARALLEL_MEETS
    assert len({meeting["pin"] for meeting in meetings}) == PARALLEL_MEETS
    assert [meeting for meeting in meetings if meeting["pin_owner"] != meeting["id"]] == []
    cards = cards_in(world.slack, channel)
    assert {(meeting_of(card), card_pin(card)) for card in cards} == {(m["id"], m["pin"]) for m in meetings}
    wait_until(lambda: [host.requests_served("POST /slack/events") for host in (world.host1, world.host2)]
               == [served + PARALLEL_MEETS // 2 for served in served_before])  # the access log lags a little


def test_pin_keyed_on_host_one_and_call_events_on_host_two_count_callers_exactly(two_hosts):
    world = two_hosts
    channel, team = "C0COUNT", "T0COUNT"
    meeting_id, pin = start_meeting(world.host1, world.slack, team, channel)
    connect_bridge(world.host2, world.host1, world, meeting_id, team, channel)

    def caller(index: int) -> str:
        """PIN on host 1; the call's events on host 2 (`answered`, and for some `completed`)."""
        leg = call_in(world.host1, world, pin, f"4477009{index:05d}")
        assert world.host2.vonage_side.send(event(leg, "answered")).status_code == 200
        if index < LEAVING:
            assert world.host2.vonage_side.send(event(leg, "completed")).status_code == 200
        return leg

    with ThreadPoolExecutor(max_workers=CALLERS) as pool:
        legs = list(pool.map(caller, range(CALLERS)))

    staying = CALLERS - LEAVING
    assert live_callers(world.store, meeting_id) == set(legs[LEAVING:])
    assert world.store.legs.callers_in(meeting_id) == staying
    expected = f"Phone bridge: *connected* · {staying} phone callers"
    wait_until(lambda: status_line(world.slack, channel) == expected, timeout=HTTP_TIMEOUT)
    time.sleep(CARD_SETTLE_SECONDS)  # no host publishes a stale count afterwards
    assert status_line(world.slack, channel) == expected


def test_host_one_killed_mid_meeting_host_two_ends_it_at_expiry_and_hangs_everything_up(two_hosts):
    world = two_hosts
    channel, team = "C0KILL", "T0KILL"
    meeting_id, pin = start_meeting(world.host1, world.slack, team, channel)
    bridge_leg = connect_bridge(world.host1, world.host1, world, meeting_id, team, channel)
    callers = [call_in(world.host1, world, pin, f"4477008{index:05d}") for index in range(3)]
    bridge, meeting = world.store.bridges.active(meeting_id), world.store.meetings.get(meeting_id)
    assert bridge is not None and meeting is not None and meeting.ended_at is None
    assert live_callers(world.store, meeting_id) == set(callers)

    world.host1.kill_9()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{world.host1.url}/healthz", timeout=2)

    wait_until(lambda: world.store.meetings.get(meeting_id).ended_at is not None,
               timeout=MEETING_TTL_SECONDS + 10)
    ended = world.store.meetings.get(meeting_id)
    assert ended is not None and ended.ended_reason == "expired"
    assert ended.ended_at >= meeting.expires_at
    hung_up = lambda: {request["uuid"] for request in world.vonage.requests("hangup")}  # noqa: E731
    wait_until(lambda: {bridge_leg, *callers} <= hung_up(), timeout=HTTP_TIMEOUT)
    assert world.store.bridges.active(meeting_id) is None
    assert live_callers(world.store, meeting_id) == set()
    disconnected = {request.get("connection_id") for request in world.opentok.requests("force_disconnect")}
    assert bridge.connection_id in disconnected
    assert not world.sqlite_path.exists()  # every host used PostgreSQL
