"""Which text-to-speech voice says a prompt: Vonage `talk` takes a BCP 47 `language` and a
`style` (a numbered voice of that language; 0, the first, exists for every language Vonage
speaks, and is what Vonage uses when none is named). Without a language Vonage speaks en-US."""

from __future__ import annotations

from dataclasses import dataclass

from .words import SOURCE_LANGUAGE, language_of

VONAGE_DEFAULT = "en-US"
# The tag a shipped language is spoken in when a number's own tag is not a voice Vonage has.
SPOKEN = {"en": "en-US", "de": "de-DE", "es": "es-ES", "fr": "fr-FR", "ja": "ja-JP"}
# Tags of the shipped languages that Vonage's text-to-speech speaks; style 0, the first voice,
# exists for each (the Voice SDK's TtsLanguageCode lists every tag Vonage speaks).
VONAGE_VOICES = frozenset({"en-US", "en-GB", "en-AU", "en-IN", "en-ZA", "de-DE", "es-ES", "es-MX", "es-US",
                           "fr-FR", "fr-CA", "ja-JP"})
STYLE = 0  # the first voice of each language


@dataclass(frozen=True)
class Voice:
    """A `talk` action's `language` and `style`."""

    language: str
    style: int = STYLE

    @property
    def is_vonage_default(self) -> bool:
        """What Vonage says with no language named (the NCCO may leave both out)."""
        return self.language == VONAGE_DEFAULT and self.style == 0


def voice_for(tag: str | None) -> Voice:
    """The voice for a number's language: its own tag when Vonage has that voice and the
    product ships its words, else the shipped language's usual voice (English: en-US)."""
    if tag in VONAGE_VOICES:
        return Voice(tag)
    return Voice(SPOKEN.get(language_of(tag), SPOKEN[SOURCE_LANGUAGE]))
