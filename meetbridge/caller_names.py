"""Who a phone caller is: a member who saved the number they ring from, or the name they say.

After the right PIN the caller hears "After the tone, say your name" and Vonage's speech
recognition sends what it heard to /voice-name. Only a short, plain, confident result becomes
the name (letters, spaces, hyphens, apostrophes; at most 40 characters); anything else, silence
included, leaves the caller shown by their masked number. Names are personal data: they are
stored on the leg and shown to the meeting, never written to a log.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from vonage_voice.models import Input, Stream
from vonage_voice.models.input_types import Speech

from .ncco import talk
from .settings import Settings
from .storage import Store
from .words import N_

NAME_PATH = "/voice-name"
TONE_PATH = "/phone/tone.mp3"
SAY_YOUR_NAME = N_("After the tone, say your name.")
SPEECH_LANGUAGE = "en-US"  # Vonage's default for speech recognition
MAX_NAME_LENGTH = 40
MAX_WORDS = 4
MIN_CONFIDENCE = 0.5
END_ON_SILENCE_SECONDS = 1.0  # a name is a breath long: stop listening soon after it
START_TIMEOUT_SECONDS = 5
MAX_SPEECH_SECONDS = 5
_TRAILING = ".,!?;:"
_JOINERS = frozenset(" -'\u2019")


@dataclass(frozen=True)
class Heard:
    """One transcript of Vonage's `speech.results`, best first as Vonage sends them."""

    text: str
    confidence: float | None


def heard_from(speech: object) -> list[Heard]:
    """The transcripts of an input webhook's `speech` object; [] for anything malformed, an
    error, or a `start_timeout` (the caller said nothing)."""
    if not isinstance(speech, dict) or speech.get("error") or speech.get("timeout_reason") == "start_timeout":
        return []
    results = speech.get("results")
    if not isinstance(results, list):
        return []
    heard = []
    for result in results[:10]:
        if isinstance(result, dict) and isinstance(result.get("text"), str):
            heard.append(Heard(result["text"], _confidence(result.get("confidence"))))
    return heard


def _confidence(raw: object) -> float | None:
    """Vonage sends the confidence as a string ("0.9405097"); a number is read too."""
    if isinstance(raw, bool):
        return None
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return value if 0.0 <= value <= 1.0 else None


def clean_name(heard: list[Heard]) -> str | None:
    """The most confident transcript as a short display name, or None when it is not one."""
    best = max(heard, key=lambda one: one.confidence or 0.0, default=None)
    if best is None or best.confidence is None or best.confidence < MIN_CONFIDENCE:
        return None
    text = " ".join(unicodedata.normalize("NFC", best.text).split()).strip(_TRAILING + " ")
    if not text or len(text) > MAX_NAME_LENGTH or len(text.split(" ")) > MAX_WORDS:
        return None
    if not all(ch.isalpha() or ch in _JOINERS for ch in text) or not text[0].isalpha():
        return None
    if re.search(r"[-'\u2019 ]{2,}", text):
        return None
    return " ".join(word[:1].upper() + word[1:] if word.islower() else word for word in text.split(" "))


def name_prompt(name_url: str, tone_url: str, language: str | None) -> list[dict]:
    """"After the tone, say your name", a short tone, then speech recognition in the caller's
    language (the number they dialled), its result posted to `name_url`."""
    listen = Input(type=["speech"], eventUrl=[name_url], eventMethod="POST",
                   speech=Speech(language=language or SPEECH_LANGUAGE, endOnSilence=END_ON_SILENCE_SECONDS,
                                 startTimeout=START_TIMEOUT_SECONDS, maxDuration=MAX_SPEECH_SECONDS))
    actions = (talk(SAY_YOUR_NAME, language), Stream(streamUrl=[tone_url]), listen)
    return [action.model_dump(mode="json", by_alias=True, exclude_none=True) for action in actions]


class CallerNames:
    """The name step between the PIN and the meeting."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store

    def first_step(self, uuid: str, named: bool, saved_member: str | None, language: str | None) -> list[dict] | None:
        """After the right PIN: the name prompt, or None when the caller goes straight in (a leg
        already `named`, a number one member of the meeting's workspace saved (`saved_member`:
        the leg becomes that member), or ASK_CALLER_NAME=false). The PIN entry's read-back
        carries these facts, so only a write that changes something is sent."""
        if named:
            return None
        if saved_member is not None:
            self.store.phone_waiting.set_member(uuid, saved_member)
            return None
        if not self.settings.ask_caller_name:
            return None
        self.store.phone_waiting.ask_name(uuid)
        return name_prompt(self.settings.server_url + NAME_PATH, self.settings.server_url + TONE_PATH, language)

    def asked_again(self, uuid: str) -> list[dict] | None:
        """The name prompt again for a leg still being asked (Vonage repeated the PIN's webhook),
        so the caller is not let in without the step ending; None otherwise."""
        leg = self.store.legs.get(uuid)
        if leg is None or not self.store.phone_waiting.is_naming(uuid):
            return None
        return name_prompt(self.settings.server_url + NAME_PATH, self.settings.server_url + TONE_PATH,
                           leg.language)

    def said(self, uuid: str, heard: list[Heard]) -> bool:
        """Keep the name the caller said, if it is one; False when the leg was not being asked
        (a repeated webhook, an unknown or ended leg)."""
        if not self.store.phone_waiting.take_naming(uuid):
            return False
        name = clean_name(heard)
        if name is not None:
            self.store.phone_waiting.set_name(uuid, name)
        return True
