"""The Slack side in each shipped language: the card, App Home, every modal and every ephemeral
rendered in en/de/es/fr/ja is valid Block Kit (read back through slack_sdk's models, which check
Slack's limits) and, outside English, has no English sentence of the `slack` catalog left."""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from typing import cast

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot import messages
from bot.allow_list import refused_page
from bot.app_home import home_view
from bot.caller_waiting import waiting_blocks, waiting_text
from bot.card import meeting_card
from bot.dial_out_actions import NAME_MISSING
from bot.phone_home import phone_number_blocks
from bot.phone_modals import ModalContext, add_phone_modal, call_me_modal, my_phone_modal
from bot.phone_roster_actions import DONE, GONE, _act, starter_only
from bot.phone_roster_modal import phone_roster_modal
from bot.slack_calls import caller_participant, phone_participant
from bot.slack_words import say
from meetbridge import words
from meetbridge.dial_in import DialIn
from meetbridge.errors import UpstreamError
from meetbridge.phone_callers import PhoneCaller
from meetbridge.phone_roster import Host, PhoneRoster
from meetbridge.records import BridgeCall, Meeting
from meetbridge.status import MeetingStatus
from tests.bot.test_slack_words import marked_sentences

LANGUAGES = ("en", "de-DE", "es-ES", "fr-FR", "ja-JP")
TRANSLATED = LANGUAGES[1:]
SERVER_URL = "https://meet.example.com"
STARTED = 1_900_000_000.0
TOPIC = "Q3 Roadmap"
MEETING = Meeting(id="Zm9vYmFyYmF6cXV4cXV1eA", team_id="T0001", channel_id="C0GENERAL", creator_id="U0ADA",
                  topic=TOPIC, session_id="1_session", pin="012345", created_at=STARTED,
                  expires_at=STARTED + 12 * 3600, video_participants=3)
ENDED = dataclasses.replace(MEETING, ended_at=STARTED + 75 * 60)
NUMBERS = DialIn("15550100000", (("442071234567", "en-GB"), ("4930901820", "de-DE"), ("33187654321", "fr-FR"),
                                 ("81312345678", "ja-JP")), "", "en")


def caller(n: int, name: str | None = None, member: str | None = None, muted: bool = False,
           hand: float | None = None) -> PhoneCaller:
    return PhoneCaller(uuid=f"leg-{n}", name=name, member_id=member, masked=f"•••{1000 + n}", muted=muted,
                       hand_raised_at=hand, joined_at=STARTED + n)


CALLERS = (caller(1, "Maria"), caller(2, member="U0BOB", muted=True), caller(3, hand=STARTED + 60),
           *(caller(n) for n in range(4, 9)), caller(9, hand=STARTED + 90))


@lru_cache(maxsize=1)
def english_fragments() -> tuple[str, ...]:
    """The English text of every catalogued sentence between its placeholders, where it is at
    least two words: what must not be left in a translated render."""
    fragments = set()
    for sentence in marked_sentences():
        for part in PLACEHOLDER.split(sentence):
            letters = re.sub(r"[^A-Za-z' ]", " ", part)
            if len(re.findall(r"[A-Za-z']{2,}", letters)) >= 2:
                fragments.add(" ".join(letters.split()))
    return tuple(sorted(fragments))


PLACEHOLDER = re.compile(r"\{\w*\}")


def texts(rendered) -> list[str]:
    """Every string of a render (blocks, a view, a sentence)."""
    if isinstance(rendered, str):
        return [rendered]
    if isinstance(rendered, dict):
        return [text for value in rendered.values() for text in texts(value)]
    if isinstance(rendered, list | tuple):
        return [text for value in rendered for text in texts(value)]
    return []


def english_left(rendered) -> list[str]:
    """English fragments of the catalog found in a render."""
    said = " ".join(" ".join(re.sub(r"[^A-Za-z' ]", " ", text).split()) for text in texts(rendered))
    return [fragment for fragment in english_fragments() if re.search(rf"\b{re.escape(fragment)}\b", said)]


