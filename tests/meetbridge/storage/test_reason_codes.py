"""Rows written by older versions, with sentences where codes now go (why a meeting ended, why a
bridge stopped or failed, the card's bridge notice), hold codes after the migration on both
back-ends: each code words back to what the row said, and a sentence no version wrote becomes
`unknown`."""

from __future__ import annotations

import pytest

from meetbridge import reasons
from meetbridge.storage import open_store
from meetbridge.storage.pg_schema import BOOKKEEPING_TABLE
from tests.meetbridge.storage.conftest import NOW, a_meeting

MIGRATION = "store_reasons_as_codes"

# (what an older version stored, the code it becomes)
OLD_NOTICES = [
    ("Phone bridge hung up by <@U0BOB>", "hung_up_by:U0BOB"),
    ("Phone bridge hung up: no callers for 5 min", "idle:5"),
    ("Phone bridge hung up: no callers for 0.05 min", "idle:0.05"),
    ("Phone bridge hung up: it was connected for the longest allowed (12 h)", "max_duration:43200"),
    ("Phone bridge hung up: it was connected for the longest allowed (90 min)", "max_duration:5400"),
    ("Phone bridge hung up: it was connected for the longest allowed (45 s)", "max_duration:45"),
    ("Phone bridge hung up: everyone on video left", "video_left"),
    ("Phone bridge hung up from the join page", "hung_up_from_page"),
    ("Phone bridge hung up by someone", "hung_up_by"),
    ("Phone bridge not dialled: too many attempts lately (the cap keeps phone costs down)", "dial_limit"),
    ("Something a fork once wrote", "unknown"),
    (None, None),
]
OLD_ENDED = [("ended", "ended"), ("expired", "expired"), ("app uninstalled", "uninstalled"),
             ("closed by an admin", "unknown"), (None, None)]
OLD_BRIDGE_REASONS = [
    ("hung up", "hung_up"), ("meeting ended", "meeting_ended"), ("idle", "idle"),
    ("max_duration", "max_duration"), ("no video participants", "no_video"),
    ("phone leg completed", "leg:completed"),
    ("the phone network never answered the bridge call", "unanswered"),
    ("the video session is not routed, so it cannot dial a phone line", "video.not_routed"),
    ("the video service had an internal error", "video.internal"),
    ("the voice service could not hang up the call", "voice.hang_up"),
    ("the wind blew the line down", "unknown"), (None, None),
]


def rerun_the_migration(store, store_url):
    """Forget that the migration ran and open the database again, as an upgrade does."""
    table, where = ((BOOKKEEPING_TABLE, "name = ?") if store_url.startswith("postgresql")
                    else ("_sqlite_migrations", "migration_set = 'meetbridge' AND name = ?"))
    assert store.database.execute(f"DELETE FROM {table} WHERE {where}", [MIGRATION]) == 1
    store.close()
    return open_store(store_url)


@pytest.fixture
def old_rows(store, store_url):
    """A database holding rows written the old way, then upgraded."""
    for index, ((notice, _), (ended, _)) in enumerate(zip(OLD_NOTICES, OLD_ENDED * 3, strict=False)):
        store.meetings.insert(a_meeting(f"m{index}", pin=f"10000{index:02d}"))
        store.meetings.update(f"m{index}", bridge_notice=notice, ended_reason=ended)
    for index, (reason, _) in enumerate(OLD_BRIDGE_REASONS):
        store.bridges.insert_connecting(f"b{index}", "m0", f"hash{index}", NOW + index)
        assert store.bridges.finish(f"b{index}", "failed", NOW + index, reason)
    upgraded = rerun_the_migration(store, store_url)
    yield upgraded
    upgraded.close()


def test_old_notices_become_codes_that_word_the_same(old_rows):
    for index, (old, code) in enumerate(OLD_NOTICES):
        stored = old_rows.meetings.get(f"m{index}").bridge_notice
        assert stored is None if code is None else reasons.is_known(stored)
        if code is not None and code.startswith("max_duration:"):
            assert float(stored.partition(":")[2]) == float(code.partition(":")[2])  # '43200' or '43200.0'
        else:
            assert stored == code
        if code not in (None, "unknown"):
            assert reasons.word(stored, "en").replace("12 hr", "12 h").replace("45 sec", "45 s") == old


def test_old_ended_reasons_become_codes(old_rows):
    expected = [code for _, (_, code) in zip(OLD_NOTICES, OLD_ENDED * 3, strict=False)]
    assert [old_rows.meetings.get(f"m{index}").ended_reason for index in range(len(expected))] == expected


def test_old_bridge_reasons_become_codes_that_word_the_same(old_rows):
    stored = [old_rows.bridges.get(f"b{index}").reason for index in range(len(OLD_BRIDGE_REASONS))]
    assert stored == [code for _, code in OLD_BRIDGE_REASONS]
    for (old, code), now in zip(OLD_BRIDGE_REASONS, stored, strict=True):
        if old is not None and old.startswith("the ") and code != "unknown":  # words shown on the card
            assert reasons.word(now, "en") == old


def test_codes_written_since_are_kept_when_the_migration_runs_again(store, store_url):
    store.meetings.insert(a_meeting("m1"))
    store.meetings.update("m1", bridge_notice=reasons.hung_up_by("U0BOB"), ended_reason=reasons.UNINSTALLED)
    store.bridges.insert_connecting("b1", "m1", "hash", NOW)
    store.bridges.finish("b1", "failed", NOW, reasons.leg_ended("completed"))
    upgraded = rerun_the_migration(store, store_url)
    try:
        meeting = upgraded.meetings.get("m1")
        assert (meeting.bridge_notice, meeting.ended_reason, upgraded.bridges.get("b1").reason) == (
            "hung_up_by:U0BOB", "uninstalled", "leg:completed")
    finally:
        upgraded.close()
