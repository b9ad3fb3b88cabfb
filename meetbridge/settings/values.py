"""Converters from one environment variable's text to a typed value; each raises ValueError
(or OSError, for a key file) on text it refuses, and the reader words the problem."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable
from urllib.parse import urlsplit

SQLITE_URL_PREFIX = "sqlite:///"
POSTGRES_URL_PREFIXES = ("postgresql://", "postgres://")


def positive_int(text: str) -> int:
    """A whole number of at least 1."""
    number = int(text)
    if number < 1:
        raise ValueError(text)
    return number


def whole_number_from(low: int, high: int) -> Callable[[str], int]:
    """A converter for a whole number from `low` to `high`, both included."""
    def convert(text: str) -> int:
        number = int(text)
        if not low <= number <= high:
            raise ValueError(text)
        return number
    return convert


def positive_float(text: str) -> float:
    """A finite number above 0; decimals allowed so that tests and demos can shorten durations."""
    number = float(text)
    if not number > 0 or number != number or number == float("inf"):
        raise ValueError(text)
    return number


def ttl_hours(text: str) -> float:
    """Video tokens live at most 30 days, so a meeting cannot outlive that: above 0, at most 720."""
    hours = positive_float(text)
    if hours > 720:
        raise ValueError(text)
    return hours


def boolean(text: str) -> bool:
    """true/false, yes/no, on/off or 1/0, in any case."""
    lowered = text.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(text)


def id_list(text: str) -> frozenset[str]:
    """Slack team / enterprise ids: `T0123,T0456`."""
    ids = frozenset(part.strip() for part in text.split(",") if part.strip())
    if not ids or not all(re.fullmatch(r"[A-Z0-9]{2,20}", one) for one in ids):
        raise ValueError(text)
    return ids


def country_list(text: str) -> tuple[str, ...]:
    """ISO 3166 alpha-2 country codes, comma-separated (`US,CA`), upper-cased, in the order given."""
    from phonenumbers import SUPPORTED_REGIONS  # the countries a number can be parsed for

    codes = tuple(dict.fromkeys(part.strip().upper() for part in text.split(",") if part.strip()))
    if not codes or not all(code in SUPPORTED_REGIONS for code in codes):
        raise ValueError(text)
    return codes


def country_code(text: str) -> str:
    """One ISO 3166 alpha-2 country code (`GB`), upper-cased."""
    codes = country_list(text)
    if len(codes) != 1:
        raise ValueError(text)
    return codes[0]


SHIPPED_LOCALES = ("en", "de", "es", "fr", "ja")  # the languages whose words the product ships
LANGUAGE_TAG = re.compile(r"([a-z]{2})-([A-Z]{2})")


def locale_name(text: str) -> str:
    """One of the shipped languages (`en`, `de`, `es`, `fr`, `ja`), lower-cased."""
    name = text.strip().lower().replace("_", "-").split("-")[0]
    if name not in SHIPPED_LOCALES:
        raise ValueError(text)
    return name


def dial_in_numbers(text: str) -> tuple[tuple[str, str], ...]:
    """`+442071234567=en-GB,+4930901820=de-DE`: each number (digits only, as CONFERENCE_NUMBER)
    with the language (BCP 47, `xx-YY`) its callers hear and speak, in the order given."""
    pairs: dict[str, str] = {}
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        number, _, language = part.partition("=")
        language = language.strip()
        if not LANGUAGE_TAG.fullmatch(language):
            raise ValueError(text)
        pairs.setdefault(check_phone_number(number.strip()), language)
    if not pairs:
        raise ValueError(text)
    return tuple(pairs.items())


def one_of(*choices: str) -> Callable[[str], str]:
    """A converter that keeps one of a few words, lower-cased."""
    def convert(text: str) -> str:
        word = text.strip().lower()
        if word not in choices:
            raise ValueError(text)
        return word
    return convert


def starting_with(prefix: str) -> Callable[[str], str]:
    """A converter that keeps only tokens of one kind, told apart by their prefix."""
    def convert(text: str) -> str:
        if not text.startswith(prefix):
            raise ValueError(prefix)
        return text
    return convert


def without_trailing_slash(text: str) -> str:
    """A base URL that paths are appended to."""
    return text.rstrip("/")


def sri_hash(text: str) -> str:
    """A Subresource Integrity hash: sha256-, sha384- or sha512- and base64."""
    if not re.fullmatch(r"sha(256|384|512)-[A-Za-z0-9+/]+={0,2}", text):
        raise ValueError(text)
    return text


def database_url(text: str) -> str:
    """sqlite:///<file> or postgresql://… (postgres:// too)."""
    if text.startswith(SQLITE_URL_PREFIX) and len(text) > len(SQLITE_URL_PREFIX):
        return text
    if text.startswith(POSTGRES_URL_PREFIXES) and len(text) > len("postgres://"):
        return text
    raise ValueError("not a database URL")  # never the text: it may hold a password


def is_loopback(host: str) -> bool:
    """localhost or a loopback address: this machine, so development and tests."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_server_url(value: str) -> str:
    """Public base URL: https, or http only on loopback (development and tests)."""
    parts = urlsplit(value)
    if not parts.hostname or parts.scheme not in {"http", "https"}:
        raise ValueError(value)
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError(value)
    return value.rstrip("/")


def check_phone_number(value: str) -> str:
    """E.164 number, '+' optional; kept as digits only."""
    digits = value.removeprefix("+").replace(" ", "")
    if not re.fullmatch(r"[1-9]\d{6,14}", digits):
        raise ValueError(value)
    return digits


def read_private_key(value: str) -> str:
    """The Voice application key as PEM text, whether given as PEM or as a file path."""
    if "-----BEGIN" in value:
        return value.replace("\\n", "\n")
    with open(os.path.expanduser(value), encoding="ascii") as key_file:
        text = key_file.read()
    if "-----BEGIN" not in text:
        raise ValueError(value)
    return text
