"""The visitor cookie's id: random per visitor, kept when the token is refreshed, bound to one
meeting; a cookie signed before visitors had ids still holds, with an id of its own."""

from __future__ import annotations

from flask import Flask, Response, request

from web.visitor_cookie import COOKIE_NAME, VisitorCookies

SECRET = "video-secret-0123456789abcdef"


def issued(cookies: VisitorCookies, meeting_id: str, visitor_id: str | None = None) -> str:
    response = Response()
    cookies.issue(response, meeting_id, max_age=60, visitor_id=visitor_id)
    header = response.headers["Set-Cookie"]
    return header.split(";", 1)[0].split("=", 1)[1]


def visitor_of(cookies: VisitorCookies, value: str, meeting_id: str) -> str | None:
    app = Flask(__name__)
    with app.test_request_context(headers={"Cookie": f"{COOKIE_NAME}={value}"}):
        return cookies.visitor(request, meeting_id)


def test_each_visitor_gets_a_random_id_and_keeps_it_when_asked_to():
    cookies = VisitorCookies(SECRET, secure=False)
    first, second = issued(cookies, "m1"), issued(cookies, "m1")
    ada, grace = visitor_of(cookies, first, "m1"), visitor_of(cookies, second, "m1")
    assert ada and grace and ada != grace and len(ada) == 32
    assert visitor_of(cookies, issued(cookies, "m1", visitor_id=ada), "m1") == ada


def test_the_id_holds_only_for_its_meeting_and_its_signature():
    cookies = VisitorCookies(SECRET, secure=False)
    value = issued(cookies, "m1")
    assert visitor_of(cookies, value, "m2") is None
    assert visitor_of(VisitorCookies("another-secret-0123456789", secure=False), value, "m1") is None
    assert visitor_of(cookies, value.replace("m1", "m2", 1), "m2") is None


def test_a_cookie_from_before_visitor_ids_still_holds_with_a_stable_id():
    cookies = VisitorCookies(SECRET, secure=False)
    old = cookies._signer.sign("m1").decode()  # what the token route set before
    assert visitor_of(cookies, old, "m1") == visitor_of(cookies, old, "m1") is not None
    assert visitor_of(cookies, old, "m2") is None
