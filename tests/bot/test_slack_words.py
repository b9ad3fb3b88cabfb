"""The Slack side's catalogs (gettext domain `slack`): every sentence marked for translation
(`N_`) anywhere in bot/ is in every shipped catalog, translated, with exactly the placeholders of
its English source, and no catalog keeps a sentence the Slack side no longer says."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot
from bot import messages
from bot.slack_words import DOMAIN, say
from tests.catalogs import TRANSLATED, catalog_problems, marked_in, stale_sentences

BOT = Path(bot.__file__).resolve().parent
# Abbreviations that are written the same way in these languages.
SAME_IN = {"es": {"{minutes} min", "{hours} h {minutes} min"}, "fr": {"{minutes} min", "{hours} h {minutes} min"}}


def marked_sentences() -> dict[str, str]:
    """Every `N_("…")` of bot/, by source sentence → where it is."""
    return marked_in(sorted(BOT.glob("*.py")), BOT.parent)


def test_the_marker_finds_the_slack_sides_sentences():
    marked = set(marked_sentences())
    assert {messages.HELP, messages.MEETING_OVER, messages.UNKNOWN_MEETING, messages.NOT_CONNECTED,
            messages.NOT_ENABLED, *messages.NUMBER_FIELD_ERRORS.values(), *messages.PROGRESS.values(),
            "End this meeting?", "Your live meetings", "Call my phone", "Mute all phone callers"} <= marked
    assert len(marked) > 120


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_slack_catalog_has_every_sentence_translated_with_the_same_placeholders(language):
    same = SAME_IN.get(language, set())
    assert catalog_problems(language, DOMAIN, marked_sentences(), same.__contains__) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_slack_catalog_holds_no_sentence_the_slack_side_no_longer_says(language):
    assert stale_sentences(language, DOMAIN, marked_sentences()) == set()


@pytest.mark.parametrize(("tag", "expected"), [
    ("de-DE", "Dieses Meeting ist bereits beendet."),
    ("es-419", "Esta reunión ya ha finalizado."),
    ("fr-CA", "Cette réunion est déjà terminée."),
    ("ja-JP", "この会議はすでに終了しています。"),
    ("en-GB", messages.MEETING_OVER),
    ("pt-BR", messages.MEETING_OVER),  # no Portuguese catalog ships: English
    (None, messages.MEETING_OVER),
])
def test_a_slack_sentence_is_said_in_the_language_of_the_slack_locale(tag, expected):
    assert say(messages.MEETING_OVER, tag) == expected


def test_values_are_filled_after_translation_and_a_topic_stays_escaped():
    assert messages.starting("<!channel> & co", "de-DE") == "*&lt;!channel&gt; &amp; co* wird gestartet…"
    assert messages.in_minutes(61, "ja") == "1 分後に"
    assert messages.in_minutes(600, "fr") == "dans 10 minutes"
