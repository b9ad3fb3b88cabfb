"""The meeting card: a pure function of a meeting's status, built with slack_sdk's Block Kit
models so Slack's limits are checked before anything is sent."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    CallBlock,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from meetbridge import reasons
from meetbridge.dial_in import DialIn
from meetbridge.phone_callers import PhoneCaller
from meetbridge.phone_format import grouped_pin, human_number
from meetbridge.status import MeetingStatus
from meetbridge.words import N_

from .card_numbers import dial_in_text
from .slack_words import say

MAX_TITLE = 140
CARD_CALLERS = 5  # callers named on the card; the rest are counted
MEMBER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")


@dataclass(frozen=True)
class CardMessage:
    """A meeting card as Slack gets it: fallback text and Block Kit blocks."""

    text: str
    blocks: list[dict]

    def digest(self) -> str:
        """Identifies the card's content, to skip updates that would change nothing."""
        return hashlib.sha256(json.dumps([self.text, self.blocks], sort_keys=True).encode()).hexdigest()


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters, so a topic cannot inject links or mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def join_url(server_url: str, meeting_id: str) -> str:
    """The meeting's join page."""
    return f"{server_url}/rooms/{meeting_id}"


def short_title(title: str) -> str:
    """The title cut to fit the card's header."""
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…"


BRIDGE_STATES = {"off": N_("off"), "connecting": N_("connecting"), "connected": N_("connected"),
                 "failed": N_("failed")}


def bridge_line(status: MeetingStatus, locale: str | None = None) -> str:
    """The bridge's state in words; a failed bridge says why."""
    state = status.bridge_state
    if state == "failed":
        reason = reasons.word(status.bridge.reason, locale) if status.bridge else None
        return say(N_("failed: {reason}"), locale, reason=reason or say(N_("unknown reason"), locale))
    return say(BRIDGE_STATES[state], locale) if state in BRIDGE_STATES else state


def status_line(status: MeetingStatus, locale: str | None = None) -> str:
    """The card's live line: bridge state, phone callers, video count and any notice."""
    callers = status.phone_callers
    parts = [say(N_("Phone bridge: *{state}*"), locale, state=bridge_line(status, locale)),
             say(N_("1 phone caller"), locale) if callers == 1
             else say(N_("{count} phone callers"), locale, count=callers)]
    if status.meeting.video_participants:
        count = status.meeting.video_participants
        parts.append(say(N_("{count} on video"), locale, count=count))
    line = " · ".join(parts)
    if status.meeting.bridge_notice:
        # A notice is a reason code, worded here; a member it names is a checked Slack id.
        line += f"\n{reasons.word(status.meeting.bridge_notice, locale)}"
    return line


def caller_text(caller: PhoneCaller, locale: str | None = None) -> str:
    """One caller on the card: their name, the Slack member a dialled leg is, or the masked
    number; ✋ for a raised hand, 🔇 while muted. A spoken name is user text: escaped."""
    if caller.name:
        text = say(N_("{name} (phone)"), locale, name=escape_mrkdwn(caller.name))
    elif caller.member_id and MEMBER_ID.fullmatch(caller.member_id):
        text = f"<@{caller.member_id}>"
    else:
        text = caller.masked
    return text + (" ✋" if caller.hand_raised else "") + (" 🔇" if caller.muted else "")


def callers_line(callers: tuple[PhoneCaller, ...], locale: str | None = None) -> str | None:
    """Who is on the phone, raised hands first; beyond CARD_CALLERS names, a count, so 50
    callers keep the card well inside Block Kit's limits."""
    if not callers:
        return None
    ordered = sorted(callers, key=lambda c: (c.hand_raised_at is None, c.hand_raised_at or 0, c.joined_at))
    shown = ", ".join(caller_text(caller, locale) for caller in ordered[:CARD_CALLERS])
    more = len(ordered) - CARD_CALLERS
    hands = sum(caller.hand_raised for caller in ordered[CARD_CALLERS:])
    tail = (say(N_(" and {count} more"), locale, count=more) + (f" ({hands} ✋)" if hands else "")) if more > 0 else ""
    return say(N_("On the phone: {callers}"), locale, callers=f"{shown}{tail}")


