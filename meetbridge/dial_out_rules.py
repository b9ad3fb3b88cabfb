"""Which typed phone numbers the meeting may call: parsed with `phonenumbers`, only allowed
countries, only number types that reach a person at an ordinary price (toll-fraud guardrails)."""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberType

from .errors import DialOutRefused

# Types a person answers at an ordinary rate. Premium-rate, shared-cost, personal (follow-me),
# pager, UAN, voicemail-access and unknown numbers are refused: they cost more than they should
# or reach no one in particular, and they are what toll fraud dials.
ALLOWED_TYPES = frozenset({PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE,
                           PhoneNumberType.FIXED_LINE_OR_MOBILE, PhoneNumberType.TOLL_FREE,
                           PhoneNumberType.VOIP})
MAX_TYPED_LENGTH = 64  # longer text is no phone number; phonenumbers refuses more than 250 anyway


def country_of(e164: str) -> str | None:
    """The ISO 3166 alpha-2 country of an E.164 number ('+' optional), or None when unknown."""
    try:
        parsed = phonenumbers.parse("+" + e164.removeprefix("+"), None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(parsed) or \
        phonenumbers.region_code_for_country_code(parsed.country_code or 0)  # a number in a reserved range
    return region if region and region != "ZZ" else None


def mask(e164: str) -> str:
    """The only form of a number that leaves the domain: its last four digits ("•••0199")."""
    digits = "".join(ch for ch in e164 if ch.isdigit())
    return "•••" + digits[-4:]


class NumberRules:
    """Turns what a person typed into an E.164 number the meeting may call, or refuses."""

    def __init__(self, countries: tuple[str, ...]) -> None:
        if not countries:
            raise ValueError("at least one country must be allowed")
        self.countries = countries

    def normalise(self, number: str, region: str | None) -> str:
        """E.164 with '+', or DialOutRefused(invalid_number / country_not_allowed /
        number_type_not_allowed). `region` is the default country for numbers typed without
        a country code; None (or an unknown code) → the first allowed country."""
        if not isinstance(number, str) or not number.strip() or len(number) > MAX_TYPED_LENGTH:
            raise DialOutRefused("invalid_number")
        default = (region or "").upper()
        if default not in phonenumbers.SUPPORTED_REGIONS:
            default = self.countries[0]
        try:
            parsed = phonenumbers.parse(number.strip(), default)
        except phonenumbers.NumberParseException as error:
            raise DialOutRefused("invalid_number") from error
        if not phonenumbers.is_valid_number(parsed):
            raise DialOutRefused("invalid_number")
        if phonenumbers.region_code_for_number(parsed) not in self.countries:
            raise DialOutRefused("country_not_allowed")
        if phonenumbers.number_type(parsed) not in ALLOWED_TYPES:
            raise DialOutRefused("number_type_not_allowed")
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
