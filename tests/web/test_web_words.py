"""The web pages' words: every sentence of the templates, the page's scripts and the JSON errors
is in the `web` catalog of every shipped language (translated, same placeholders, nothing stale);
the request's Accept-Language picks the language; each page rendered in each language leaves no
English where a translation exists; the scripts hold no English sentence of their own."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from meetbridge.meetings import MeetingRequest
from meetbridge.phone_callers import PhoneCaller
from meetbridge.phone_format import grouped_pin
from tests.catalogs import TRANSLATED, catalog_problems, marked_in, stale_sentences
from web.page_words import negotiate
from web.phone_callers import public_label
from web.script_words import SCRIPT_WORDS

WEB = Path(__file__).resolve().parents[2] / "web"
# Words that are the same in English and in a language (a loanword or an abbreviation).
SAME = {("de", "PIN"), ("es", "PIN"), ("ja", "PIN"), ("de", "Live"), ("de", "International"),
        ("fr", "International"), ("de", "Meeting")}
GB, DE = "442071234567", "4930901820"


def marked_sentences() -> dict[str, str]:
    """Every `N_("…")` of web/*.py and every `_("…")` of the templates → where it is."""
    found = marked_in(sorted(WEB.glob("*.py")), WEB)
    templates = marked_in(sorted((WEB / "templates").glob("*.html")), WEB / "templates",
                          method="jinja2.ext:babel_extract", keyword="_")
    return {**templates, **found}


def test_the_marker_finds_the_templates_the_scripts_and_the_json_errors():
    marked = set(marked_sentences())
    assert {"Ready to join?", "Join {title} by phone", "We couldn't find that meeting",
            "This meeting has ended", "There is nothing to do on this page. Meeting links are posted in Slack.",
            "No meeting has this link.", "That caller has already left.", "in {minutes} minutes"} <= marked
    assert set(SCRIPT_WORDS.values()) <= marked


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_web_catalog_has_every_sentence_translated_with_the_same_placeholders(language):
    assert catalog_problems(language, "web", marked_sentences(),
                            lambda sentence: (language, sentence) in SAME) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_web_catalog_holds_no_sentence_the_pages_no_longer_say(language):
    assert stale_sentences(language, "web", marked_sentences()) == set()


def script_sources() -> dict[str, str]:
    """Each page script's code, comments left out."""
    comment = re.compile(r"/\*.*?\*/|^\s*//.*?$", re.S | re.M)
    return {path.name: comment.sub("", path.read_text()) for path in sorted((WEB / "static").glob("*.js"))}


def test_every_key_a_script_asks_for_is_sent_and_every_sent_key_is_used():
    sources = script_sources()
    asked = {key for text in sources.values() for key in re.findall(r"\bt\(\"(\w+)\"", text)}
    quoted = {key for key in SCRIPT_WORDS if any(f'"{key}"' in text for text in sources.values())}
    assert asked - set(SCRIPT_WORDS) == set()
    assert set(SCRIPT_WORDS) - quoted == set()


def test_no_script_holds_an_english_sentence_of_its_own():
    sentences = [sentence for sentence in marked_sentences() if " " in sentence]
    held = [(name, sentence) for name, text in script_sources().items() for sentence in sentences
            if f'"{sentence}"' in text]
    assert held == []


@pytest.mark.parametrize(("accepted", "expected"), [
    (["de-CH", "fr"], "de"),
    (["pt-BR", "fr-CA"], "fr"),  # no Portuguese: the next language the browser accepts
    (["ja-JP"], "ja"),
    (["es"], "es"),
    (["zh-CN"], "en"),
    ([], "en"),
])
def test_the_browsers_first_shipped_language_is_chosen(accepted, expected):
    assert negotiate(accepted, "en") == expected


@pytest.mark.parametrize(("header", "lang"), [
    ("*", "en"), ("de_AT", "de"), ("DE", "de"), ("ja;q=abc", "en"), ("x" * 2000, "en"), ("@@;;,", "en"),
    ("en;q=0.1, ja", "ja"), ("zh-Hant-TW, es;q=0.3", "es"),
])
def test_odd_accept_language_headers_get_a_page_never_an_error(client, header, lang):
    response = client.get("/rooms/no-such-meeting", headers={"Accept-Language": header})
    assert response.status_code == 404 and read_page(response.get_data(as_text=True)).lang == lang


def test_no_shipped_language_in_the_request_falls_back_to_default_locale():
    assert negotiate(["zh-CN"], "fr-FR") == "fr" and negotiate([], "ja") == "ja"