def lasted(status: MeetingStatus, locale: str | None = None) -> str:
    """How long an ended meeting lasted, in minutes or hours and minutes."""
    meeting = status.meeting
    minutes = max(0, round(((meeting.ended_at or meeting.created_at) - meeting.created_at) / 60))
    if minutes < 60:
        return say(N_("{minutes} min"), locale, minutes=minutes)
    return say(N_("{hours} h {minutes} min"), locale, hours=minutes // 60, minutes=minutes % 60)


def end_confirm(locale: str | None = None) -> ConfirmObject:
    """The one confirmation before ending a meeting, on the card and on App Home alike."""
    return ConfirmObject(title=say(N_("End this meeting?"), locale),
                         text=say(N_("Everyone is disconnected, phone callers included, "
                                     "and the link and PIN stop working."), locale),
                         confirm=say(N_("End meeting"), locale), deny=say(N_("Cancel"), locale), style="danger")


def meeting_card(status: MeetingStatus, server_url: str, number_digits: str,
                 calls_id: str | None = None, *, phone_buttons: bool = False,
                 dialling: tuple[str, ...] | list[str] = (), dial_in: DialIn | None = None,
                 locale: str | None = None) -> CardMessage:
    """Blocks and fallback text for a live or ended meeting (with its Slack Calls card, if any);
    `phone_buttons` adds "Call my phone" / "Add by phone", `dialling` the lines of calls the
    meeting placed that ring or were joined (already safe mrkdwn); `dial_in` the numbers callers
    may dial (default: `number_digits` alone); `locale` the channel's language (DEFAULT_LOCALE)."""
    meeting = status.meeting
    title = short_title(meeting.title)
    header = HeaderBlock(text=f"📹 {title}")
    if not meeting.is_live:
        ended = SectionBlock(text=MarkdownTextObject(
            text=say(N_("Started by {starter}\n*Meeting ended* · lasted {duration}"), locale,
                     starter=f"<@{meeting.creator_id}>", duration=lasted(status, locale))))
        return CardMessage(text=say(N_("{title}: meeting ended · lasted {duration}"), locale,
                                    title=escape_mrkdwn(title), duration=lasted(status, locale)),
                           blocks=[b.to_dict() for b in (header, ended, *call_block(calls_id))])
    url = join_url(server_url, meeting.id)
    dial_in = dial_in or DialIn(number_digits, (), "", "en")
    number = human_number(dial_in.on_card()[0].digits)
    intro = SectionBlock(
        text=MarkdownTextObject(text=say(N_("Started by {starter} · join from your browser or by phone."),
                                         locale, starter=f"<@{meeting.creator_id}>")),
        accessory=ButtonElement(text=say(N_("Join"), locale), url=url, action_id="join_meeting", style="primary",
                                value=meeting.id))
    numbers = SectionBlock(text=MarkdownTextObject(text=dial_in_text(dial_in, meeting.pin, server_url, meeting.id,
                                                                  locale)))
    live = ContextBlock(elements=[MarkdownTextObject(text="\n".join([status_line(status, locale), *dialling]))])
    on_phone = callers_line(status.callers, locale)
    roster = [ContextBlock(block_id="phone_roster", elements=[MarkdownTextObject(text=on_phone)])] if on_phone else []
    blocks = [header, intro, *call_block(calls_id), numbers, live, *roster,
              bridge_buttons(meeting.id, phone_buttons, roster_button=bool(status.callers), locale=locale)]
    # The fallback text is mrkdwn (and drives notifications): a topic must not mention or link.
    text = say(N_("{title}: join {url} or dial {number}, PIN {pin}"), locale, title=escape_mrkdwn(title),
               url=url, number=number, pin=grouped_pin(meeting.pin))
    return CardMessage(text=text, blocks=[b.to_dict() for b in blocks])


def call_block(calls_id: str | None) -> list[CallBlock]:
    """Slack's native call card, when the meeting was registered with the Calls API."""
    return [CallBlock(call_id=calls_id)] if calls_id else []


def bridge_buttons(meeting_id: str, phone_buttons: bool = False, roster_button: bool = False,
                   locale: str | None = None) -> ActionsBlock:
    """The card's buttons; with `phone_buttons`, the meeting calls a phone: the member's own
    ("Call my phone") or someone else's ("Add by phone"); with `roster_button` (someone is on
    the phone), "Phone callers" opens the starter's controls over them."""
    return ActionsBlock(block_id="meeting_actions", elements=[
        ButtonElement(text=say(N_("Connect phone bridge"), locale), action_id="dial_out", value=meeting_id),
        ButtonElement(text=say(N_("Hang up phone bridge"), locale), action_id="hang_up", value=meeting_id,
                      confirm=ConfirmObject(title=say(N_("Hang up the phone bridge?"), locale),
                                            text=say(N_("Phone callers will no longer hear the video participants."),
                                                     locale),
                                            confirm=say(N_("Hang up"), locale), deny=say(N_("Cancel"), locale))),
        *([ButtonElement(text=say(N_("Phone callers"), locale), action_id="phone_roster", value=meeting_id)]
          if roster_button else []),
        *([ButtonElement(text=say(N_("📞 Call my phone"), locale), action_id="call_me", value=meeting_id),
           ButtonElement(text=say(N_("Add by phone"), locale), action_id="add_phone", value=meeting_id)]
          if phone_buttons else []),
        ButtonElement(text=say(N_("End meeting"), locale), action_id="end_meeting", value=meeting_id, style="danger",
                      confirm=end_confirm(locale)),
    ])

