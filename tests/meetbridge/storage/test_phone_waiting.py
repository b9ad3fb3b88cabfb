"""phone_waiting on both back-ends: each start or stop of a caller's waiting music, each
30-second sentence and the end of each name step is claimed by exactly one worker or host."""

from __future__ import annotations

from meetbridge.storage import Store
from meetbridge.storage.phone_waiting import Presence, PresentCaller, TellDue
from tests.meetbridge.storage.conftest import NOW, RACERS, a_meeting, race

FIRST = "8f0e6d0c-0000-4000-8000-000000000001"
SECOND = "8f0e6d0c-0000-4000-8000-000000000002"


def joined(store: Store, uuid: str, meeting_id: str = "m1", at: float = NOW, language: str | None = None) -> str:
    """A caller leg admitted to the meeting (what a right PIN leaves behind)."""
    store.legs.ensure(uuid, "447700900123", at)
    store.database.execute("UPDATE phone_legs SET meeting_id = ?, joined_at = ?, language = ? WHERE uuid = ?",
                           [meeting_id, at, language, uuid])
    return uuid


def test_presence_lists_the_admitted_callers_still_on_the_line(store):
    store.meetings.insert(a_meeting())
    joined(store, FIRST, language="de-DE")
    joined(store, SECOND, at=NOW + 1)
    store.legs.ensure("8f0e6d0c-0000-4000-8000-00000000000a", "447700900999", NOW)  # rang, no PIN
    store.phone_waiting.ask_name(SECOND)
    assert store.phone_waiting.presence("m1").callers == [PresentCaller(FIRST, False, False, "de-DE"),
                                                          PresentCaller(SECOND, True, False, None)]
    store.legs.record_status(FIRST, "completed", NOW + 2, terminal=True)
    assert [caller.uuid for caller in store.phone_waiting.presence("m1").callers] == [SECOND]


def test_presence_reads_a_live_meetings_callers_newest_bridge_and_video_count_at_once(store):
    store.meetings.insert(a_meeting(video_participants=2))
    store.meetings.insert(a_meeting("m2", "654321"))
    assert store.phone_waiting.presence("m1") == Presence([], None, 2)
    joined(store, FIRST, language="de-DE")
    joined(store, SECOND, at=NOW + 1)
    store.phone_waiting.ask_name(SECOND)
    joined(store, "8f0e6d0c-0000-4000-8000-00000000000b", meeting_id="m2")  # another meeting's caller
    store.bridges.insert_connecting("b1", "m1", "hash-1", NOW)
    assert store.bridges.mark_connected("b1", "leg-b1", NOW, None)
    assert store.phone_waiting.presence("m1") == Presence(
        [PresentCaller(FIRST, False, False, "de-DE"), PresentCaller(SECOND, True, False, None)], "connected", 2)
    assert store.bridges.finish("b1", "failed", NOW + 4, "test")
    store.bridges.insert_connecting("b2", "m1", "hash-2", NOW + 5)  # the newest dial decides
    assert store.phone_waiting.presence("m1").bridge_state == "connecting"
    store.database.execute("UPDATE meetings SET ended_at = ? WHERE id = 'm1'", [NOW + 6])
    assert store.phone_waiting.presence("m1") is None
    assert store.phone_waiting.presence("unknown") is None


def test_starting_and_stopping_the_music_is_claimed_once_across_stores(store, other_store):
    joined(store, FIRST)
    assert race(RACERS, lambda n: (store if n % 2 else other_store).phone_waiting.start_waiting(FIRST, NOW)) \
        .count(True) == 1
    assert store.phone_waiting.is_waiting(FIRST)
    assert race(RACERS, lambda n: (store if n % 2 else other_store).phone_waiting.stop_waiting(FIRST)) \
        .count(True) == 1
    assert not other_store.phone_waiting.is_waiting(FIRST)


def test_a_leg_that_left_never_starts_waiting(store):
    joined(store, FIRST)
    store.legs.record_status(FIRST, "completed", NOW, terminal=True)
    assert store.phone_waiting.start_waiting(FIRST, NOW) is False


def test_the_sentence_is_due_every_round_once(store, other_store):
    joined(store, FIRST, language="fr-FR")
    joined(store, SECOND)
    store.phone_waiting.start_waiting(FIRST, NOW)
    assert store.phone_waiting.claim_tells(NOW + 29, 30, 10) == []  # told when it started
    claims = race(RACERS, lambda n: (store if n % 2 else other_store).phone_waiting.claim_tells(NOW + 30, 30, 10))
    assert [due for claimed in claims for due in claimed] == [TellDue(FIRST, "fr-FR")]
    assert store.phone_waiting.claim_tells(NOW + 59, 30, 10) == []
    assert [due.uuid for due in store.phone_waiting.claim_tells(NOW + 60, 30, 10)] == [FIRST]
    store.phone_waiting.stop_waiting(FIRST)
    assert store.phone_waiting.claim_tells(NOW + 999, 30, 10) == []


def test_the_name_step_ends_once_and_keeps_the_name(store, other_store):
    joined(store, FIRST)
    assert store.phone_waiting.take_naming(FIRST) is False  # never asked
    store.phone_waiting.ask_name(FIRST)
    assert race(RACERS, lambda n: (store if n % 2 else other_store).phone_waiting.take_naming(FIRST)) \
        .count(True) == 1
    store.phone_waiting.set_name(FIRST, "Maria")
    assert other_store.legs.get(FIRST).caller_name == "Maria"


def test_a_leg_becomes_the_member_who_saved_its_number(store):
    """Which member that is comes with the PIN entry's read-back (tests/meetbridge/storage/test_hot_path.py)."""
    joined(store, FIRST)
    store.phone_waiting.set_member(FIRST, "U0MARIA")
    assert store.legs.get(FIRST).slack_member_id == "U0MARIA"


def test_old_caller_waiting_claims_are_forgotten_and_nothing_else(store):
    assert store.pin_guard.claim_alert("caller-waiting:m1", NOW, 300)
    assert store.pin_guard.claim_alert("caller-waiting:m2", NOW + 100, 300)
    assert store.pin_guard.claim_alert("pin-budget", NOW, 60)  # another alert's claim stays
    assert store.phone_waiting.forget_notices("caller-waiting:", NOW + 50, 10) == 1
    assert store.phone_waiting.forget_notices("caller-waiting:", NOW + 50, 10) == 0
    names = {row["name"] for row in store.database.query("SELECT name FROM alerts_said")}
    assert names == {"caller-waiting:m2", "pin-budget"}
    assert store.pin_guard.claim_alert("caller-waiting:m1", NOW + 60, 300)  # forgotten: may be said again
