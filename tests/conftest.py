"""Fixtures: the real app wired to local fakes of Slack, OpenTok and Vonage.

Stacked like Flask's tutorial: fakes → settings → app → client / live server.
The environment is scrubbed so nothing from the developer's shell leaks in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from app import create_app
from meetbridge.settings import Settings, load_settings
from tests.cards import card_of
from tests.fakes import FakeOpenTok, FakeSlack, FakeVonage, make_rsa_keypair
from tests.signing import block_action_body, slack_headers, slash_command_body
from tests.waiting import wait_until

pytest_plugins = ["tests.postgres"]  # postgres_cluster / postgres_url: a throwaway PostgreSQL

SIGNING_SECRET = "test-signing-secret"
VIDEO_KEY, VIDEO_SECRET = "47000001", "video-project-secret-0123456789abcdef"
VOICE_KEY, VOICE_SECRET = "abcd1234", "voice-account-secret"
APP_ID = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"
NUMBER = "15550100000"
BOT_TOKEN = "xoxb-1-test-token"
ENV_NAMES = ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET",
             "SLACK_APP_TOKEN", "VIDEO_API_KEY", "VIDEO_API_SECRET", "VOICE_API_KEY", "VOICE_API_SECRET",
             "VONAGE_APPLICATION_ID", "VONAGE_PRIVATE_KEY", "CONFERENCE_NUMBER", "SERVER_URL",
             "VONAGE_SIGNATURE_SECRET", "VIDEO_EVENTS_SECRET", "DATABASE_PATH", "DATABASE_URL", "PORT",
             "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "HTTPS_PROXY", "HTTP_PROXY", "https_proxy",
             "http_proxy")


class FakeClock:
    """A clock tests move by hand instead of sleeping.

    It starts at the real time: the opentok SDK checks token expiry against the real clock
    (at most 30 days ahead), so a far-off fake "now" would make every token invalid.
    """

    def __init__(self, start: float | None = None) -> None:
        self.current = time.time() if start is None else start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self.current

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.current += seconds


@pytest.fixture(autouse=True)
def scrubbed_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture(scope="session")
def voice_keypair() -> tuple[str, bytes]:
    return make_rsa_keypair()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def fake_opentok() -> Iterator[FakeOpenTok]:
    with FakeOpenTok(VIDEO_KEY, VIDEO_SECRET) as fake:
        yield fake


@pytest.fixture
def fake_vonage(voice_keypair, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeVonage]:
    with FakeVonage(APP_ID, voice_keypair[1]) as fake:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", fake.ca_bundle_path)
        yield fake


@pytest.fixture
def extra_env() -> dict[str, str]:
    """Settings a test changes by parametrizing `extra_env` (indirect) or overriding it."""
    return {}


@pytest.fixture
def base_env(tmp_path, fake_slack, fake_opentok, fake_vonage, voice_keypair, database_env,
             extra_env) -> dict[str, str]:
    """A complete, valid environment pointing every API at its fake, plus `extra_env`."""
    return {
        "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_BOT_TOKEN": BOT_TOKEN,
        "VIDEO_API_KEY": VIDEO_KEY, "VIDEO_API_SECRET": VIDEO_SECRET,
        "VOICE_API_KEY": VOICE_KEY, "VOICE_API_SECRET": VOICE_SECRET,
        "VONAGE_APPLICATION_ID": APP_ID, "VONAGE_PRIVATE_KEY": voice_keypair[0],
        "CONFERENCE_NUMBER": "+" + NUMBER, "SERVER_URL": "http://127.0.0.1:9",
        "DATABASE_PATH": str(tmp_path / "meetbridge.db"),
        # Callers go straight in after the PIN unless a test is about the name step (it sets
        # ASK_CALLER_NAME=true through `extra_env`; the product's default is true).
        "ASK_CALLER_NAME": "false",
        "SLACK_API_URL": fake_slack.api_url, "OPENTOK_API_URL": fake_opentok.url,
        "VONAGE_API_HOST": fake_vonage.host,
        **database_env,  # DATABASE_URL of a PostgreSQL database with --backend=postgresql
        **extra_env,
    }


@pytest.fixture
def settings(base_env) -> Settings:
    return load_settings(base_env)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(settings, clock):
    flask_app = create_app(settings, clock=clock, run_sweeper=False)
    yield flask_app
    flask_app.extensions["meetbridge.shutdown"]()


@pytest.fixture
def services(app):
    return app.extensions["meetbridge"]


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class SlackUser:
    """Sends signed Slack requests to the app as one user would."""

    client: object
    fake_slack: FakeSlack
    user_id: str = "U0ADA"
    team_id: str = "T0001"
    channel_id: str = "C0GENERAL"

    def meet(self, text: str = "", response_key: str = "meet"):
        body = slash_command_body(text, self.user_id, self.channel_id, self.team_id,
                                  self.fake_slack.response_url(response_key))
        return self.client.post("/slack/events", data=body, headers=slack_headers(SIGNING_SECRET, body))

    def click(self, action_id: str, meeting_id: str, response_key: str = "click"):
        body = block_action_body(action_id, meeting_id, self.user_id, self.team_id, self.channel_id,
                                 response_url=self.fake_slack.response_url(response_key))
        return self.client.post("/slack/events", data=body, headers=slack_headers(SIGNING_SECRET, body))


@pytest.fixture
def slack_user(client, fake_slack) -> SlackUser:
    return SlackUser(client, fake_slack)


@pytest.fixture
def start_meeting(slack_user, fake_slack, services) -> Callable[..., object]:
    """Run `/meet` and wait until the card is posted; returns the stored meeting."""
    def start(topic: str = "", user: SlackUser | None = None):
        who = user or slack_user
        before = len(fake_slack.requests("chat.postMessage"))
        assert who.meet(topic).status_code == 200
        posted = fake_slack.wait_for("chat.postMessage", count=before + 1)[-1]
        meeting_id = posted["blocks"][1]["accessory"]["url"].rsplit("/", 1)[-1]
        wait_until(lambda: card_of(services.store, meeting_id).ts is not None)
        return services.store.meetings.get(meeting_id)
    return start


class LiveServer:
    """The real app on a real port (werkzeug's threaded server)."""

    def __init__(self) -> None:
        self.app = None
        self.server = make_server("127.0.0.1", 0, self._dispatch, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _dispatch(self, environ, start_response):
        return self.app(environ, start_response)

    def start(self, app) -> LiveServer:
        self.app = app
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture
def live_server(base_env, clock) -> Iterator[LiveServer]:
    """Real server whose SERVER_URL is its own address, so join links and NCCO URLs work."""
    server = LiveServer()
    env = dict(base_env, SERVER_URL=server.url)
    flask_app = create_app(load_settings(env), clock=clock, run_sweeper=False)
    server.start(flask_app)
    yield server
    server.stop()
    flask_app.extensions["meetbridge.shutdown"]()
