"""meetbridge: the one place where concrete services are chosen and wired (create_app).

    python app.py                      # development server on PORT
    gunicorn -c gunicorn.conf.py 'app:create_app()'   # production
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, jsonify
from flask.json.provider import DefaultJSONProvider
from pythonjsonlogger.json import JsonFormatter
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.caller_waiting import CallerWaitingNotice
from bot.card_poster import CardPoster
from bot.card_publisher import CardPublisher
from bot.dial_progress import DialProgressNotices, dial_lines_text
from bot.install import slack_install
from bot.routes import create_slack_blueprint
from bot.slack_app import LISTENER_THREADS, build_bolt_app
from bot.slack_calls import SlackCalls
from bot.slack_words import ReaderLocales
from bot.workspace_budget import WorkspaceBudget
from meetbridge.background import Background
from meetbridge.bridge import BridgeService
from meetbridge.clock import Clock, SystemClock
from meetbridge.dial_in import DialIn
from meetbridge.dial_out import DIAL_OUT_EXPIRY_SECONDS, DialOut
from meetbridge.environment import forget_empty_sdk_variables, load_environment, sdk_variables_hidden
from meetbridge.lifecycle import Lifecycle
from meetbridge.log_output import NonBlockingStreamHandler
from meetbridge.meetings import MeetingService
from meetbridge.periodic import Periodic
from meetbridge.phone_entry import PhoneEntry
from meetbridge.phone_keypad import PhoneKeypad
from meetbridge.phone_roster import PhoneRoster
from meetbridge.phone_waiting import TELL_PASS_SECONDS, PhoneWaiting
from meetbridge.rooms import Rooms
from meetbridge.saved_numbers import SavedNumbers
from meetbridge.settings import Settings, SettingsError, load_settings
from meetbridge.status import ChangeListeners
from meetbridge.storage import Store, open_store
from meetbridge.video import VideoGateway
from meetbridge.video_monitor import VideoMonitor
from meetbridge.voice import VoiceGateway
from meetbridge.voice_calls import VoiceCalls
from meetbridge.webhook_audit import WebhookAudit
from web.body_limits import limit_bodies
from web.call_me import CallMeCollaborators, create_call_me_blueprint
from web.health import create_health_blueprint
from web.home import create_home_blueprint
from web.numbers import create_numbers_blueprint
from web.page_words import create_page_words_blueprint
from web.phone_audio import create_phone_audio_blueprint
from web.phone_callers import create_phone_callers_blueprint
from web.request_log import install_request_log
from web.rooms import create_rooms_blueprint
from web.security_headers import install_security_headers
from web.visitor_cookie import visitor_cookies
from webhooks.video_events import create_video_events_blueprint
from webhooks.voice import create_voice_blueprint

MAX_REQUEST_BYTES = 256 * 1024
HOUSEKEEPING_SECONDS = 1.0
# Loggers whose DEBUG output carries secrets (the opentok SDK logs dial payloads with the
# SIP password and tokens; vonage's HTTP client, logger "vonage", logs request headers with
# the last Authorization JWT): never below INFO, whatever the root level.
CHATTY_LOGGERS = ("opentok", "slack_sdk", "slack_bolt", "urllib3", "vonage", "vonage_http_client")


def settings_or_exit(environ: Mapping[str, str]) -> Settings:
    """Settings, or one message listing every problem and exit status 2 (no traceback)."""
    try:
        return load_settings(environ)
    except SettingsError as error:
        print(f"meetbridge cannot start.\n{error}\nSee README.md (Settings) and .env.example.",
              file=sys.stderr)
        raise SystemExit(2) from None


@dataclass(frozen=True)
class Wired:
    """Every object create_app() wired, read-only, for tests and the CLI (app.extensions
    ["meetbridge"]); each edge is handed only the few collaborators it uses."""

    settings: Settings
    store: Store
    clock: Clock
    rng: random.Random
    video: VideoGateway
    voice: VoiceGateway
    changes: ChangeListeners
    background: Background
    meetings: MeetingService
    bridge: BridgeService
    phone_entry: PhoneEntry
    lifecycle: Lifecycle
    video_monitor: VideoMonitor
    voice_calls: VoiceCalls
    dial_out: DialOut
    rooms: Rooms
    audit: WebhookAudit
    phone_keypad: PhoneKeypad
    phone_roster: PhoneRoster
    phone_waiting: PhoneWaiting


def build_services(settings: Settings, clock: Clock, rng: random.Random) -> Wired:
    """The domain services over one store, gateways, clock and random source."""
    store = open_store(settings.database_url)
    video = VideoGateway(settings.video_api_key, settings.video_api_secret, settings.opentok_api_url)
    voice = VoiceGateway(settings.vonage_application_id, settings.vonage_private_key, settings.vonage_api_host)
    changes = ChangeListeners()
    background = Background()
    meetings = MeetingService(settings, store, video, clock, rng)
    bridge = BridgeService(settings, store, meetings, video, voice, clock, changes)
    phone_entry = PhoneEntry(settings, store, bridge, clock, changes, background)
    lifecycle = Lifecycle(settings, store, bridge, phone_entry, voice, clock, changes)
    dial_out = DialOut(settings, store, voice, clock, changes, background, connect_bridge=bridge.connect)
    phone_waiting = PhoneWaiting(settings, store, voice, clock, background)
    changes.add_presence_listener(phone_waiting.changed)  # music for callers nobody hears, stopped when one does
    return Wired(settings=settings, store=store, clock=clock, rng=rng, video=video, voice=voice,
                 changes=changes, background=background, meetings=meetings, bridge=bridge,
                 phone_entry=phone_entry, lifecycle=lifecycle,
                 video_monitor=VideoMonitor(store, bridge, clock, changes),
                 voice_calls=VoiceCalls(phone_entry, bridge, changes, dial_out, store.seen_tokens), dial_out=dial_out,
                 rooms=Rooms(store, meetings, bridge, lifecycle, clock),
                 audit=WebhookAudit(store.webhook_log, clock),
                 phone_keypad=PhoneKeypad(store, voice, clock, changes),
                 phone_roster=PhoneRoster(store, voice, clock, changes, leg_ended=phone_entry.call_status),
                 phone_waiting=phone_waiting)


def phone_and_web_blueprints(wired: Wired) -> list[Blueprint]:
    """The voice and video webhooks, the join page and the health check, each handed only
    the collaborators it uses."""
    settings = wired.settings
    return [
        create_voice_blueprint(calls=wired.voice_calls, audit=wired.audit.record,
                               seen_tokens=wired.store.seen_tokens, clock=wired.clock,
                               signature_secret=settings.vonage_signature_secret,
                               application_id=settings.vonage_application_id, api_key=settings.voice_api_key,
                               keypad=wired.phone_keypad),
        create_video_events_blueprint(monitor=wired.video_monitor, seen_tokens=wired.store.seen_tokens,
                                      clock=wired.clock, url_secret=settings.video_events_secret,
                                      signature_secret=settings.vonage_signature_secret),
        create_rooms_blueprint(rooms=wired.rooms, settings=settings),
        create_numbers_blueprint(rooms=wired.rooms, dial_in=DialIn.from_settings(settings)),
        create_phone_callers_blueprint(roster=wired.phone_roster, settings=settings),
        create_call_me_blueprint(collaborators=CallMeCollaborators(
            find_meeting=wired.rooms.find, place_call=wired.dial_out.call,
            allowed_countries=wired.dial_out.rules.countries, latest_call=wired.store.dial_outs.latest_of_visitor,
            take=wired.store.rate_limits.take, clock=wired.clock), cookies=visitor_cookies(settings)),
        create_health_blueprint(ping=wired.store.ping),
        create_phone_audio_blueprint(),
    ]


def configure_logging() -> None:
    """JSON lines on stderr, dropped (and counted) rather than blocking while stderr is not
    read; the level from LOG_LEVEL (default INFO)."""
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = NonBlockingStreamHandler()
        handler.setFormatter(JsonFormatter("{asctime}{levelname}{name}{message}", style="{",
                                           rename_fields={"levelname": "level", "asctime": "time"}))
        root.addHandler(handler)
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    root.setLevel(level if level in logging.getLevelNamesMapping() else "INFO")
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLogger().level))


class NestingSafeJSONProvider(DefaultJSONProvider):
    """Deeply nested JSON makes json.loads raise RecursionError, which get_json(silent=True)
    does not catch (only ValueError): turn it into the bad-JSON error every route handles."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse JSON; too deep a nesting is a ValueError like any other bad JSON."""
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error