def valid_blocks(blocks: list[dict]) -> list[dict]:
    """The blocks as slack_sdk reads them back (each model's to_dict checks Slack's limits)."""
    parsed = [Block.parse(block) for block in blocks]
    return [block.to_dict() for block in parsed if block is not None]


def valid_view(view: dict) -> dict:
    return View(**view).to_dict()


def card_renders(locale: str) -> dict[str, dict]:
    failed = BridgeCall(id="b1", meeting_id=MEETING.id, state="failed", created_at=STARTED, reason="unknown")
    live = meeting_card(MeetingStatus(MEETING, failed, len(CALLERS), CALLERS), SERVER_URL, "15550100000",
                        "R0CALL", phone_buttons=True, dial_in=NUMBERS, locale=locale,
                        dialling=[f"📞 Maria: {messages.dial_line_word(code, locale)}"
                                  for code in ("ringing", "joined")])
    one_number = meeting_card(MeetingStatus(MEETING, None, 1, CALLERS[:1]), SERVER_URL, "15550100000",
                              locale=locale)
    ended = meeting_card(MeetingStatus(ENDED, None, 0), SERVER_URL, "15550100000", locale=locale)
    return {name: {"text": card.text, "blocks": valid_blocks(card.blocks)}
            for name, card in (("live", live), ("one number", one_number), ("ended", ended))}


def home_renders(locale: str) -> dict[str, dict]:
    return {
        "with a meeting": valid_view(home_view([MEETING], SERVER_URL, "15550100000",
                                               messages.only_creator("U0BOB", locale),
                                               phone_number_blocks("+15550100199", locale), locale)),
        "none yet": valid_view(home_view([], SERVER_URL, "15550100000", None, phone_number_blocks(None, locale),
                                         locale)),
    }


def modal_renders(locale: str) -> dict[str, object]:
    context = ModalContext(MEETING.id, MEETING.channel_id)
    return {
        "call me": valid_view(call_me_modal(context, TOPIC, locale)),
        "add by phone": valid_view(add_phone_modal(context, TOPIC, locale)),
        "my phone": valid_view(my_phone_modal("+15550100199", locale)),
        "roster": valid_view(phone_roster_modal(MEETING.id, TOPIC, list(CALLERS), STARTED + 600,
                                                say(DONE["mute"], locale), locale)),
        "empty roster": valid_view(phone_roster_modal(MEETING.id, TOPIC, [], STARTED + 600, say(GONE, locale),
                                                      locale)),
    }


class Roster:
    """What `_act` needs of PhoneRoster: every action done."""

    def mute_all(self, meeting_id, host):
        return 3

    def remove(self, meeting_id, host, uuid):
        return True

    def set_muted(self, meeting_id, host, uuid, muted):
        return False


