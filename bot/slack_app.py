"""The Bolt app: each listener registered as a closure over the few collaborators it uses."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App

from meetbridge.bridge import BridgeService
from meetbridge.clock import Clock
from meetbridge.lifecycle import Lifecycle
from meetbridge.meetings import MeetingService
from meetbridge.phone_roster import PhoneRoster
from meetbridge.saved_numbers import SavedNumbers
from meetbridge.settings import Settings

from .allow_list import workspace_gate
from .app_home import register_app_home
from .card_poster import CardPoster
from .card_publisher import CardPublisher
from .card_store import SeenTriggers
from .dial_out_actions import Dialler, register_dial_out_actions
from .install import SlackInstall
from .meet_command import register_meet_command
from .meeting_actions import register_meeting_actions
from .phone_home import my_number_section, register_phone_home
from .phone_roster_actions import register_phone_roster_actions
from .slack_words import ReaderLocales, reader_middleware
from .uninstall import register_uninstall

# Listener functions ack first and then call slow APIs on the same pool; a large pool
# keeps one user's slow video call from queueing another user's ack.
LISTENER_THREADS = 64


def build_bolt_app(settings: Settings, install: SlackInstall, cards: CardPublisher, listeners: ThreadPoolExecutor,
                   *, poster: CardPoster, meetings: MeetingService, bridge: BridgeService, lifecycle: Lifecycle,
                   triggers: SeenTriggers, clock: Clock, dial_out: Dialler | None = None,
                   saved_numbers: SavedNumbers | None = None, roster: PhoneRoster | None = None,
                   locales: ReaderLocales | None = None) -> App:
    """`listeners` should have about LISTENER_THREADS workers (see above). With `dial_out` and
    `saved_numbers`, the card's "Call my phone" / "Add by phone" and App Home's "My phone number";
    with `roster`, the card's "Phone callers" and the starter's controls over them."""
    # Bolt copies the root logger's level onto each logger it creates unless given a base logger;
    # passing "slack_bolt" keeps app.CHATTY_LOGGERS' INFO floor (Bolt's DEBUG logs ack bodies and
    # OAuth callback queries).
    app = App(client=install.client, signing_secret=settings.slack_signing_secret,
              oauth_settings=install.oauth_settings, authorize=install.authorize,
              token_verification_enabled=False,
              listener_executor=listeners, logger=logging.getLogger("slack_bolt"))
    app.use(workspace_gate(settings.team_allowed, listeners, settings.default_locale))
    locales = locales or ReaderLocales.for_settings(settings, dial_out)
    app.use(reader_middleware(locales))
    register_meet_command(app, meetings, poster, triggers, clock, settings.server_url, locales)
    register_meeting_actions(app, meetings, bridge, lifecycle, cards)
    if roster is not None:
        register_phone_roster_actions(app, meetings, roster, cards)
    phones = saved_numbers if dial_out is not None and settings.dial_out != "off" else None
    publish_home = register_app_home(app, meetings, lifecycle, settings.server_url, settings.conference_number,
                                     phone_section=my_number_section(phones) if phones else None, locales=locales)
    if dial_out is not None and phones is not None:
        register_dial_out_actions(app, meetings, dial_out, phones, cards, starter_only=settings.dial_out == "starter",
                                  profiles=locales.profiles, locales=locales)
        register_phone_home(app, phones, dial_out, publish_home, locales)
    register_uninstall(app, meetings, lifecycle, install.installation_store,
                       saved_numbers.forget_workspace if saved_numbers is not None else None)
    return app
