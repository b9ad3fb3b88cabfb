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

from . import messages
from .phone_modals import MY_PHONE_MODAL, PHONE, field, my_phone_modal

Publish = Callable[[WebClient, str, str, "str | None"], None]


class NumberCheck(Protocol):
    """DialOut.normalise: E.164 for a typed number, or DialOutRefused."""

    def normalise(self, number: str, region: str | None) -> str:
        """E.164 for a typed number, or DialOutRefused."""


def phone_number_blocks(number: str | None) -> list[Block]:
    """The Home tab's section: the saved number masked with Change and Remove, or Add."""
    blocks: list[Block] = [HeaderBlock(text="My phone number")]
    if number is None:
        return [*blocks, SectionBlock(text=MarkdownTextObject(text=messages.SAVED_NUMBER_NONE)),
                ActionsBlock(block_id="my_phone", elements=[
                    ButtonElement(text="Add my number", action_id="my_phone_edit", value="add")])]
    return [*blocks, SectionBlock(text=MarkdownTextObject(text=messages.saved_number(masked(number)))),
            ActionsBlock(block_id="my_phone", elements=[
                ButtonElement(text="Change", action_id="my_phone_edit", value="change"),
                ButtonElement(text="Remove", action_id="my_phone_remove", value="remove", style="danger",
                              confirm=ConfirmObject(title="Remove your number?",
                                                    text="Call my phone will ask for a number again.",
                                                    confirm="Remove", deny="Cancel", style="danger"))])]


def my_number_section(saved: SavedNumbers) -> Callable[[str, str], list[Block]]:
    """The section of one member's Home tab, read when the tab is published."""
    return lambda team_id, user_id: phone_number_blocks(saved.get(team_id, user_id))


def register_phone_home(app: App, saved: SavedNumbers, numbers: NumberCheck, publish: Publish) -> None:
    """The Home tab's phone-number buttons and the modal that edits the number."""

    def who(body: dict) -> tuple[str, str]:
        user = body.get("user") or {}
        return (body.get("team") or {}).get("id") or user.get("team_id") or "", user.get("id") or ""

    def edit(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        team_id, user_id = who(body)
        client.views_open(trigger_id=body["trigger_id"], view=my_phone_modal(saved.get(team_id, user_id)))

    def remove(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        team_id, user_id = who(body)
        saved.forget(team_id, user_id)
        publish(client, team_id, user_id, messages.SAVED_NUMBER_REMOVED)

    def submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        try:
            number = numbers.normalise(field(view, PHONE), None)
        except DialOutRefused as refused:
            reason = messages.NUMBER_FIELD_ERRORS.get(refused.code, messages.NUMBER_FIELD_ERRORS["invalid_number"])
            ack(response_action="errors", errors={PHONE: reason})
            return
        ack()
        team_id, user_id = who(body)
        saved.save(team_id, user_id, number)
        publish(client, team_id, user_id, messages.SAVED_NUMBER_SAVED)

    app.action("my_phone_edit")(edit)
    app.action("my_phone_remove")(remove)
    app.view(MY_PHONE_MODAL)(submitted)
