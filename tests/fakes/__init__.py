"""Local fake HTTP servers for Slack, OpenTok and Vonage Voice, driven by the real SDKs."""

from ._server import FakeServer, unused_port
from .opentok_api import FakeOpenTok, make_session_id
from .slack_api import FakeSlack
from .vonage_api import FakeVonage, make_rsa_keypair

__all__ = [
    "FakeOpenTok",
    "FakeServer",
    "FakeSlack",
    "FakeVonage",
    "make_rsa_keypair",
    "make_session_id",
    "unused_port",
]
