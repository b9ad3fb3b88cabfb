"""The card's dial-in lines: up to three numbers (the workspace's country first), each with its
one-tap link, the PIN, and a link to every number when there are more to choose from."""

from __future__ import annotations

from meetbridge.dial_in import DialIn
from meetbridge.phone_format import grouped_pin


def numbers_url(server_url: str, meeting_id: str) -> str:
    """The page listing every number of the service for the meeting."""
    return f"{server_url}/rooms/{meeting_id}/numbers"


def dial_in_text(dial_in: DialIn, pin: str, server_url: str, meeting_id: str) -> str:
    """mrkdwn for the card's dial-in section; with one number, the single-line form."""
    shown = dial_in.on_card()
    if not dial_in.more_than_one:
        (number,) = shown
        return (f"*Dial in:* {number.international}  ·  *PIN:* `{grouped_pin(pin)}`\n"
                f"<{number.one_tap(pin)}|📞 Tap to dial in with the PIN>")
    lines = [f"*Dial in*  ·  *PIN:* `{grouped_pin(pin)}`"]
    for number in shown:
        lines.append(f"{number.flag or '📞'} {number.international}  ·  <{number.one_tap(pin)}|Tap to dial>")
    lines.append(f"<{numbers_url(server_url, meeting_id)}|More numbers>")
    return "\n".join(lines)
