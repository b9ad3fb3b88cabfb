"""The `jti` of every signed webhook accepted lately, so that a captured token is accepted once.

Shared by every worker process through the database: a replay to another worker of the same
gunicorn (or another host) finds the row too. One `INSERT … ON CONFLICT DO NOTHING` per
webhook decides it; its row count says whether this was the first use. The checker records
a `jti` only after the token's signature and claims verified, so nobody without the signature
secret can add rows.
"""

from __future__ import annotations

from ..errors import TokenReplayed
from ..records import WebhookToken
from .seam import SqlDatabase

# A token is accepted while its `iat` is within this many seconds of our clock (either side).
WINDOW_SECONDS = 300
# A jti first seen at t can be replayed with an acceptable `iat` until t + 2 × WINDOW_SECONDS at
# most; a minute more covers clocks that differ between hosts. Older rows can go (prune()).
KEEP_SECONDS = 2 * WINDOW_SECONDS + 60
PRUNE_BATCH = 10_000

RECORD = "INSERT INTO webhook_tokens_seen (jti, seen_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING"
# A token recorded by the request's first write, in the same transaction (`first` of
# execute_then_read): a replay violates the primary key, so that write and everything after it
# are undone; the table method raises TokenReplayed.
FIRST_USE = "INSERT INTO webhook_tokens_seen (jti, seen_at) VALUES (:token_jti, :token_seen_at)"
PRUNE = ("DELETE FROM webhook_tokens_seen WHERE jti IN "
         "(SELECT jti FROM webhook_tokens_seen WHERE seen_at < ? ORDER BY seen_at LIMIT ?)")


class SeenTokens:
    """Rows of `webhook_tokens_seen`."""

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database

    def first_use(self, jti: str, at: float) -> bool:
        """Record `jti` as seen at `at`; False when any worker had already recorded it. Not
        durable: a database crash may forget the last fraction of a second of these records, so
        a token captured in that instant could be replayed once more within its few minutes."""
        return self.database.execute(RECORD, (jti, at), durable=False) == 1

    def use(self, token: WebhookToken) -> None:
        """Record a verified token for a request with no write of its own to carry it (see
        `with_first_use`); TokenReplayed when any worker had already recorded it."""
        if not self.first_use(token.jti, token.seen_at):
            raise TokenReplayed()

    def prune(self, before: float, limit: int = PRUNE_BATCH) -> int:
        """Forget tokens seen before `before` (call with now − KEEP_SECONDS); at most `limit`
        rows per call so the write lock is held briefly. Returns how many went."""
        return self.database.execute(PRUNE, (before, limit))

    def count(self) -> int:
        """How many jti are remembered (tests, operators)."""
        row = self.database.query_one("SELECT count(*) AS n FROM webhook_tokens_seen")
        return int(row["n"]) if row else 0


def with_first_use(token: WebhookToken | None, params: dict[str, object]) -> tuple[str | None, dict[str, object]]:
    """`first` and `params` for an execute_then_read that records `token` before its write (no
    token: nothing to record)."""
    if token is None:
        return None, params
    return FIRST_USE, {**params, "token_jti": token.jti, "token_seen_at": token.seen_at}
