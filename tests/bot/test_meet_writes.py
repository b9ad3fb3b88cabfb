"""One `/meet` writes the meeting row once, at creation (PIN, host key and all), and the
Slack card state once, after the post: counted by triggers in the real SQLite file."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

COUNTED = ("meetings", "slack_cards")


def count_writes(database_path: str) -> None:
    """Log every INSERT, UPDATE and DELETE on the counted tables, whichever connection makes it
    (triggers live in the file, so the app's own connections fire them)."""
    with closing(sqlite3.connect(database_path)) as conn, conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        conn.execute("CREATE TABLE write_log (n INTEGER PRIMARY KEY, tbl TEXT, op TEXT)")
        for table in sorted(tables & set(COUNTED)):
            for op in ("INSERT", "UPDATE", "DELETE"):
                conn.execute(f"CREATE TRIGGER log_{table}_{op.lower()} AFTER {op} ON {table} "
                             f"BEGIN INSERT INTO write_log (tbl, op) VALUES ('{table}', '{op}'); END")


def writes(database_path: str) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(database_path)) as conn:
        return conn.execute("SELECT tbl, op FROM write_log ORDER BY n").fetchall()


@pytest.mark.parametrize(("posting", "responses"), [("in the channel", 1), ("as a reply to the command", 2)])
@pytest.mark.sqlite_only
def test_meet_writes_the_meeting_once_and_its_card_once(posting, responses, app, settings, slack_user,
                                                          fake_slack, services):
    count_writes(settings.database_path)
    if posting == "as a reply to the command":
        fake_slack.fail("chat.postMessage", "not_in_channel")

    slack_user.meet("Weekly planning")

    *_, host_link = fake_slack.wait_for_response("meet", count=responses)  # sent after the card
    assert "Open it as the host" in host_link["text"]
    assert writes(settings.database_path) == [("meetings", "INSERT"), ("slack_cards", "INSERT")]
