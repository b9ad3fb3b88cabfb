"""NCCOs for the phone side, built with the vonage_voice models (pure functions).

Every sentence is an English source sentence marked with `N_`; a `language` (the BCP 47 tag of
the number the caller dialled) says it from that language's catalog with a voice of that
language. Without one, English in Vonage's default voice.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from vonage_voice.models import Conversation, Input, Talk
from vonage_voice.models.input_types import Dtmf

from .voices import voice_for
from .words import N_, translate

DIGIT_TIMEOUT_SECONDS = 8
PROMPT = N_("Welcome to meetbridge. Please enter your meeting PIN, then press the hash key.")
RETRY = N_("Sorry, that PIN was not recognised. Please enter your meeting PIN, then press the hash key.")
NO_INPUT = N_("We did not hear any digits. Please enter your meeting PIN, then press the hash key.")
JOINING = N_("Joining the meeting.")
GOODBYE = N_("Sorry, that PIN was not recognised. Goodbye.")
LOCKED_OUT = N_("Too many wrong PINs were entered from this number. Please try again later. Goodbye.")
MEETING_GONE = N_("This meeting has ended. Goodbye.")
BUSY = N_("Sorry, the meeting service is busy. Please try again later. Goodbye.")
FULL = N_("Sorry, this meeting is full. Goodbye.")
NOT_EXPECTED = N_("This call is not expected. Goodbye.")  # a bridge leg nobody waits for, an unknown call


def talk(text: str, language: str | None = None, values: dict[str, str] | None = None, **options: object) -> Talk:
    """A `talk` of an English source sentence (its `{placeholders}` filled from `values`), in
    `language`'s words and voice when given; Vonage's default voice, en-US, is left unnamed."""
    words = translate(text, language, **(values or {}))
    voice = voice_for(language) if language is not None else None
    if voice is None or voice.is_vonage_default:
        return Talk(text=words, **options)
    return Talk(text=words, language=voice.language, style=voice.style, **options)


def _dump(*actions: object) -> list[dict]:
    return [action.model_dump(mode="json", by_alias=True, exclude_none=True) for action in actions]  # type: ignore[attr-defined]


# The NCCOs are pure functions of a few values and are asked for on every webhook: building
# and validating the pydantic models each time was a visible part of a webhook's cost, so
# each distinct NCCO is built once. Callers get a fresh list; nothing mutates the actions.

def pin_prompt(dtmf_url: str, max_digits: int, text: str = PROMPT, language: str | None = None) -> list[dict]:
    """Ask for the PIN; bargeIn lets a caller type before the sentence ends."""
    return list(_pin_prompt(dtmf_url, max_digits, text, language))


@lru_cache(maxsize=256)
def _pin_prompt(dtmf_url: str, max_digits: int, text: str, language: str | None) -> tuple[dict, ...]:
    collect = Input(type=["dtmf"], dtmf=Dtmf(maxDigits=max_digits, submitOnHash=True,
                                             timeOut=DIGIT_TIMEOUT_SECONDS),
                    eventUrl=[dtmf_url], eventMethod="POST")
    return tuple(_dump(talk(text, language, bargeIn=True), collect))


KEYPAD_PATH = "/voice-keypad"


def keypad_url(server_url: str) -> str:
    """Where Vonage sends a caller's keys during the meeting."""
    return f"{server_url}{KEYPAD_PATH}"


class AsyncKeypad(Input):
    """An `input` in Vonage's asynchronous mode: the NCCO goes on to the next action at once, and
    each key the caller presses later is sent to `eventUrl` on its own, in real time. Vonage's
    NCCO reference: `mode` "synchronous" (default) or "asynchronous", and in asynchronous mode all
    `dtmf` settings must be left out. The vonage_voice model predates `mode`, hence this field."""

    mode: Literal["asynchronous"] = "asynchronous"


def join_conversation(name: str, greeting: str | None = JOINING, keypad_url: str | None = None,
                      language: str | None = None) -> list[dict]:
    """The meeting's conversation by its stored random name (never the meeting id); with
    `keypad_url`, the caller's keys during the meeting (*6, *1, *3, *2) are sent there; the
    greeting in `language`."""
    return list(_join_conversation(name, greeting, keypad_url, language))


@lru_cache(maxsize=1024)
def _join_conversation(name: str, greeting: str | None, keypad_url: str | None,
                       language: str | None) -> tuple[dict, ...]:
    actions: list[object] = [talk(greeting, language)] if greeting else []
    if keypad_url:
        actions.append(AsyncKeypad(type=["dtmf"], eventUrl=[keypad_url], eventMethod="POST"))
    actions.append(Conversation(name=name, startOnEnter=True, endOnExit=False))
    return tuple(_dump(*actions))


def say_goodbye(text: str, language: str | None = None) -> list[dict]:
    """A last sentence; with nothing after it the call ends. Never an empty NCCO: Vonage's
    schema wants at least one action, and a call that must end hears why."""
    return list(_say_goodbye(text, language))


@lru_cache(maxsize=128)
def _say_goodbye(text: str, language: str | None) -> tuple[dict, ...]:
    return tuple(_dump(talk(text, language)))


INVITE_DECLINED = N_("No problem. Goodbye.")
INVITATION = N_("{who} invites you to {title}. Press 1 to join.")
INVITE_TEXT_LIMIT = 120  # characters of a meeting title or a name read out to the callee


def dial_out_invitation(who: str, title: str, dtmf_url: str, timeout_seconds: int,
                        language: str | None = None) -> list[dict]:
    """What a dialled person hears: who invites them to which meeting, then one key (1 joins).
    No PIN, no link, no secret: the key press comes back to `dtmf_url` with the leg's uuid."""
    spoken = talk(INVITATION, language, {"who": who[:INVITE_TEXT_LIMIT], "title": title[:INVITE_TEXT_LIMIT]},
                  bargeIn=True)
    collect = Input(type=["dtmf"], dtmf=Dtmf(maxDigits=1, timeOut=timeout_seconds),
                    eventUrl=[dtmf_url], eventMethod="POST")
    return _dump(spoken, collect)
