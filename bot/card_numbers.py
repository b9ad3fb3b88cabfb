"""The card's dial-in lines: up to three numbers (the workspace's country first), each with its
one-tap link, the PIN, and a link to every number when there are more to choose from."""

from __future__ import annotations

from meetbridge.dial_in import DialIn
from meetbridge.phone_format import grouped_pin
from meetbridge.words import N_

from .slack_words import say


def numbers_url(server_url: str, meeting_id: str) -> str:
    """The page listing every number of the service for the meeting."""
    return f"{server_url}/rooms/{meeting_id}/numbers"


def dial_in_text(dial_in: DialIn, pin: str, server_url: str, meeting_id: str, locale: str | None = None) -> str:
    """mrkdwn for the card's dial-in section in `locale`; with one number, the single-line form."""
    shown = dial_in.on_card()
    if not dial_in.more_than_one:
        (number,) = shown
        tap_with_pin = say(N_("📞 Tap to dial in with the PIN"), locale)
        return (say(N_("*Dial in:* {number}  ·  *PIN:* `{pin}`"), locale, number=number.international,
                    pin=grouped_pin(pin)) + f"\n<{number.one_tap(pin)}|{tap_with_pin}>")
    lines = [say(N_("*Dial in*  ·  *PIN:* `{pin}`"), locale, pin=grouped_pin(pin))]
    tap, more = say(N_("Tap to dial"), locale), say(N_("More numbers"), locale)
    for number in shown:
        lines.append(f"{number.flag or '📞'} {number.international}  ·  <{number.one_tap(pin)}|{tap}>")
    lines.append(f"<{numbers_url(server_url, meeting_id)}|{more}>")
    return "\n".join(lines)
