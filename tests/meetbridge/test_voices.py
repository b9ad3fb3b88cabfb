"""Which voice says a prompt: only tags Vonage's text-to-speech speaks, style 0, and Vonage's own
default (en-US) left unnamed."""

from __future__ import annotations

import pytest
from vonage_voice.models.enums import TtsLanguageCode

from meetbridge.voices import SPOKEN, VONAGE_VOICES, Voice, voice_for

SPOKEN_BY_VONAGE = {code.value for code in TtsLanguageCode}


def test_every_voice_the_product_names_is_one_vonage_speaks():
    assert VONAGE_VOICES | set(SPOKEN.values()) <= SPOKEN_BY_VONAGE


@pytest.mark.parametrize(("tag", "voice"), [
    ("de-DE", Voice("de-DE")), ("de-AT", Voice("de-DE")), ("en-GB", Voice("en-GB")), ("fr-CA", Voice("fr-CA")),
    ("es-MX", Voice("es-MX")), ("ja-JP", Voice("ja-JP")), ("pt-BR", Voice("en-US")), (None, Voice("en-US")),
])
def test_a_tag_gets_its_own_voice_or_its_languages_usual_one(tag, voice):
    assert voice_for(tag) == voice and voice_for(tag).style == 0


def test_only_vonages_default_voice_goes_unnamed():
    assert voice_for("en-US").is_vonage_default and not voice_for("en-GB").is_vonage_default
