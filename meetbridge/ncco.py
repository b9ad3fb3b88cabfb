"""NCCOs for the phone side, built with the vonage_voice models (pure functions)."""

from __future__ import annotations

from functools import lru_cache

from vonage_voice.models import Conversation, Input, Talk
from vonage_voice.models.input_types import Dtmf

DIGIT_TIMEOUT_SECONDS = 8
PROMPT = "Welcome to meetbridge. Please enter your meeting PIN, then press the hash key."
RETRY = "Sorry, that PIN was not recognised. Please enter your meeting PIN, then press the hash key."
NO_INPUT = "We did not hear any digits. Please enter your meeting PIN, then press the hash key."
JOINING = "Joining the meeting."
GOODBYE = "Sorry, that PIN was not recognised. Goodbye."
LOCKED_OUT = "Too many wrong PINs were entered from this number. Please try again later. Goodbye."
MEETING_GONE = "This meeting has ended. Goodbye."
BUSY = "Sorry, the meeting service is busy. Please try again later. Goodbye."
FULL = "Sorry, this meeting is full. Goodbye."
NOT_EXPECTED = "This call is not expected. Goodbye."  # a bridge leg nobody waits for, an unknown call


def _dump(*actions: object) -> list[dict]:
    return [action.model_dump(mode="json", by_alias=True, exclude_none=True) for action in actions]  # type: ignore[attr-defined]


# The NCCOs are pure functions of a few values and are asked for on every webhook: building
# and validating the pydantic models each time was a visible part of a webhook's cost, so
# each distinct NCCO is built once. Callers get a fresh list; nothing mutates the actions.

def pin_prompt(dtmf_url: str, max_digits: int, text: str = PROMPT) -> list[dict]:
    """Ask for the PIN; bargeIn lets a caller type before the sentence ends."""
    return list(_pin_prompt(dtmf_url, max_digits, text))


@lru_cache(maxsize=64)
def _pin_prompt(dtmf_url: str, max_digits: int, text: str) -> tuple[dict, ...]:
    collect = Input(type=["dtmf"], dtmf=Dtmf(maxDigits=max_digits, submitOnHash=True,
                                             timeOut=DIGIT_TIMEOUT_SECONDS),
                    eventUrl=[dtmf_url], eventMethod="POST")
    return tuple(_dump(Talk(text=text, bargeIn=True), collect))


def join_conversation(name: str, greeting: str | None = JOINING) -> list[dict]:
    """The meeting's conversation by its stored random name (never the meeting id)."""
    return list(_join_conversation(name, greeting))


@lru_cache(maxsize=1024)
def _join_conversation(name: str, greeting: str | None) -> tuple[dict, ...]:
    actions: list[object] = [Talk(text=greeting)] if greeting else []
    actions.append(Conversation(name=name, startOnEnter=True, endOnExit=False))
    return tuple(_dump(*actions))


def say_goodbye(text: str) -> list[dict]:
    """A last sentence; with nothing after it the call ends. Never an empty NCCO: Vonage's
    schema wants at least one action, and a call that must end hears why."""
    return list(_say_goodbye(text))


@lru_cache(maxsize=16)
def _say_goodbye(text: str) -> tuple[dict, ...]:
    return tuple(_dump(Talk(text=text)))


INVITE_DECLINED = "No problem. Goodbye."
INVITE_TEXT_LIMIT = 120  # characters of a meeting title or a name read out to the callee


def dial_out_invitation(who: str, title: str, dtmf_url: str, timeout_seconds: int) -> list[dict]:
    """What a dialled person hears: who invites them to which meeting, then one key (1 joins).
    No PIN, no link, no secret: the key press comes back to `dtmf_url` with the leg's uuid."""
    text = (f"{who[:INVITE_TEXT_LIMIT]} invites you to {title[:INVITE_TEXT_LIMIT]}. "
            "Press 1 to join.")
    collect = Input(type=["dtmf"], dtmf=Dtmf(maxDigits=1, timeOut=timeout_seconds),
                    eventUrl=[dtmf_url], eventMethod="POST")
    return _dump(Talk(text=text, bargeIn=True), collect)
