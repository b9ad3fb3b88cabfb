"""The phone-number modals: "Call my phone" (`call_me_modal`), "Add by phone" (`add_phone_modal`)
and App Home's "My phone number" (`my_phone_modal`); their blocks and what a submission holds.

Block ids double as action ids, so a field error (`response_action: "errors"`) names the
block whose input was wrong.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from meetbridge.words import N_

from .card import escape_mrkdwn
from .slack_words import say

PHONE, NAME, REMEMBER = "phone", "name", "remember"
CALL_ME_MODAL, ADD_PHONE_MODAL, MY_PHONE_MODAL = "call_me_modal", "add_phone_modal", "my_phone_modal"
MAX_NAME = 60
MAX_PHONE = 32
PHONE_HINT = N_("With its country code, e.g. +1 555 010 0199.")


@dataclass(frozen=True)
class ModalContext:
    """Where a modal was opened from (kept in the view's private_metadata)."""

    meeting_id: str
    channel_id: str

    def dump(self) -> str:
        """The private_metadata string."""
        return json.dumps({"meeting_id": self.meeting_id, "channel_id": self.channel_id})

    @classmethod
    def load(cls, metadata: str) -> ModalContext | None:
        """Read private_metadata back; None when it is not ours."""
        try:
            data = json.loads(metadata or "")
            return cls(meeting_id=str(data["meeting_id"]), channel_id=str(data["channel_id"]))
        except (ValueError, KeyError, TypeError):
            return None


def phone_input(initial: str | None = None, locale: str | None = None) -> InputBlock:
    """The phone-number field, in the member's language."""
    return InputBlock(block_id=PHONE, label=say(N_("Phone number"), locale), hint=say(PHONE_HINT, locale),
                      element=PlainTextInputElement(action_id=PHONE, initial_value=initial, max_length=MAX_PHONE,
                                                    placeholder="+1 555 010 0199"))


def call_me_modal(context: ModalContext, meeting_title: str, locale: str | None = None) -> dict:
    """Asks for the member's number, with a box to remember it for next time."""
    remember = Option(value=REMEMBER, label=say(N_("Remember this number"), locale),
                      description=say(N_("Next time, Call my phone rings it at once. Remove it in my App Home."),
                                      locale))
    blocks = [
        SectionBlock(text=say(N_("The meeting *{title}* will call you; answer and press 1 to join."), locale,
                              title=escape_mrkdwn(meeting_title))),
        phone_input(locale=locale),
        InputBlock(block_id=REMEMBER, label=say(N_("Next time"), locale), optional=True,
                   element=CheckboxesElement(action_id=REMEMBER, options=[remember])),
    ]
    return View(type="modal", callback_id=CALL_ME_MODAL, title=say(N_("Call my phone"), locale),
                submit=say(N_("Call me"), locale), close=say(N_("Cancel"), locale),
                private_metadata=context.dump(), blocks=blocks).to_dict()


def add_phone_modal(context: ModalContext, meeting_title: str, locale: str | None = None) -> dict:
    """Asks for someone else's number and name: the meeting calls them and says who invites them."""
    blocks = [
        SectionBlock(text=say(N_("The meeting *{title}* will call this person; they press 1 to join."), locale,
                              title=escape_mrkdwn(meeting_title))),
        phone_input(locale=locale),
        InputBlock(block_id=NAME, label=say(N_("Their name"), locale),
                   hint=say(N_("Shown on the card while the call rings."), locale),
                   element=PlainTextInputElement(action_id=NAME, max_length=MAX_NAME)),
    ]
    return View(type="modal", callback_id=ADD_PHONE_MODAL, title=say(N_("Add by phone"), locale),
                submit=say(N_("Call"), locale), close=say(N_("Cancel"), locale),
                private_metadata=context.dump(), blocks=blocks).to_dict()


def my_phone_modal(current: str | None, locale: str | None = None) -> dict:
    """App Home: add or change the member's own number (the only place it is shown in full)."""
    blocks = [phone_input(current, locale)]
    return View(type="modal", callback_id=MY_PHONE_MODAL, title=say(N_("My phone number"), locale),
                submit=say(N_("Save"), locale), close=say(N_("Cancel"), locale), blocks=blocks).to_dict()


def field(view: dict, block_id: str) -> str:
    """A plain-text input's value ('' when empty)."""
    value = ((view.get("state") or {}).get("values") or {}).get(block_id, {}).get(block_id, {}).get("value")
    return (value or "").strip()


def ticked(view: dict, block_id: str) -> bool:
    """Whether a checkbox group has its option selected."""
    state = ((view.get("state") or {}).get("values") or {}).get(block_id, {}).get(block_id, {})
    return any(option.get("value") == block_id for option in state.get("selected_options") or [])
