"""Who hears of a meeting's change, and with what: a change that read who is on the line once
made passes it on, so the waiting rules need not read it again; news held for a block carries
what the meeting's last change in the block read."""

from __future__ import annotations

from meetbridge.status import ChangeListeners
from meetbridge.storage.phone_waiting import Presence, PresentCaller


def presence_of(*uuids: str) -> Presence:
    return Presence([PresentCaller(uuid, naming=False, waiting=False, language=None) for uuid in uuids],
                    bridge_state="connected", video_participants=0)


def listening() -> tuple[ChangeListeners, list[tuple[str, object]]]:
    changes, heard = ChangeListeners(), []
    changes.add_presence_listener(lambda meeting_id, presence: heard.append((meeting_id, presence)))
    changes.add(lambda meeting_id: heard.append((meeting_id, "plain")))
    return changes, heard


def test_a_change_passes_on_what_it_read_to_presence_listeners_first():
    changes, heard = listening()
    changes.changed("m1", presence_of("leg-1"))
    changes.changed("m2")
    assert heard == [("m1", presence_of("leg-1")), ("m1", "plain"), ("m2", None), ("m2", "plain")]


def test_held_news_carries_what_each_meetings_last_change_read():
    changes, heard = listening()
    with changes.held():
        changes.changed("m1", presence_of("leg-1"))
        changes.changed("m2", presence_of("leg-9"))
        changes.changed("m1", presence_of("leg-1", "leg-2"))  # newer than the first read
        changes.changed("m2")  # a later change that read nothing: the listener reads for itself
        assert heard == []
    assert heard == [("m1", presence_of("leg-1", "leg-2")), ("m1", "plain"), ("m2", None), ("m2", "plain")]


def test_a_caller_being_asked_their_name_is_marked_in_what_was_read():
    read = presence_of("leg-1", "leg-2")
    asking = read.asking_name("leg-2")
    assert [(caller.uuid, caller.naming) for caller in asking.callers] == [("leg-1", False), ("leg-2", True)]
    assert read.callers[1].naming is False  # the record read stays as it was
