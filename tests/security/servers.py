"""The app under attack, on a real port: werkzeug's threaded server in this process (what
`python app.py` runs; the clock can be a test clock), or gunicorn with two worker processes
and the repository's gunicorn.conf.py (for limits that must hold across workers).

Either way the attacker sees only a base URL; the test reads the SQLite file beside it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from app import HOUSEKEEPING_SECONDS, create_app
from bench.harness import app_env, free_port, gunicorn
from meetbridge.settings import load_settings
from meetbridge.storage import Store
from tests.conftest import LiveServer
from tests.fakes import FakeOpenTok, FakeSlack, FakeVonage
from tests.security.vonage_side import SIGNATURE_SECRET, VonageSide

VIDEO_EVENTS_SECRET = "video-events-secret-for-the-security-suite"
# One row per accepted webhook `jti` (so a replay is refused by every worker), deleted once past
# the signature window: the only rows a validly signed but useless webhook may add.
REPLAY_RECORDS = "webhook_tokens_seen"
AUDIT_FLUSH_MARGIN = 0.5


@dataclass
class AppUnderAttack:
    """A running app, its fakes, the database file it writes (and under gunicorn, its log)."""

    url: str
    database: str
    slack: FakeSlack
    opentok: FakeOpenTok
    vonage: FakeVonage
    store: Store
    settings: Any
    write_buffered_audit: Callable[[], None] | None = None  # in-process: the Store's own flush
    read_log: Callable[[], str] = str  # gunicorn: its stderr so far
    vonage_side: VonageSide = field(init=False)

    def __post_init__(self) -> None:
        self.vonage_side = VonageSide(self.url)

    def flush_audit(self) -> None:
        """In this process, write the buffer; under gunicorn, wait out the workers' flush,
        which runs every second (HOUSEKEEPING_SECONDS) after the last webhook answered."""
        if self.write_buffered_audit is not None:
            self.write_buffered_audit()
            return
        wait = self.vonage_side.last_answered + HOUSEKEEPING_SECONDS + AUDIT_FLUSH_MARGIN - time.monotonic()
        if wait > 0:
            time.sleep(wait)

    def row_counts(self, *, without: tuple[str, ...] = ()) -> dict[str, int]:
        """Rows in every table of the database (the back-end's own tables and `without` left out),
        once the audit rows of the webhooks answered so far are written (they are buffered)."""
        self.flush_audit()
        tables = self.store.database.table_names()
        return {name: self.store.database.query_one(f'SELECT count(*) AS n FROM "{name}"')["n"]
                for name in sorted(tables) if name not in without}

    def rows_added(self, before: dict[str, int], *, without: tuple[str, ...] = ()) -> dict[str, int]:
        """Tables that gained rows since `before` (the sweeper may prune old rows meanwhile)."""
        after = self.row_counts(without=without)
        return {name: rows - before.get(name, 0) for name, rows in after.items() if rows > before.get(name, 0)}


def secured_env(**overrides: str) -> dict[str, str]:
    """Settings every attack runs against: signing on, session monitoring on."""
    return {"VONAGE_SIGNATURE_SECRET": SIGNATURE_SECRET, "VIDEO_EVENTS_SECRET": VIDEO_EVENTS_SECRET,
            **overrides}


@contextmanager
def werkzeug_app(base_env: dict[str, str], fakes: tuple[FakeSlack, FakeOpenTok, FakeVonage], *,
                 clock: Any = None, sweeper: bool = False, **overrides: str) -> Iterator[AppUnderAttack]:
    """The app in werkzeug's threaded server, as `python app.py` serves it, on its own port."""
    server = LiveServer()
    # serve_forever checks for shutdown every 0.5 s by default: half a second of every test.
    server.thread = threading.Thread(target=server.server.serve_forever, kwargs={"poll_interval": 0.05},
                                     daemon=True)
    env = {**base_env, "SERVER_URL": server.url, **secured_env(**overrides)}
    settings = load_settings(env)
    flask_app = create_app(settings, clock=clock, run_sweeper=sweeper)
    server.start(flask_app)
    try:
        store = flask_app.extensions["meetbridge"].store
        yield AppUnderAttack(server.url, env["DATABASE_PATH"], *fakes, store, settings,
                             write_buffered_audit=store.webhook_log.flush)
    finally:
        server.stop()
        flask_app.extensions["meetbridge.shutdown"]()


@contextmanager
def gunicorn_app(fakes: tuple[FakeSlack, FakeOpenTok, FakeVonage], private_pem: str, database: str,
                 workers: int = 2, **overrides: str) -> Iterator[AppUnderAttack]:
    """`gunicorn -c gunicorn.conf.py 'app:create_app()'` with `workers` processes."""
    slack, opentok, vonage = fakes
    port = free_port()
    env = app_env(slack, opentok, vonage, private_pem, port, database, **secured_env(**overrides))
    with gunicorn("app:create_app()", env, workers=workers) as process:
        log = _drain(process.stderr)
        store = Store(database)
        try:
            yield AppUnderAttack(f"http://127.0.0.1:{port}", database, slack, opentok, vonage, store,
                                 load_settings(env), read_log=lambda: b"".join(log).decode(errors="replace"))
        finally:
            store.close()


def _drain(stream: IO[bytes]) -> list[bytes]:
    """Read gunicorn's stderr as it comes: a full pipe would block its workers mid-attack."""
    lines: list[bytes] = []
    threading.Thread(target=lambda: lines.extend(iter(stream.readline, b"")), daemon=True).start()
    return lines
