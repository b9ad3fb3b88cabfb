"""Ending a meeting ends its video too: nobody stays connected to an ended meeting.

With session monitoring, every connection it recorded is force-disconnected. Without it the
server knows no connection ids, so it sends a session signal that makes honest pages leave:
a modified page can ignore it and stay until its token (at most 15 minutes) is of no use for
reconnecting. Both are best effort: End has already happened and must not fail here.
"""

from __future__ import annotations

import logging

from .clock import Clock
from .errors import UpstreamError
from .records import Meeting
from .storage import Store
from .video import ENDED_SIGNAL, VideoGateway

log = logging.getLogger(__name__)


def eject_everyone(store: Store, video: VideoGateway, clock: Clock, meeting: Meeting) -> None:
    """Signal the session, then force-disconnect every video connection monitoring knows of."""
    try:
        video.signal(meeting.session_id, ENDED_SIGNAL)
    except UpstreamError as error:
        log.info("ended signal not sent: %s", error.reason)
    for connection_id in store.video_connections.present_ids(meeting.id):
        try:
            video.force_disconnect(meeting.session_id, connection_id)
        except UpstreamError as error:
            log.warning("video connection not disconnected at End: %s", error.reason)
            continue
        store.video_connections.left(connection_id, meeting.id, clock.now())