class Visible(HTMLParser):
    """A page's words: text nodes and the attributes people read or hear, and the words JSON."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.script_words: dict[str, str] = {}
        self.lang: str | None = None
        self._tag = ""

    def handle_starttag(self, tag, attrs):
        self._tag = tag
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        self.texts += [value.strip() for name, value in attrs
                       if name in ("placeholder", "aria-label", "title", "alt") and value and value.strip()]
        self._words = tag == "script" and attributes.get("id") == "page-words"

    def handle_endtag(self, tag):
        self._tag, self._words = "", False

    def handle_data(self, data):
        if getattr(self, "_words", False):
            self.script_words = json.loads(data)
        elif self._tag not in ("script", "style") and data.strip():
            self.texts.append(" ".join(data.split()))


def read_page(html: str) -> Visible:
    parser = Visible()
    parser.feed(html)
    return parser


@pytest.fixture
def extra_env() -> dict[str, str]:
    # every part of the join page: more numbers, the numbers link and "Call my phone instead"
    return {"DIAL_IN_NUMBERS": f"+{GB}=en-GB,+{DE}=de-DE", "DIAL_OUT": "members"}


@pytest.fixture
def meeting(services):
    return services.meetings.start(MeetingRequest(workspace_id="T0001", place_id="C1", starter_id="U1",
                                                  topic="Design review"))


def every_page(client, services, meeting) -> dict[str, str]:
    ended = services.meetings.start(MeetingRequest(workspace_id="T0001", place_id="C2", starter_id="U1",
                                                   topic="Old plan"))
    services.lifecycle.end(ended.id, reason="ended")
    return {"room": f"/rooms/{meeting.id}", "numbers": f"/rooms/{meeting.id}/numbers",
            "ended": f"/rooms/{ended.id}", "not found": "/rooms/no-such-meeting", "home": "/"}


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_page_in_each_language_leaves_no_english(client, services, meeting, language):
    pages = every_page(client, services, meeting)
    data = {"Design review", "Old plan", "meetbridge", "/meet", "?", "✓", "×", grouped_pin(meeting.pin),
            "PIN"}
    for name, path in pages.items():
        english = client.get(path, headers={"Accept-Language": "en"})
        translated = client.get(path, headers={"Accept-Language": f"{language}-XX,en;q=0.5"})
        assert translated.status_code == english.status_code, name
        assert "Accept-Language" in translated.headers.get("Vary", ""), name
        seen, source = read_page(translated.get_data(as_text=True)), read_page(english.get_data(as_text=True))
        assert (seen.lang, source.lang) == (language, "en"), name
        left = [text for text in set(seen.texts) & set(source.texts)
                if text not in data and (language, text) not in SAME and re.search(r"[A-Za-z]{2}", text)
                and not re.fullmatch(r"[+\d ()-]+|\S+ · meetbridge|Design review · meetbridge", text)]
        assert left == [], name
        if name == "room":
            assert set(seen.script_words) == set(SCRIPT_WORDS)
            english_words = [key for key, text in seen.script_words.items()
                             if text == SCRIPT_WORDS[key] and (language, text) not in SAME]
            assert english_words == []


def test_the_ended_page_is_one_of_the_pages_rendered(client, services, meeting):
    pages = every_page(client, services, meeting)
    assert client.get(pages["ended"]).status_code == 410


def test_the_numbers_page_names_countries_and_languages_in_the_pages_language(client, meeting):
    page = client.get(f"/rooms/{meeting.id}/numbers", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert "Deutschland" in page and "Vereinigtes Königreich" in page
    assert "Ansagen auf Deutsch (Deutschland)" in page
    assert "Join from your browser instead" not in page and "Stattdessen im Browser teilnehmen" in page


def test_json_errors_are_said_in_the_requests_language(client, meeting):
    german = {"Accept-Language": "de-DE"}
    bad_name = client.post(f"/rooms/{meeting.id}/token", json={"name": ""}, headers=german)
    assert bad_name.get_json() == {
        "error": 'Senden Sie JSON {"name": "..."} mit einem Anzeigenamen von 1 bis 100 Zeichen.'}
    not_joined = client.post(f"/rooms/{meeting.id}/dial-out", json={}, headers={"Accept-Language": "ja"})
    assert not_joined.get_json()["error"] == \
        "まずこのページで会議に参加してください。電話ブリッジは会議の参加者だけが使えます。"
    unknown = client.get("/rooms/nothing/phone-callers", headers={"Accept-Language": "fr"})
    assert unknown.get_json() == {"error": "Aucune réunion ne correspond à ce lien."}
    call_me = client.post(f"/rooms/{meeting.id}/call-me", json={}, headers={"Accept-Language": "es"})
    assert call_me.get_json() == {"error": "Únase primero a la reunión en esta página: solo quienes están en la "
                                           "reunión pueden pedir que los llame por teléfono."}
    english = client.post(f"/rooms/{meeting.id}/token", json={"name": ""})
    assert english.get_json()["error"] == 'Send JSON {"name": "..."} with a display name of 1 to 100 characters.'


def test_markup_in_the_title_stays_text_inside_a_translated_sentence(client, services):
    meeting = services.meetings.start(MeetingRequest(workspace_id="T0001", place_id="C1", starter_id="U1",
                                                     topic="<b>Plan</b> {title}"))
    page = client.get(f"/rooms/{meeting.id}", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Ihr Name ist für alle in <strong>&lt;b&gt;Plan&lt;/b&gt; {title}</strong> sichtbar." in page


@pytest.mark.parametrize(("language", "named", "unnamed"), [
    ("de", "Maria (Telefon)", "Person am Telefon"),
    ("ja", "Maria（電話）", "電話参加者"),
    ("en", "Maria (phone)", "Phone caller"),
])
def test_the_roster_names_callers_in_the_pages_language(app, language, named, unnamed):
    caller = PhoneCaller(uuid="leg-1", name="Maria", member_id=None, masked="•••1234", muted=False,
                         hand_raised_at=None, joined_at=0.0)
    with app.test_request_context("/", headers={"Accept-Language": language}):
        app.preprocess_request()
        assert public_label(caller) == named
        assert public_label(PhoneCaller(**{**caller.__dict__, "name": None})) == unnamed


def test_a_response_with_no_page_words_does_not_vary_by_language(client):
    # /healthz's JSON holds no sentence: a cache may give every browser the same one.
    response = client.get("/healthz", headers={"Accept-Language": "de-DE"})
    assert response.status_code == 200
    assert "Accept-Language" not in response.headers.get("Vary", "")