def ephemeral_renders(locale: str) -> dict[str, object]:
    error = UpstreamError("video", "video.timeout", transient=True)
    refusals = {code: messages.dial_refused(code, 125, "U0ADA", locale)
                for code in (*messages.REFUSALS, *messages.NUMBER_FIELD_ERRORS, "something_new")}
    progress = {f"{code} ({who})": messages.dial_progress(code, name, "•••0199", locale)
                for code in messages.PROGRESS for who, name in (("named", "Maria"), ("own", None))}
    return {
        "help": messages.help_text(locale),
        "starting": [messages.starting(TOPIC, locale), messages.starting(None, locale)],
        "start failed": messages.start_failed(error, locale),
        "card failed": messages.card_failed("not_in_channel", locale),
        "bridge busy": [messages.bridge_busy(state, locale) for state in ("connecting", "connected")],
        "bridge failed": messages.bridge_failed(error, locale),
        "dial rate limited": messages.dial_rate_limited(30, locale),
        "fixed": [messages.word(sentence, locale) for sentence in (
            messages.NOT_CONNECTED, messages.MEETING_OVER, messages.UNKNOWN_MEETING, messages.NOT_ENABLED,
            messages.SAVED_NUMBER_REMOVED, messages.SAVED_NUMBER_SAVED, NAME_MISSING)],
        "too many meetings": messages.too_many_live_meetings(50, locale),
        "host link": messages.host_link(f"{SERVER_URL}/rooms/{MEETING.id}", "k3y", locale),
        "only creator": messages.only_creator("U0ADA", locale),
        "refusals": refusals,
        "waits": [messages.in_minutes(seconds, locale) for seconds in (None, 30, 600)],
        "dial failed": messages.dial_failed(error, locale),
        "calling": [messages.calling("•••0199", locale), messages.calling_invitee("Maria", "•••0199", locale)],
        "progress": progress,
        "roster": [starter_only("U0ADA", locale),
                   *(_act(cast(PhoneRoster, Roster()), MEETING.id, Host(member_id="U0ADA"), action, "leg-1", locale)
                     for action in ("mute_all", "remove", "mute"))],
        "caller waiting": [waiting_text(MEETING, locale), valid_blocks(waiting_blocks(MEETING, SERVER_URL, locale))],
        "calls participants": [caller_participant(CALLERS[0], locale), phone_participant("leg-2", "+15550100199",
                                                                                          locale)],
    }


RENDERS = {"card": card_renders, "App Home": home_renders, "modals": modal_renders, "ephemerals": ephemeral_renders}


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("area", RENDERS)
def test_each_area_renders_as_valid_block_kit_in_each_language(area, locale):
    rendered = RENDERS[area](locale)
    assert texts(rendered)  # something was said


@pytest.mark.parametrize("locale", TRANSLATED)
@pytest.mark.parametrize("area", RENDERS)
def test_no_english_sentence_is_left_in_a_translated_render(area, locale):
    assert english_left(RENDERS[area](locale)) == []


@pytest.mark.parametrize("area", RENDERS)
def test_the_english_render_is_what_the_fragment_check_looks_for(area):
    """The check above can fail: English renders are full of the catalog's fragments."""
    assert english_left(RENDERS[area]("en"))


def test_the_card_and_app_home_share_one_end_confirmation_in_each_language():
    for locale in LANGUAGES:
        card = card_renders(locale)["live"]["blocks"]
        home = home_renders(locale)["with a meeting"]["blocks"]
        [card_end] = [e for b in card if b["type"] == "actions" for e in b["elements"]
                      if e["action_id"] == "end_meeting"]
        [home_end] = [e for b in home if b["type"] == "actions" for e in b["elements"]
                      if e["action_id"] == "end_meeting_home"]
        assert card_end["confirm"] == home_end["confirm"]
        assert card_end["text"] == home_end["text"]


def test_a_japanese_card_reads_japanese():
    live = card_renders("ja-JP")["live"]
    said = " ".join(texts(live))
    for sentence in ("参加", "電話ブリッジを接続", "会議を終了", "電話参加:", "ほかの番号", "タップして発信"):
        assert sentence in said
    assert words.language_of("ja-JP") == "ja"


@pytest.mark.parametrize(("accept_language", "lang", "heading"), [
    ("de-DE,de;q=0.9,en;q=0.8", "de", "meetbridge ist für diesen Workspace nicht freigeschaltet"),
    ("pt-BR, fr;q=0.7, en;q=0.5", "fr", "meetbridge n’est pas activé pour cet espace de travail"),
    ("en;q=0.2, ja", "ja", "このワークスペースでは meetbridge が有効になっていません"),
    (None, "en", "meetbridge is not enabled for this workspace"),
])
def test_the_refused_install_page_is_in_the_browsers_language(accept_language, lang, heading):
    page = refused_page("<Acme>", accept_language)
    assert f'<html lang="{lang}">' in page and f"<h1>{heading}</h1>" in page
    assert "&lt;Acme&gt;" in page and "<Acme>" not in page
    if lang != "en":
        assert english_left(page) == []
