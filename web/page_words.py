"""The web pages' language: each request's `Accept-Language` negotiated (Babel) against the
shipped languages, and the `web` catalog's sentences in it for templates, JSON errors and the
page's scripts.

Templates call `_("English sentence", name=value)`: the translation is HTML-escaped and the
values are escaped too unless they are markup (e.g. a `<code>` element). The page's scripts get
their sentences from the server as a JSON data element (`script_words`, rendered by the page, read
by web/static/page_words.js), so no inline script runs and the CSP stays as it is. Every response
whose words were chosen by `Accept-Language` says `Vary: Accept-Language`; the others (webhooks'
NCCOs, whose words follow the dialled number, and redirects) do not, so caches may share them.
"""

from __future__ import annotations

from babel import Locale
from flask import Blueprint, Response, g, has_request_context, request
from markupsafe import Markup, escape

from meetbridge.words import LANGUAGES, language_of, translate

from .script_words import SCRIPT_WORDS

DOMAIN = "web"
MEET_COMMAND = Markup("<code>/meet</code>")  # the Slack command, the same in every language


def negotiate(accepted: list[str], fallback: str) -> str:
    """The shipped language a browser prefers most (`de-CH;q=0.9` → `de`), else `fallback`."""
    accepted = [tag.replace("_", "-") for tag in accepted]
    chosen = Locale.negotiate(accepted, list(LANGUAGES), sep="-") if accepted else None
    if chosen is None:  # Babel matches whole tags or the bare language; try each base too
        chosen = next((Locale.parse(base) for base in (tag.split("-")[0].lower() for tag in accepted)
                       if base in LANGUAGES), None)
    return chosen.language if chosen is not None else language_of(fallback)


def page_language() -> str:
    """The current request's language (English outside a request), negotiated on first use: most
    requests (webhooks) never show a word of a page."""
    if not has_request_context():
        return "en"
    chosen = g.get("page_language")
    if chosen is None:
        fallback = g.get("page_language_fallback")
        if fallback is None:
            return "en"
        chosen = g.page_language = negotiate(list(request.accept_languages.values()), fallback)
    return str(chosen)


def say(message: str, **values: object) -> str:
    """A `web` sentence in the request's language, as plain text (JSON messages)."""
    return translate(message, page_language(), domain=DOMAIN, **values)


def escaped(text: str) -> Markup:
    """`text` escaped for HTML text and double-quoted attributes; an apostrophe stays as it is."""
    return Markup(str(escape(text)).replace("&#39;", "'"))


def markup(message: str, **values: object) -> Markup:
    """A `web` sentence for a template: the translation escaped, values escaped unless markup."""
    text = escaped(translate(message, page_language(), domain=DOMAIN))
    return text.format(**{name: value if isinstance(value, Markup) else escaped(str(value))
                          for name, value in values.items()}) if values else text


def script_words() -> dict[str, str]:
    """Every sentence the page's scripts may show, by key, in the request's language."""
    return {key: say(message) for key, message in SCRIPT_WORDS.items()}


def create_page_words_blueprint(default_language: str) -> Blueprint:
    """Chooses each request's language and gives every template `_`, `page_lang` and
    `script_words`; `default_language` is used when the browser names no shipped language."""
    blueprint = Blueprint("page_words", __name__)

    @blueprint.before_app_request
    def choose_language() -> None:
        g.page_language_fallback = default_language  # page_language() negotiates when asked

    @blueprint.app_context_processor
    def words_for_templates() -> dict[str, object]:
        return {"_": markup, "page_lang": page_language(), "script_words": script_words,
                "meet_command": MEET_COMMAND}

    @blueprint.after_app_request
    def vary(response: Response) -> Response:
        if g.get("page_language") is not None:  # negotiated: this response's words depend on it
            response.vary.add("Accept-Language")
        return response

    return blueprint
