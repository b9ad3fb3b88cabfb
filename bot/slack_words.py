"""The Slack side's sentences in a reader's language: the `slack` catalog, and whose language.

Channel-visible text (the card, channel messages) is in the workspace's DEFAULT_LOCALE; a
member's own ephemerals, modals and App Home are in their Slack locale where users.info tells it
(cached by MemberProfiles), else DEFAULT_LOCALE. Finding a member's locale never blocks an answer:
a failure gives the default.
"""

from __future__ import annotations

from slack_bolt import BoltContext
from slack_sdk import WebClient

from meetbridge.settings import Settings
from meetbridge.words import translate

from .member_profiles import MemberProfiles

DOMAIN = "slack"
READER = "meetbridge_reader_locale"  # the Bolt context key of the clicking member's locale


def say(message: str, locale: str | None, **values: object) -> str:
    """`message` (an English source sentence marked with N_) in `locale`'s language, with
    `values` filled into its placeholders."""
    return translate(message, locale, domain=DOMAIN, **values)


class ReaderLocales:
    """Which language a member reads: their Slack locale, else the workspace default."""

    def __init__(self, profiles: MemberProfiles, default_locale: str) -> None:
        self.profiles = profiles
        self.default = default_locale

    @classmethod
    def for_settings(cls, settings: Settings, dial_out: object | None = None) -> ReaderLocales:
        """One cache of member profiles for the whole app (the dial-out buttons' countries too)."""
        countries = tuple(getattr(dial_out, "allowed_countries", ()))
        return cls(MemberProfiles(countries), settings.default_locale)

    def known(self, team_id: str | None, user_id: str | None) -> str:
        """The member's locale if users.info told it lately, without asking Slack (for an ack)."""
        profile = self.profiles.kept(team_id or "", user_id or "") if team_id and user_id else None
        return (profile.locale if profile else None) or self.default

    def of(self, client: WebClient | None, team_id: str | None, user_id: str | None) -> str:
        """The member's locale, asking users.info when not known lately; the default on failure."""
        if client is None or not team_id or not user_id:
            return self.default
        return self.profiles.lookup(client, team_id, user_id).locale or self.default


def reader_locale(context: BoltContext | dict | None, default: str | None = None) -> str | None:
    """The clicking member's locale that `reader_middleware` found, or `default`."""
    if context is None:
        return default
    found = context.get(READER)
    return found() if callable(found) else (found or default)


def reader_middleware(locales: ReaderLocales):
    """A Bolt middleware putting a lazy lookup of the requesting member's locale in the context
    (asked only when a listener wants words, after its ack)."""
    def attach(context: BoltContext, next) -> None:  # noqa: A002 - Bolt's argument name
        """Attach the lookup; it asks Slack at most once per request."""
        found: list[str] = []

        def lookup() -> str:
            if not found:
                found.append(locales.of(context.client, context.team_id, context.user_id))
            return found[0]

        context[READER] = lookup
        next()
    return attach
