"""The voice prompts' catalogs: every sentence marked for translation (`N_`) in the modules whose
words the catalogs carry is in every shipped catalog, translated, with exactly the placeholders of
its English source; the catalogs are read from the repository's .po files as they are (no build
step)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from meetbridge import ncco, words
from meetbridge.words import language_of, translate
from tests.catalogs import TRANSLATED, catalog_problems, marked_in, stale_sentences

PACKAGE = Path(words.__file__).resolve().parent
# The modules whose marked sentences every catalog carries (the voice prompts). A module joins
# this list when its sentences are in every catalog.
CATALOGUED = ("ncco.py", "caller_names.py", "phone_waiting.py", "phone_keypad.py")


def marked_sentences() -> dict[str, str]:
    """Every `N_("…")` of the catalogued modules, by source sentence → where it is."""
    return marked_in((PACKAGE / name for name in CATALOGUED), PACKAGE.parent)


def test_the_marker_finds_every_voice_prompt_of_ncco():
    marked = set(marked_sentences())
    assert {ncco.PROMPT, ncco.RETRY, ncco.NO_INPUT, ncco.JOINING, ncco.GOODBYE, ncco.LOCKED_OUT,
            ncco.MEETING_GONE, ncco.BUSY, ncco.FULL, ncco.NOT_EXPECTED, ncco.INVITE_DECLINED,
            ncco.INVITATION} <= marked


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_catalog_has_every_sentence_translated_with_the_same_placeholders(language):
    assert catalog_problems(language, words.DOMAIN, marked_sentences()) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_catalog_holds_no_sentence_the_product_no_longer_says(language):
    assert stale_sentences(language, words.DOMAIN, marked_sentences()) == set()


@pytest.mark.parametrize(("tag", "expected"), [
    ("de-DE", "Dieses Meeting ist beendet. Auf Wiederhören."),
    ("de-AT", "Dieses Meeting ist beendet. Auf Wiederhören."),
    ("es-MX", "Esta reunión ha terminado. Adiós."),
    ("fr-CA", "Cette réunion est terminée. Au revoir."),
    ("ja-JP", "この会議は終了しました。失礼いたします。"),
    ("en-GB", ncco.MEETING_GONE),
    ("pt-BR", ncco.MEETING_GONE),  # no Portuguese catalog ships: English
    (None, ncco.MEETING_GONE),
])
def test_a_sentence_is_said_in_the_language_of_the_tag(tag, expected):
    assert translate(ncco.MEETING_GONE, tag) == expected


def test_placeholders_are_filled_after_translation_and_braces_in_values_stay_text():
    said = translate(ncco.INVITATION, "de-DE", who="Ada {x}", title="Plan {title}")
    assert said == "Ada {x} lädt Sie zu Plan {title} ein. Drücken Sie die 1, um teilzunehmen."


def test_language_of_maps_tags_to_shipped_languages():
    assert [language_of(tag) for tag in ("de-DE", "JA-jp", "fr_CA", "pt-BR", "", None)] == \
        ["de", "ja", "fr", "en", "en", "en"]


def test_the_app_reads_every_catalog_when_it_starts(settings, clock):
    words.catalog.cache_clear()
    app = create_app(settings, clock=clock, run_sweeper=False)
    try:
        assert words.catalog.cache_info().currsize == len(words.LANGUAGES) * len(words.DOMAINS)
    finally:
        app.extensions["meetbridge.shutdown"]()
