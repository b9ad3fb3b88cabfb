"""Phone numbers as people read and dial them."""

from __future__ import annotations

from urllib.parse import quote

import phonenumbers


def human_number(digits: str) -> str:
    """'+1 555-010-0000' style, falling back to '+digits' for numbers the library rejects."""
    try:
        number = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        return "+" + digits
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def grouped_pin(pin: str) -> str:
    """A PIN as people read it: '123 456 789', '123 456 7890' (never a lone last digit).
    Only for reading: keypads, tel: links and the database keep the plain digits."""
    groups = [pin[start:start + 3] for start in range(0, len(pin), 3)]
    if len(groups) > 1 and len(groups[-1]) == 1:
        groups[-2:] = [groups[-2] + groups[-1]]
    return " ".join(groups)


def one_tap_dial(digits: str, pin: str) -> str:
    """tel: URI that dials, waits two pauses, then keys the PIN and #."""
    return f"tel:+{digits},,{pin}{quote('#')}"


def masked_caller(number: str | None) -> str:
    """A caller number with all but the last four digits hidden."""
    digits = "".join(ch for ch in (number or "") if ch.isdigit())
    if len(digits) < 4:
        return "a phone caller"
    return "•••" + digits[-4:]
