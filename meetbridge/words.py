"""The product's sentences in each shipped language: gettext catalogs read through Babel.

English is the source language: a sentence is written in English where it is used, marked with
`N_`, and looked up by that English text in `meetbridge/locales/<language>/LC_MESSAGES/
<domain>.po`. Each side of the product keeps its own domain (one .po file per language): the voice
prompts `meetbridge`, the Slack side `slack`, the web pages `web`, stored reasons `reasons`.
The catalogs are read from their .po files once per process (no build step, so a fresh clone
runs as it is); a sentence missing from a catalog is said in English.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "meetbridge"  # the voice prompts
DOMAINS = (DOMAIN, "slack", "web", "reasons")
SOURCE_LANGUAGE = "en"
LANGUAGES = ("en", "de", "es", "fr", "ja")  # English plus one catalog each


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional marker name
    """Marks an English source sentence for the catalogs; translated where it is said."""
    return message


def catalog_path(language: str, domain: str = DOMAIN) -> Path:
    """Where a language's catalog of one domain lives."""
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{domain}.po"


@lru_cache(maxsize=len(LANGUAGES) * len(DOMAINS))
def catalog(language: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The language's translations of one domain (English and unknown languages: the source
    sentences)."""
    path = catalog_path(language, domain)
    if language == SOURCE_LANGUAGE or language not in LANGUAGES or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as source:
        parsed = read_po(source, locale=language, domain=domain)
    compiled = BytesIO()
    write_mo(compiled, parsed, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def load_catalogs() -> None:
    """Read every catalog now (at start-up), so no caller's first prompt waits for a .po file."""
    for language in LANGUAGES:
        for domain in DOMAINS:
            catalog(language, domain)


def language_of(tag: str | None) -> str:
    """The shipped language of a BCP 47 tag (`de-AT` → `de`); English when none ships."""
    base = (tag or "").replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else SOURCE_LANGUAGE


def translate(message: str, tag: str | None, domain: str = DOMAIN, **values: object) -> str:
    """`message` (an English source sentence of `domain`) in the language of `tag`, with
    `values` filled into its `{placeholders}` after translation."""
    text = catalog(language_of(tag), domain).gettext(message)
    return text.format(**values) if values else text
