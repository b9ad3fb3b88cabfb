"""The fakes answer the REAL SDKs (slack_sdk, opentok, vonage) the way the real APIs do."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import opentok
import pytest
import requests
from opentok import MediaModes
from opentok.exceptions import AuthError, ForceDisconnectError, RequestError, SipDialError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient
from vonage import Auth, HttpClientOptions, Vonage
from vonage_http_client.errors import AuthenticationError, HttpRequestError, NotFoundError, ServerError

from . import FakeOpenTok, FakeSlack, FakeVonage, make_rsa_keypair, make_session_id

BOT_TOKEN = "xoxb-1-2-test"
OT_KEY = "47000001"
OT_SECRET = "0123456789abcdef0123456789abcdef01234567"
SIP_URI = "sip:447700900000@sip.nexmo.com;transport=tls"
VONAGE_APP_ID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"


@pytest.fixture(autouse=True)
def no_ambient_proxy_or_ca(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests must not depend on proxies or CA bundles set in the environment."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


# -- Slack ---------------------------------------------------------------------------------


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def web(slack: FakeSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=slack.api_url, timeout=5)


def test_each_fake_slack_gets_its_own_ephemeral_loopback_port(slack: FakeSlack) -> None:
    with FakeSlack() as other:
        assert other.port != slack.port
        assert other.api_url == f"http://127.0.0.1:{other.port}/api/"
        assert WebClient(token=BOT_TOKEN, base_url=other.api_url).auth_test()["ok"] is True


def test_auth_test_answers_the_bot_identity(web: WebClient) -> None:
    answer = web.auth_test()

    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == ("T0001", "U0BOT", "B0001")
    assert answer["ok"] is True and answer["url"] == FakeSlack.TEAM_URL


def test_post_message_returns_channel_ts_and_records_decoded_params(
    slack: FakeSlack, web: WebClient
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "Meeting"}}]

    answer = web.chat_postMessage(channel="C123", text="Meeting", blocks=blocks)

    assert answer["channel"] == "C123"
    assert answer["ts"] == "1700000000.000100"
    assert answer["message"]["blocks"] == blocks
    assert slack.requests("chat.postMessage") == [{"channel": "C123", "text": "Meeting", "blocks": blocks}]
    assert slack.tokens("chat.postMessage") == [BOT_TOKEN]


def test_message_ts_increase_monotonically(web: WebClient) -> None:
    stamps = [web.chat_postMessage(channel="C1", text=str(n))["ts"] for n in range(3)]

    assert stamps == sorted(stamps, key=float) and len(set(stamps)) == 3


def test_post_message_without_text_or_blocks_is_no_text(web: WebClient) -> None:
    with pytest.raises(SlackApiError) as caught, pytest.warns(UserWarning, match="text"):
        web.chat_postMessage(channel="C1")

    assert caught.value.response["error"] == "no_text"


def test_missing_token_is_not_authed(slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as caught:
        WebClient(base_url=slack.api_url).chat_postMessage(channel="C1", text="hi")

    assert caught.value.response.status_code == 200
    assert caught.value.response["error"] == "not_authed"


def test_token_outside_the_allowed_set_is_invalid_auth() -> None:
    with FakeSlack(tokens={"xoxb-good"}) as fake:
        with pytest.raises(SlackApiError) as caught:
            WebClient(token="xoxb-other", base_url=fake.api_url).auth_test()

    assert caught.value.response["error"] == "invalid_auth"


def test_fail_injects_a_slack_error_once(slack: FakeSlack, web: WebClient) -> None:
    slack.fail("chat.postMessage", error="not_in_channel")

    with pytest.raises(SlackApiError) as caught:
        web.chat_postMessage(channel="C1", text="hi")
    retried = web.chat_postMessage(channel="C1", text="hi")

    assert caught.value.response["error"] == "not_in_channel"
    assert retried["ok"] is True
    assert len(slack.requests("chat.postMessage")) == 2


def test_rate_limit_answers_429_with_retry_after(slack: FakeSlack, web: WebClient) -> None:
    slack.http_status("chat.postMessage", 429, retry_after=7)

    with pytest.raises(SlackApiError) as caught:
        web.chat_postMessage(channel="C1", text="hi")

    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "7"
    assert caught.value.response["error"] == "ratelimited"


def test_rate_limit_retry_handler_succeeds_after_one_429(slack: FakeSlack) -> None:
    slack.http_status("calls.end", 429, retry_after=0)
    client = WebClient(token=BOT_TOKEN, base_url=slack.api_url, retry_handlers=[RateLimitErrorRetryHandler()])
    call_id = client.calls_add(external_unique_id="m1", join_url="https://x/j", created_by="U1")["call"]["id"]

    assert client.calls_end(id=call_id)["ok"] is True
    assert len(slack.requests("calls.end")) == 2


def test_server_error_status_raises_slack_api_error(slack: FakeSlack, web: WebClient) -> None:
    slack.http_status("auth.test", 500)

    with pytest.raises(SlackApiError) as caught:
        web.auth_test()

    assert caught.value.response.status_code == 500


def test_unknown_method_is_unknown_method(web: WebClient) -> None:
    with pytest.raises(SlackApiError) as caught:
        web.api_call("meetings.teleport")

    assert caught.value.response["error"] == "unknown_method"


def test_chat_update_edits_a_posted_message_and_rejects_unknown_ts(slack: FakeSlack, web: WebClient) -> None:
    posted = web.chat_postMessage(channel="C1", text="ringing")

    updated = web.chat_update(channel="C1", ts=posted["ts"], text="connected")
    with pytest.raises(SlackApiError) as caught:
        web.chat_update(channel="C1", ts="1.000001", text="x")

    assert (updated["ts"], updated["text"]) == (posted["ts"], "connected")
    assert slack.message("C1", posted["ts"])["text"] == "connected"
    assert caught.value.response["error"] == "message_not_found"


def test_post_ephemeral_returns_message_ts(web: WebClient) -> None:
    answer = web.chat_postEphemeral(channel="C1", user="U1", text="only you")

    assert answer["message_ts"].startswith("1700000000.")


def test_calls_api_decodes_form_encoded_users_and_tracks_the_call(slack: FakeSlack, web: WebClient) -> None:
    added = web.calls_add(
        external_unique_id="meeting-1", join_url="https://meet/j/1", created_by="U1", users=[{"slack_id": "U1"}]
    )
    call_id = added["call"]["id"]
    web.calls_participants_add(id=call_id, users=[{"external_id": "+447700900001", "display_name": "Phone"}])
    web.calls_participants_remove(id=call_id, users=[{"external_id": "+447700900001", "display_name": "Phone"}])
    web.calls_end(id=call_id, duration=60)

    assert call_id.startswith("R")
    assert slack.requests("calls.add")[0]["users"] == [{"slack_id": "U1"}]
    assert slack.call(call_id)["has_ended"] is True
    with pytest.raises(SlackApiError) as caught:
        web.calls_end(id=call_id)
    assert caught.value.response["error"] == "inactive_call"


def test_calls_add_with_a_bot_token_requires_created_by(web: WebClient) -> None:
    with pytest.raises(SlackApiError) as caught:
        web.calls_add(external_unique_id="m", join_url="https://meet/j")

    assert caught.value.response["error"] == "invalid_arguments"


def test_oauth_v2_access_issues_a_bot_token(slack: FakeSlack) -> None:
    answer = WebClient(base_url=slack.api_url).oauth_v2_access(client_id="1.2", client_secret="s", code="c")

    assert answer["access_token"].startswith("xoxb-")
    assert answer["team"] == {"id": "T0001", "name": "Acme"}
    installed = (answer["token_type"], answer["bot_user_id"], answer["authed_user"]["id"])
    assert installed == ("bot", "U0BOT", "U0INSTALLER")


def test_views_publish_answers_the_published_home_view(web: WebClient) -> None:
    answer = web.views_publish(user_id="U1", view={"type": "home", "blocks": []})

    assert answer["ok"] is True and answer["view"]["type"] == "home"


def test_views_open_opens_one_modal_per_trigger_id(web: WebClient) -> None:
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Call my phone"}, "blocks": []}
    answer = web.views_open(trigger_id="1.2.abc", view=modal)

    assert answer["ok"] is True and answer["view"]["type"] == "modal"
    with pytest.raises(SlackApiError) as reused:
        web.views_open(trigger_id="1.2.abc", view=modal)
    assert reused.value.response["error"] == "exchanged_trigger_id"
    with pytest.raises(SlackApiError) as untitled:
        web.views_open(trigger_id="1.2.def", view={**modal, "title": {"type": "plain_text", "text": "x" * 25}})
    assert untitled.value.response["error"] == "invalid_arguments"


def test_response_url_answers_ok_text_and_records_the_post(slack: FakeSlack) -> None:
    hook = WebhookClient(slack.response_url("cmd-1"))

    answer = hook.send(text="Meeting ready", response_type="in_channel")

    assert (answer.status_code, answer.body) == (200, "ok")
    assert answer.headers["content-type"] == "text/html"
    assert slack.responses("cmd-1") == [{"text": "Meeting ready", "response_type": "in_channel"}]


def test_response_url_works_only_five_times(slack: FakeSlack) -> None:
    hook = WebhookClient(slack.response_url("k"))

    statuses = [hook.send(text=str(n)).status_code for n in range(6)]

    assert statuses == [200] * 5 + [404]


def test_wait_for_response_sees_a_post_made_after_the_ack(slack: FakeSlack) -> None:
    url = slack.response_url("late")
    threading.Timer(0.1, lambda: WebhookClient(url).send(text="done")).start()

    assert slack.wait_for_response("late", timeout=3) == [{"text": "done"}]


def test_wait_for_times_out_with_what_was_received(slack: FakeSlack, web: WebClient) -> None:
    web.auth_test()

    with pytest.raises(AssertionError, match=r"chat\.postMessage.*got 0.*'auth\.test': 1"):
        slack.wait_for("chat.postMessage", timeout=0.1)


def test_reset_forgets_requests_and_faults(slack: FakeSlack, web: WebClient) -> None:
    web.auth_test()
    slack.fail("auth.test", "invalid_auth")

    slack.reset()

    assert slack.requests("auth.test") == []
    assert web.auth_test()["ok"] is True


# -- OpenTok -------------------------------------------------------------------------------


@pytest.fixture
def tok() -> Iterator[FakeOpenTok]:
    with FakeOpenTok(OT_KEY, OT_SECRET) as fake:
        yield fake


@pytest.fixture
def ot(tok: FakeOpenTok) -> opentok.Client:
    return opentok.Client(OT_KEY, OT_SECRET, api_url=tok.url, timeout=5)


def _dial(ot: opentok.Client, session_id: str) -> opentok.sip_call.SipCall:
    return ot.dial(session_id, ot.generate_token(session_id), SIP_URI, {"headers": {"X-Meeting": "m1"}})


def test_routed_session_is_created_and_accepted_by_generate_token(tok: FakeOpenTok, ot: opentok.Client) -> None:
    session = ot.create_session(media_mode=MediaModes.routed)

    token = ot.generate_token(session.session_id)

    assert token
    assert tok.created_sessions() == {session.session_id: True}
    assert tok.requests("create_session")[0]["p2p.preference"] == "disabled"


def test_relayed_session_is_recorded_as_not_routed(tok: FakeOpenTok, ot: opentok.Client) -> None:
    session = ot.create_session()

    assert tok.created_sessions()[session.session_id] is False


def test_dial_on_a_routed_session_returns_sip_call_ids(tok: FakeOpenTok, ot: opentok.Client) -> None:
    session_id = ot.create_session(media_mode=MediaModes.routed).session_id

    call = _dial(ot, session_id)

    assert call.id and call.connectionId and call.streamId
    assert tok.live_connections() == {(session_id, call.connectionId)}
    body = tok.requests("dial")[0]
    sip = {"uri": SIP_URI, "headers": {"X-Meeting": "m1"}}
    assert body == {"sessionId": session_id, "token": body["token"], "sip": sip}


def test_dial_on_a_relayed_session_is_409_sip_dial_error(ot: opentok.Client) -> None:
    session_id = ot.create_session(media_mode=MediaModes.relayed).session_id

    with pytest.raises(SipDialError, match="does not use the OpenTok Media Router"):
        _dial(ot, session_id)


def test_dial_on_an_unknown_session_is_404_sip_dial_error(tok: FakeOpenTok, ot: opentok.Client) -> None:
    with pytest.raises(SipDialError, match="does not exist"):
        _dial(ot, make_session_id(OT_KEY))
    assert _dial(ot, tok.add_session()).connectionId


def test_dial_with_a_token_for_another_session_is_rejected(ot: opentok.Client) -> None:
    first = ot.create_session(media_mode=MediaModes.routed).session_id
    second = ot.create_session(media_mode=MediaModes.routed).session_id

    with pytest.raises(SipDialError, match="Invalid request"):
        ot.dial(first, ot.generate_token(second), SIP_URI)


def test_force_disconnect_is_204_then_force_disconnect_error(tok: FakeOpenTok, ot: opentok.Client) -> None:
    session_id = ot.create_session(media_mode=MediaModes.routed).session_id
    call = _dial(ot, session_id)

    ot.force_disconnect(session_id, call.connectionId)

    assert tok.live_connections() == set()
    with pytest.raises(ForceDisconnectError):
        ot.force_disconnect(session_id, call.connectionId)


def test_list_streams_shows_the_sip_stream_until_disconnected(ot: opentok.Client) -> None:
    session_id = ot.create_session(media_mode=MediaModes.routed).session_id
    call = _dial(ot, session_id)

    before = ot.list_streams(session_id)
    ot.force_disconnect(session_id, call.connectionId)

    assert [stream.id for stream in before.items] == [call.streamId]
    assert ot.list_streams(session_id).count == 0


def test_wrong_secret_is_refused(tok: FakeOpenTok) -> None:
    intruder = opentok.Client(OT_KEY, OT_SECRET[::-1], api_url=tok.url, timeout=5)

    with pytest.raises(RequestError, match="invalid credentials"):
        intruder.create_session(media_mode=MediaModes.routed)
    with pytest.raises(AuthError):
        intruder.dial(tok.add_session(), "token", SIP_URI)


def test_expired_project_jwt_is_refused(tok: FakeOpenTok, ot: opentok.Client) -> None:
    ot._jwt_livetime = -1  # exp one minute in the past

    with pytest.raises(AuthError):
        ot.force_disconnect(tok.add_session(), "c1")


def test_delay_slows_one_kind_without_blocking_others(tok: FakeOpenTok, ot: opentok.Client) -> None:
    tok.delay("create_session", 0.8)
    session_id = tok.add_session()
    done: list[float] = []
    started = time.monotonic()
    slow = threading.Thread(target=lambda: (ot.create_session(), done.append(time.monotonic() - started)))
    slow.start()
    tok.wait_for("create_session")

    ot.list_streams(session_id)
    fast_elapsed = time.monotonic() - started
    slow.join(5)

    assert fast_elapsed < 0.6
    assert done and done[0] >= 0.8


def test_delay_beyond_the_client_timeout_raises_a_timeout(tok: FakeOpenTok) -> None:
    tok.delay("dial", 2.5)
    impatient = opentok.Client(OT_KEY, OT_SECRET, api_url=tok.url, timeout=0.3)

    with pytest.raises(requests.exceptions.Timeout):
        _dial(impatient, tok.add_session())


def test_drop_connection_gives_a_requests_connection_error(tok: FakeOpenTok, ot: opentok.Client) -> None:
    session_id = ot.create_session(media_mode=MediaModes.routed).session_id
    tok.drop_connection("dial")

    with pytest.raises(requests.exceptions.ConnectionError):
        _dial(ot, session_id)
    assert _dial(ot, session_id).connectionId


def test_injected_server_error_becomes_request_error(tok: FakeOpenTok, ot: opentok.Client) -> None:
    tok.http_status("dial", 500)

    with pytest.raises(RequestError):
        _dial(ot, tok.add_session())


def test_refused_url_gives_a_connection_error() -> None:
    client = opentok.Client(OT_KEY, OT_SECRET, api_url=FakeOpenTok.refused_url(), timeout=2)

    with pytest.raises(requests.exceptions.ConnectionError):
        client.list_streams("1_any")


# -- Vonage Voice --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keypair() -> tuple[str, bytes]:
    return make_rsa_keypair()


@pytest.fixture
def voice_fake(keypair: tuple[str, bytes]) -> Iterator[FakeVonage]:
    with FakeVonage(VONAGE_APP_ID, keypair[1]) as fake:
        yield fake


@pytest.fixture
def trusting_env(voice_fake: FakeVonage, monkeypatch: pytest.MonkeyPatch) -> None:
    """How the app runs in tests: only REQUESTS_CA_BUNDLE points at the fake's CA."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", voice_fake.ca_bundle_path)


