"""The numbers callers may dial: each with its country, its language, and the order people see.

`CONFERENCE_NUMBER` is always one of them (it is also the bridge's own target); `DIAL_IN_NUMBERS`
adds more, each with the language its callers hear. Lists put the numbers of the workspace's
country (`DEFAULT_DIAL_IN_COUNTRY`, else the conference number's) first, then the rest in the
order configured. The number a caller dialled picks the language of every prompt on the call;
a number that is none of ours gets the default language.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import phonenumbers
from babel import Locale, UnknownLocaleError

from .dial_out_rules import country_of
from .settings import Settings

# The voice language of a shipped locale, for the conference number when DIAL_IN_NUMBERS names no
# language for it, and for calls to a number that is not ours.
LOCALE_VOICES = {"en": "en-US", "de": "de-DE", "es": "es-ES", "fr": "fr-FR", "ja": "ja-JP"}
NON_GEOGRAPHIC = "001"  # phonenumbers' region of +800, +808, +870, +881 …
CARD_LIMIT = 3  # numbers on the meeting card; the numbers page lists every one


@dataclass(frozen=True)
class DialInNumber:
    """One number callers dial: digits (E.164 without `+`), country and language of its callers."""

    digits: str
    language: str  # BCP 47, e.g. de-DE: what callers of this number hear
    country: str | None  # ISO 3166 alpha-2, None when the number belongs to no country

    @property
    def international(self) -> str:
        """`+49 30 901820`: grouped as its country groups it, dialable from anywhere."""
        return _formatted(self.digits, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

    @property
    def national(self) -> str:
        """`030 901820`: as people in its own country dial it."""
        return _formatted(self.digits, phonenumbers.PhoneNumberFormat.NATIONAL)

    @property
    def flag(self) -> str:
        """The country's flag emoji (regional indicator letters); empty without a country."""
        return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in self.country) if self.country else ""

    def country_name(self, locale: str = "en") -> str:
        """The country's name in `locale` (Babel's CLDR data); the code when unknown."""
        if not self.country:
            return ""
        try:
            return Locale.parse(locale).territories.get(self.country, self.country)
        except (UnknownLocaleError, ValueError):
            return self.country

    def one_tap(self, pin: str) -> str:
        """tel: URI that dials, waits two pauses, then keys the PIN and #."""
        return f"tel:+{self.digits},,{pin}{quote('#')}"


def _formatted(digits: str, style: int) -> str:
    """The number in a phonenumbers format, `+digits` for numbers the library rejects."""
    try:
        number = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        return "+" + digits
    return phonenumbers.format_number(number, style)


def number_country(digits: str) -> str | None:
    """The ISO country of an E.164 number, None for numbers of no country (e.g. +800)."""
    region = country_of(digits)
    return region if region != NON_GEOGRAPHIC else None


def voice_language(locale: str) -> str:
    """The voice language of a shipped locale (DEFAULT_LOCALE): `de` → `de-DE`."""
    return LOCALE_VOICES.get(locale, LOCALE_VOICES["en"])


class DialIn:
    """Every number of the service in the order people see them, and the language of each."""

    def __init__(self, conference_number: str, more: tuple[tuple[str, str], ...], default_country: str,
                 default_locale: str) -> None:
        self.default_language = voice_language(default_locale)
        languages = dict(more)
        configured = [conference_number, *(digits for digits, _ in more if digits != conference_number)]
        numbers = [DialInNumber(digits, languages.get(digits, self.default_language),
                                number_country(digits))
                   for digits in configured]
        self.home_country = default_country.upper() or numbers[0].country or ""
        # sorted() is stable: the home country's numbers first, each group in the configured order
        self.numbers = tuple(sorted(numbers, key=lambda number: number.country != self.home_country))
        self._by_digits = {number.digits: number for number in self.numbers}

    @classmethod
    def from_settings(cls, settings: Settings) -> DialIn:
        """The numbers CONFERENCE_NUMBER, DIAL_IN_NUMBERS and DEFAULT_DIAL_IN_COUNTRY name."""
        return cls(settings.conference_number, settings.dial_in_numbers, settings.default_dial_in_country,
                   settings.default_locale)

    def on_card(self) -> tuple[DialInNumber, ...]:
        """The first few numbers, for the meeting card."""
        return self.numbers[:CARD_LIMIT]

    @property
    def more_than_one(self) -> bool:
        """Whether callers have a choice of numbers (then the card links to all of them)."""
        return len(self.numbers) > 1

    def language_for(self, dialled: object) -> str:
        """The language of the number a caller dialled (Vonage's `to`, `+` optional); the
        default language for anything that is not one of our numbers."""
        digits = dialled.removeprefix("+") if isinstance(dialled, str) else ""
        number = self._by_digits.get(digits)
        return number.language if number else self.default_language
