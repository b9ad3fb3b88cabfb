"""`phone_roster_modal`: the starter's view of who is on the phone, with Mute / Unmute / Remove
per caller and "Mute all phone callers". One block per caller (an overflow menu holds the
caller's actions), so 50 callers stay inside a modal's 100 blocks."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import ButtonElement, MarkdownTextObject, Option, OverflowMenuElement, SectionBlock
from slack_sdk.models.views import View

from meetbridge.phone_callers import PhoneCaller
from meetbridge.words import N_

from .card import caller_text, escape_mrkdwn
from .slack_words import say

PHONE_ROSTER_MODAL = "phone_roster_modal"
CALLER_ACTION = "phone_roster_caller"  # an overflow option's value: "<mute|unmute|remove>:<leg uuid>"
MUTE_ALL = "phone_roster_mute_all"
ACTIONS = ("mute", "unmute", "remove")


def roster_metadata(meeting_id: str) -> str:
    """The modal's private_metadata: which meeting it shows."""
    return json.dumps({"meeting_id": meeting_id})


def roster_meeting_id(metadata: str | None) -> str | None:
    """The meeting a roster modal shows; None when the metadata is not ours."""
    try:
        value = json.loads(metadata or "")["meeting_id"]
    except (ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, str) else None


def caller_action(value: str | None) -> tuple[str, str] | None:
    """(action, leg uuid) from an overflow option's value; None when it is not ours."""
    action, _, uuid = (value or "").partition(":")
    return (action, uuid) if action in ACTIONS and uuid else None


def caller_line(caller: PhoneCaller, now: float, locale: str | None = None) -> str:
    """A caller in the modal: who, minutes in, muted, hand."""
    parts = [f"*{caller_text(caller, locale)}*", say(N_("{minutes} min"), locale, minutes=caller.minutes(now))]
    if caller.muted:
        parts.append(say(N_("muted"), locale))
    if caller.hand_raised:
        parts.append(say(N_("hand raised"), locale))
    return " · ".join(parts)


def caller_block(caller: PhoneCaller, now: float, locale: str | None = None) -> SectionBlock:
    """One caller and their actions (Unmute for a muted caller, else Mute; Remove)."""
    toggle = Option(text=say(N_("Unmute"), locale), value=f"unmute:{caller.uuid}") if caller.muted \
        else Option(text=say(N_("Mute"), locale), value=f"mute:{caller.uuid}")
    remove = Option(text=say(N_("Remove from the meeting"), locale), value=f"remove:{caller.uuid}")
    return SectionBlock(text=MarkdownTextObject(text=caller_line(caller, now, locale)),
                        accessory=OverflowMenuElement(action_id=CALLER_ACTION, options=[toggle, remove]))


def phone_roster_modal(meeting_id: str, title: str, callers: list[PhoneCaller], now: float,
                       notice: str | None = None, locale: str | None = None) -> dict:
    """The modal for the meeting's starter, in their language; `notice` says what the last
    action did."""
    count = len(callers)
    heading = say(N_("*{title}*: {count} on the phone"), locale, title=escape_mrkdwn(title), count=count) \
        if count else say(N_("*{title}*: nobody is on the phone now."), locale, title=escape_mrkdwn(title))
    top = SectionBlock(text=MarkdownTextObject(text=heading + (f"\n{notice}" if notice else "")),
                       accessory=ButtonElement(text=say(N_("Mute all phone callers"), locale), action_id=MUTE_ALL,
                                               value=meeting_id)
                       if any(not caller.muted for caller in callers) else None)
    blocks = [top, *(caller_block(caller, now, locale) for caller in callers)]
    return View(type="modal", callback_id=PHONE_ROSTER_MODAL, title=say(N_("Phone callers"), locale),
                close=say(N_("Close"), locale), private_metadata=roster_metadata(meeting_id),
                blocks=blocks).to_dict()