def _vonage(fake: FakeVonage, private_key: str, app_id: str = VONAGE_APP_ID) -> Vonage:
    return Vonage(Auth(application_id=app_id, private_key=private_key), HttpClientOptions(api_host=fake.host))


@pytest.mark.usefixtures("trusting_env")
def test_hangup_over_tls_completes_a_live_leg(voice_fake: FakeVonage, keypair: tuple[str, bytes]) -> None:
    leg = voice_fake.add_call(status="answered", to="447700900000", from_="sip:ot@sip.example.com")

    assert _vonage(voice_fake, keypair[0]).voice.hangup(leg) is None

    assert voice_fake.call(leg)["status"] == "completed"
    assert voice_fake.requests("hangup") == [{"uuid": leg, "action": "hangup"}]


def test_without_the_ca_bundle_tls_verification_fails(
    voice_fake: FakeVonage, keypair: tuple[str, bytes]
) -> None:
    leg = voice_fake.add_call()

    with pytest.raises(requests.exceptions.SSLError):
        _vonage(voice_fake, keypair[0]).voice.hangup(leg)
    assert voice_fake.call(leg)["status"] == "answered"


@pytest.mark.usefixtures("trusting_env")
def test_hangup_of_an_unknown_or_finished_leg_is_not_found(
    voice_fake: FakeVonage, keypair: tuple[str, bytes]
) -> None:
    client = _vonage(voice_fake, keypair[0])
    leg = voice_fake.add_call()
    client.voice.hangup(leg)

    with pytest.raises(NotFoundError):
        client.voice.hangup(leg)
    with pytest.raises(NotFoundError) as caught:
        client.voice.hangup("00000000-0000-4000-8000-000000000000")
    assert caught.value.response.json()["title"] == "Not Found"


