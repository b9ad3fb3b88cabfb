"""`GET /rooms/<id>/numbers`: every number callers may dial for a meeting, each formatted for its
country with its one-tap link, and the PIN (HTML; unknown id 404, ended meeting 410)."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask import Blueprint, render_template

from meetbridge.dial_in import DialIn
from meetbridge.phone_format import grouped_pin
from meetbridge.rooms import RoomPage, Rooms

from .page_words import page_language
from .rooms import live_page


def language_name(tag: str, locale: str = "en") -> str:
    """`de-DE` → `German (Germany)` in `locale`; the tag itself when Babel does not know it."""
    try:
        return Locale.parse(tag, sep="-").get_display_name(locale) or tag
    except (UnknownLocaleError, ValueError):
        return tag


def create_numbers_blueprint(*, rooms: Rooms, dial_in: DialIn) -> Blueprint:
    """The numbers page over the join page's front door (the same 404 and 410 as the page)."""
    blueprint = Blueprint("numbers", __name__, template_folder="templates")

    @blueprint.get("/rooms/<meeting_id>/numbers")
    def numbers(meeting_id: str):
        """Every number, the workspace's country first, with the meeting's PIN."""
        page = live_page(rooms, meeting_id)
        if not isinstance(page, RoomPage):
            return page
        meeting = page.meeting
        locale = page_language()  # countries and languages named in the page's language
        rows = [{"flag": number.flag, "country": number.country_name(locale),
                 "international": number.international, "national": number.national,
                 "tel": number.one_tap(meeting.pin), "language": language_name(number.language, locale)}
                for number in dial_in.numbers]
        return render_template("numbers.html", meeting_id=meeting.id, title=meeting.title,
                               pin=grouped_pin(meeting.pin), numbers=rows)

    return blueprint
