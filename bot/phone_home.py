"""App Home's "My phone number": add, change or remove the number "Call my phone" rings.

Kept per workspace and Slack user (meetbridge.saved_numbers). The Home tab shows it masked;
only the member's own modal shows it in full, to edit it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from meetbridge.errors import DialOutRefused
from meetbridge.saved_numbers import SavedNumbers, masked
from meetbridge.words import N_

from . import messages
from .phone_modals import MY_PHONE_MODAL, PHONE, field, my_phone_modal
from .slack_words import ReaderLocales, reader_locale, say

Publish = Callable[[WebClient, str, str, "str | None"], None]


class NumberCheck(Protocol):
    """DialOut.normalise: E.164 for a typed number, or DialOutRefused."""

    def normalise(self, number: str, region: str | None) -> str:
        """E.164 for a typed number, or DialOutRefused."""


def phone_number_blocks(number: str | None, locale: str | None = None) -> list[Block]:
    """The Home tab's section: the saved number masked with Change and Remove, or Add."""
    blocks: list[Block] = [HeaderBlock(text=say(N_("My phone number"), locale))]
    if number is None:
        return [*blocks, SectionBlock(text=MarkdownTextObject(text=say(messages.SAVED_NUMBER_NONE, locale))),
                ActionsBlock(block_id="my_phone", elements=[
                    ButtonElement(text=say(N_("Add my number"), locale), action_id="my_phone_edit", value="add")])]
    return [*blocks, SectionBlock(text=MarkdownTextObject(text=messages.saved_number(masked(number), locale))),
            ActionsBlock(block_id="my_phone", elements=[
                ButtonElement(text=say(N_("Change"), locale), action_id="my_phone_edit", value="change"),
                ButtonElement(text=say(N_("Remove"), locale), action_id="my_phone_remove", value="remove",
                              style="danger",
                              confirm=ConfirmObject(title=say(N_("Remove your number?"), locale),
                                                    text=say(N_("Call my phone will ask for a number again."), locale),
                                                    confirm=say(N_("Remove"), locale), deny=say(N_("Cancel"), locale),
                                                    style="danger"))])]


def my_number_section(saved: SavedNumbers) -> Callable[..., list[Block]]:
    """The section of one member's Home tab (in their language), read when the tab is published."""
    return lambda team_id, user_id, locale=None: phone_number_blocks(saved.get(team_id, user_id), locale)


def register_phone_home(app: App, saved: SavedNumbers, numbers: NumberCheck, publish: Publish,
                        locales: ReaderLocales | None = None) -> None:
    """The Home tab's phone-number buttons and the modal that edits the number; a field error is
    in the member's language when `locales` knows it without asking Slack (a view submission must
    be answered within three seconds)."""

    def who(body: dict) -> tuple[str, str]:
        user = body.get("user") or {}
        return (body.get("team") or {}).get("id") or user.get("team_id") or "", user.get("id") or ""

    def edit(ack: Ack, body: dict, client: WebClient, context) -> None:
        ack()
        team_id, user_id = who(body)
        client.views_open(trigger_id=body["trigger_id"],
                          view=my_phone_modal(saved.get(team_id, user_id), reader_locale(context)))

    def remove(ack: Ack, body: dict, client: WebClient, context) -> None:
        ack()
        team_id, user_id = who(body)
        saved.forget(team_id, user_id)
        publish(client, team_id, user_id, messages.word(messages.SAVED_NUMBER_REMOVED, reader_locale(context)))

    def submitted(ack: Ack, body: dict, view: dict, client: WebClient, context) -> None:
        try:
            number = numbers.normalise(field(view, PHONE), None)
        except DialOutRefused as refused:
            locale = locales.known(*who(body)) if locales else None
            ack(response_action="errors", errors={PHONE: messages.number_field_error(refused.code, locale)})
            return
        ack()
        team_id, user_id = who(body)
        saved.save(team_id, user_id, number)
        publish(client, team_id, user_id, messages.word(messages.SAVED_NUMBER_SAVED, reader_locale(context)))

    app.action("my_phone_edit")(edit)
    app.action("my_phone_remove")(remove)
    app.view(MY_PHONE_MODAL)(submitted)