@pytest.mark.usefixtures("trusting_env")
def test_jwt_from_another_key_is_an_authentication_error(voice_fake: FakeVonage) -> None:
    other_private_key, _ = make_rsa_keypair()

    with pytest.raises(AuthenticationError) as caught:
        _vonage(voice_fake, other_private_key).voice.hangup(voice_fake.add_call())
    assert caught.value.response.json()["title"] == "Unauthorized"


@pytest.mark.usefixtures("trusting_env")
def test_jwt_for_another_application_is_an_authentication_error(
    voice_fake: FakeVonage, keypair: tuple[str, bytes]
) -> None:
    with pytest.raises(AuthenticationError):
        _vonage(voice_fake, keypair[0], app_id="another-app").voice.hangup(voice_fake.add_call())


@pytest.mark.usefixtures("trusting_env")
def test_get_call_parses_into_the_sdk_call_info(voice_fake: FakeVonage, keypair: tuple[str, bytes]) -> None:
    leg = voice_fake.add_call(to="447700900000", from_="sip:ot@sip.example.com")

    info = _vonage(voice_fake, keypair[0]).voice.get_call(leg)

    assert (info.uuid, info.status, info.to.number, info.from_.uri) == (
        leg,
        "answered",
        "447700900000",
        "sip:ot@sip.example.com",
    )
    assert voice_fake.requests("get_call") == [{"uuid": leg}]


@pytest.mark.usefixtures("trusting_env")
def test_unknown_action_is_bad_request(voice_fake: FakeVonage, keypair: tuple[str, bytes]) -> None:
    client = _vonage(voice_fake, keypair[0])

    with pytest.raises(HttpRequestError) as caught:
        client.http_client.put(voice_fake.host, f"/v1/calls/{voice_fake.add_call()}", {"action": "explode"})
    assert caught.value.response.status_code == 400


@pytest.mark.usefixtures("trusting_env")
def test_injected_500_is_a_server_error(voice_fake: FakeVonage, keypair: tuple[str, bytes]) -> None:
    voice_fake.http_status("hangup", 500)

    with pytest.raises(ServerError):
        _vonage(voice_fake, keypair[0]).voice.hangup(voice_fake.add_call())
