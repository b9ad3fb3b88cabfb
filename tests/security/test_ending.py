"""An ended meeting stays ended: End force-disconnects every video
connection the app knows (session monitoring on), a visitor's token lives at most 15 minutes,
afterwards the page, the token route and the page's controls answer 410 and do nothing, and a
guest who comes back with the token they still hold is put out again.

Browsers are modelled at the fake OpenTok (`add_client`: a connection made with a token) and
reported to the app by session-monitoring callbacks, as OpenTok reports them.
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


def connect(app, meeting, guest: Visitor) -> str:
    """The guest's browser connects to the session with its token; OpenTok tells the app."""
    connection_id = app.opentok.add_client(meeting.session_id)
    data = token_claims(guest.grant).get("connection_data")
    assert video_event(app, meeting.session_id, "connectionCreated", connection_id, data).status_code in (200, 204)
    return connection_id


def end_and_wait(app, meeting) -> None:
    assert click(app, "end_meeting", meeting.id).status_code == 200
    wait_until(lambda: not app.store.meetings.get(meeting.id).is_live)


def test_an_ended_meetings_guests_are_disconnected_and_cannot_get_in_again(serve):
    app = serve()
    meeting = start_meeting(app, "Ending")
    guests = [Visitor(app, meeting.id, name) for name in ("Ada", "Mallory")]
    assert [guest.join().status_code for guest in guests] == [200, 200]
    connections = {(meeting.session_id, connect(app, meeting, guest)) for guest in guests}
    lifetimes = [token_claims(guest.grant)["exp"] - token_claims(guest.grant)["iat"] for guest in guests]

    end_and_wait(app, meeting)
    wait_until(lambda: not connections & app.opentok.connected_clients())

    mallory = guests[1]
    assert max(lifetimes) <= TOKEN_LIFETIME_LIMIT
    assert mallory.join().status_code == 410
    assert mallory.session.get(mallory.room_url(), timeout=10).status_code == 410
    assert mallory.control("dial-out").status_code in (403, 410)
    assert app.opentok.requests("dial") == []
    record("video guests after End", "stay connected; tokens valid 12 h",
           f"force-disconnected; tokens live {max(lifetimes) // 60:.0f} min; token route and page 410")


def test_a_guest_who_reconnects_with_the_token_they_still_hold_is_put_out_again(serve):
    app = serve()
    meeting = start_meeting(app, "Coming back")
    mallory = Visitor(app, meeting.id)
    assert mallory.join().status_code == 200
    connect(app, meeting, mallory)
    end_and_wait(app, meeting)

    # OpenTok still accepts the token (it lives up to 15 minutes and cannot be revoked).
    again = (meeting.session_id, connect(app, meeting, mallory))

    wait_until(lambda: again not in app.opentok.connected_clients())
