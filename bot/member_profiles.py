"""Who a Slack member is, for the calls the meeting places for them: the name the callee hears
("Ada Lovelace invites you to …") and the country a number typed without its country code is
read in.

Both come from `users.info` (scope `users:read`), asked once per member every few minutes and
kept in memory. A failure (no scope, user_not_found, Slack down) never blocks a call: no name
(the callee hears "A colleague") and no country (the first of DIAL_OUT_COUNTRIES).

The country: Slack has no country field. The member's time zone (`tz`, set from their device)
says where they are; their `locale` ("en-US") says which language they chose, and en-US is
many people's default wherever they live, so it counts only when the time zone says nothing.
Either counts only when calls to that country are allowed at all.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)
KEEP_SECONDS = 600.0
MAX_KEPT = 10_000
SYSTEM_ZONE_TAB = Path("/usr/share/zoneinfo/zone.tab")


@dataclass(frozen=True)
class MemberProfile:
    """A member's display name, country and Slack locale ("de-DE"), each None when Slack did
    not say."""

    name: str | None = None
    country: str | None = None
    locale: str | None = None


def display_name(user: dict) -> str | None:
    """The name people know the member by: their display name, else their full name. Spoken
    text, so no angle brackets: a text that begins with <speak> would be read as SSML."""
    profile = user.get("profile") or {}
    for candidate in (profile.get("display_name"), profile.get("real_name"), user.get("real_name")):
        name = " ".join(str(candidate or "").replace("<", " ").replace(">", " ").split())[:80]
        if name:
            return name
    return None


@lru_cache(maxsize=1)
def zone_countries() -> dict[str, str]:
    """IANA time zone → ISO 3166 country, from the tz database's zone.tab (the tzdata package,
    else the system's copy); empty when neither is there."""
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        try:
            text = SYSTEM_ZONE_TAB.read_text(encoding="utf-8")
        except OSError:
            return {}
    countries = {}
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and not line.startswith("#"):
            countries[fields[2]] = fields[0]
    return countries


def member_country(user: dict, allowed: tuple[str, ...]) -> str | None:
    """The member's country when calls there are allowed: by time zone, else by locale."""
    by_zone = zone_countries().get(str(user.get("tz") or ""))
    _, _, by_locale = str(user.get("locale") or "").partition("-")
    for country in (by_zone, by_locale.upper() if by_zone is None else None):
        if country and country in allowed:
            return country
    return None


class MemberProfiles:
    """users.info per workspace and member, kept KEEP_SECONDS; never raises."""

    def __init__(self, allowed_countries: tuple[str, ...], now: Callable[[], float] = time.monotonic) -> None:
        self.allowed = allowed_countries
        self.now = now
        self._kept: dict[tuple[str, str], tuple[float, MemberProfile]] = {}
        self._lock = threading.Lock()

    def kept(self, team_id: str, user_id: str) -> MemberProfile | None:
        """The profile asked for lately, without asking Slack (for a modal's 3-second answer)."""
        with self._lock:
            entry = self._kept.get((team_id, user_id))
        return entry[1] if entry and self.now() - entry[0] < KEEP_SECONDS else None

    def lookup(self, client: WebClient, team_id: str, user_id: str) -> MemberProfile:
        """The member's profile, from memory or users.info; an empty one when Slack won't say."""
        known = self.kept(team_id, user_id)
        if known is not None:
            return known
        try:
            user = client.users_info(user=user_id, include_locale=True).get("user") or {}
            profile = MemberProfile(display_name(user), member_country(user, self.allowed),
                                    str(user.get("locale") or "") or None)
        except SlackApiError as error:
            log.info("users.info gave no profile: %s", error.response.get("error"))
            profile = MemberProfile()
        except Exception:  # noqa: BLE001 - a profile is a nicety: the call goes ahead without it
            log.warning("users.info failed", exc_info=True)
            profile = MemberProfile()
        with self._lock:
            if len(self._kept) >= MAX_KEPT:
                self._kept.clear()
            self._kept[(team_id, user_id)] = (self.now(), profile)
        return profile
