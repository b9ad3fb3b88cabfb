"""A visitor named after the bridge's marker: "sip=true" was the phone
bridge's connection data, so such a visitor was drawn as the phone tile and left out of the
video count, and when the only other visitor left the bridge was hung up "because everyone
left". Connection data is structured now: no visitor can mint the bridge's."""

from __future__ import annotations

import json

import jwt

from tests.conftest import VIDEO_SECRET
from tests.security.measurements import record
from tests.security.steps import Visitor, connect_bridge, start_meeting, video_event


def connection_data(token: str) -> str | None:
    return jwt.decode(token, VIDEO_SECRET, algorithms=["HS256"]).get("connection_data")


def test_a_visitor_named_sip_true_is_neither_the_bridge_nor_left_out_of_the_count(serve):
    app = serve()
    meeting = start_meeting(app, "Marker")
    connect_bridge(app, meeting)
    bridge_data = connection_data(app.opentok.requests("dial")[-1]["token"])
    impostor, ada = Visitor(app, meeting.id, "sip=true"), Visitor(app, meeting.id, "Ada")
    assert impostor.join().status_code == ada.join().status_code == 200
    impostor_data = connection_data(impostor.grant["token"])

    for connection, data in (("bridge", bridge_data), ("impostor", impostor_data),
                             ("ada", connection_data(ada.grant["token"]))):
        assert video_event(app, meeting.session_id, "connectionCreated", connection, data).status_code in (200, 204)
    counted_with_both = app.store.meetings.get(meeting.id).video_participants
    video_event(app, meeting.session_id, "connectionDestroyed", "ada", connection_data(ada.grant["token"]))

    assert impostor_data != bridge_data
    assert json.loads(impostor_data) == {"name": "sip=true"}
    assert counted_with_both == 2
    assert app.store.meetings.get(meeting.id).video_participants == 1
    assert app.store.bridges.active(meeting.id) is not None  # someone is still on video
    record("visitor named sip=true", "drawn as the bridge, not counted; bridge hung up",
           "connection data {\"name\": \"sip=true\"}: counted, bridge stays up")