def json_http_errors(app: Flask) -> None:
    """Errors outside the join page answer short JSON, never an HTML traceback."""
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return jsonify(error=error.description or error.name), error.code

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error")
        return jsonify(error="internal error"), 500


def create_app(settings: Settings | None = None, *, clock: Clock | None = None, rng=None,
               run_sweeper: bool = True) -> Flask:
    """Build the whole server: services, Slack (Bolt), Vonage webhooks, join page, sweeper."""
    if settings is None:
        load_environment()  # the working directory's .env; empty values count as unset
        settings = settings_or_exit(os.environ)
    configure_logging()
    services = build_services(settings, clock or SystemClock(), rng or secrets.SystemRandom())
    install = slack_install(settings, services.store.slack_installs)
    store = services.store
    calls = SlackCalls(settings.server_url, services.meetings, store.slack_cards, store.call_participants,
                       install.client_for_team, roster=services.phone_roster.callers, locale=settings.default_locale)
    cards = CardPublisher(settings, services.meetings, store.slack_cards, WorkspaceBudget(store.slack_budgets),
                          install.client_for_team, calls,
                          dialling=dial_lines_text(store.dial_lines, settings.default_locale))
    locales = ReaderLocales.for_settings(settings, services.dial_out)
    poster = CardPoster(cards.render, store.slack_cards, calls, install.client_for_team)
    services.changes.add(cards.changed)
    listeners = ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="bolt-listener")
    forget_empty_sdk_variables(os.environ)  # `SLACK_CLIENT_ID=` is unset, for the SDK too
    with sdk_variables_hidden(os.environ):  # Bolt's values come from Settings, never from SLACK_*
        bolt_app = build_bolt_app(settings, install, cards, listeners, poster=poster, meetings=services.meetings,
                                  bridge=services.bridge, lifecycle=services.lifecycle,
                                  triggers=store.slack_triggers, clock=services.clock,
                                  dial_out=services.dial_out, saved_numbers=SavedNumbers(store.saved_numbers,
                                                                                         services.clock),
                                  roster=services.phone_roster, locales=locales)
    services.phone_waiting.add_waiting_listener(CallerWaitingNotice(
        services.meetings.find, settings.server_url, install.client_for_team, listeners, locales))
    services.dial_out.add_progress_listener(DialProgressNotices(
        services.meetings, store.dial_lines, cards.changed, install.client_for_team, listeners, services.clock,
        locales))

    app = Flask(__name__)
    app.json = NestingSafeJSONProvider(app)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.register_blueprint(create_slack_blueprint(bolt_app))
    for blueprint in phone_and_web_blueprints(services):
        app.register_blueprint(blueprint)
    app.register_blueprint(create_home_blueprint())
    app.register_blueprint(create_page_words_blueprint(settings.default_locale))  # the pages' language
    limit_bodies(app, ("voice", "video_events"))  # 16 KiB on webhooks; Slack keeps MAX_REQUEST_BYTES
    if settings.proxy_hops:  # behind deploy/nginx.conf: the client's address and scheme
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to wrap the WSGI app
            app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)
    json_http_errors(app)
    install_request_log(app)
    install_security_headers(app, settings.opentok_js_url)
    app.extensions["meetbridge"] = services
    app.extensions["meetbridge.cards"] = cards
    app.extensions["meetbridge.bolt"] = bolt_app
    # The sweeper's time-critical pass and its leg clean-up run on threads of their own, so a
    # backlog of legs to hang up never delays an idle bridge's hang-up.
    cleanup = Periodic("cleanup", settings.sweep_seconds, services.lifecycle.cleanup_pass)
    services.lifecycle.callers_owed = cleanup.wake
    periodic = [Periodic("sweeper", settings.sweep_seconds, services.lifecycle.urgent_pass), cleanup,
                Periodic("housekeeping", HOUSEKEEPING_SECONDS, services.store.housekeeping),
                Periodic("waiting", TELL_PASS_SECONDS, services.phone_waiting.tell_pass)]
    # Dialled calls Vonage never sent a final status for are closed, so no card line or page rings on.
    periodic.append(Periodic("dial-outs", DIAL_OUT_EXPIRY_SECONDS, services.dial_out.expire_stale))
    if run_sweeper:
        for job in periodic:
            job.start()
    app.extensions["meetbridge.shutdown"] = lambda: shutdown(services, listeners, periodic, cards)
    return app


def shutdown(services: Wired, listeners: ThreadPoolExecutor, periodic: list[Periodic],
             cards: CardPublisher) -> None:
    """Stop background work in order, then close the database (tests, graceful exits)."""
    services.lifecycle.stop_passes()  # a clean-up pass stops between batches
    for job in periodic:
        job.stop()
    listeners.shutdown(wait=True)
    services.background.shutdown()
    services.lifecycle.close()
    cards.close()  # card-update timers read the database: close it only once they have stopped
    services.store.close()


def main() -> None:
    """Development server; with SLACK_APP_TOKEN, Slack traffic comes over Socket Mode too."""
    app = create_app()
    settings: Settings = app.extensions["meetbridge"].settings
    if settings.slack_app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        SocketModeHandler(app.extensions["meetbridge.bolt"], settings.slack_app_token).connect()
    # Werkzeug's access log prints query strings (caller numbers on GET /voice-answer);
    # web/request_log.py already logs every request without them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    print(f"meetbridge is listening on http://0.0.0.0:{settings.port} (public URL {settings.server_url})",
          file=sys.stderr)
    app.run(host="0.0.0.0", port=settings.port, threaded=True)


if __name__ == "__main__":
    main()
