"""GET / is a small HTML page saying what this server is, with no settings or secrets in it."""

from __future__ import annotations

from tests.conftest import BOT_TOKEN, SIGNING_SECRET, VIDEO_KEY, VIDEO_SECRET, VOICE_SECRET


def test_the_bare_address_answers_a_small_html_page_naming_the_server(client):
    response = client.get("/")
    assert (response.status_code, response.mimetype) == (200, "text/html")
    page = response.get_data(as_text=True)
    assert "<h1>meetbridge</h1>" in page
    assert "/meet" in page and "phone" in page


def test_the_page_shows_no_secret_or_setting(client, base_env):
    page = client.get("/").get_data(as_text=True)
    for value in (SIGNING_SECRET, BOT_TOKEN, VIDEO_KEY, VIDEO_SECRET, VOICE_SECRET, base_env["DATABASE_PATH"],
                  base_env["SLACK_API_URL"]):
        assert value not in page
