"""An ended meeting stays ended (issue 11, seventh attack): End force-disconnects every video
connection the app knows (session monitoring on), a visitor's token lives at most 15 minutes,
and afterwards the page, the token route and the page's controls answer 410 and do nothing.
"""

from __future__ import annotations

import jwt

from tests.conftest import VIDEO_SECRET
from tests.security.measurements import record
from tests.security.steps import Visitor, click, start_meeting, video_event
from tests.waiting import wait_until

TOKEN_LIFETIME_LIMIT = 15 * 60


def token_claims(grant: dict) -> dict:
    """The OpenTok client token is a JWT signed with the project secret."""
    return jwt.decode(grant["token"], VIDEO_SECRET, algorithms=["HS256"])


def test_an_ended_meetings_guests_are_disconnected_and_their_tokens_cannot_come_back(serve):
    app = serve()
    meeting = start_meeting(app, "Ending")
    guests = [Visitor(app, meeting.id, name) for name in ("Ada", "Mallory")]
    for number, guest in enumerate(guests):
        assert guest.join().status_code == 200
        claims = token_claims(guest.grant)
        assert video_event(app, meeting.session_id, "connectionCreated", f"connection-{number}",
                           claims.get("connection_data")).status_code in (200, 204)
    lifetimes = [token_claims(guest.grant)["exp"] - token_claims(guest.grant)["iat"] for guest in guests]

    assert click(app, "end_meeting", meeting.id).status_code == 200
    wait_until(lambda: not app.store.meetings.get(meeting.id).is_live)
    wait_until(lambda: len(app.opentok.requests("force_disconnect")) >= 2)

    disconnected = {(request["session_id"], request["connection_id"])
                    for request in app.opentok.requests("force_disconnect")}
    mallory = guests[1]
    assert {(meeting.session_id, "connection-0"), (meeting.session_id, "connection-1")} <= disconnected
    assert max(lifetimes) <= TOKEN_LIFETIME_LIMIT
    assert mallory.join().status_code == 410
    assert mallory.session.get(mallory.room_url(), timeout=10).status_code == 410
    assert mallory.control("dial-out").status_code in (403, 410)
    assert app.opentok.requests("dial") == []
    record("video guests after End", "stay connected; tokens valid 12 h",
           f"force-disconnected; tokens live {max(lifetimes) // 60:.0f} min; token route 410")
