"""SQLite schema migrations, applied at start-up under the write lock so that several worker
processes starting at once apply each migration exactly once.

Append only. Every change here gets its PostgreSQL twin appended to pg_schema.MIGRATIONS;
tests/meetbridge/storage/test_schema_parity.py checks both end with the same tables and columns."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

from . import reason_codes
from .database import Database

migrations = Migrations("meetbridge")


@migrations()
def create_meetings(db: sqlite_utils.Database) -> None:
    """Creates meetings, one row per `/meet`."""
    db["meetings"].create({
        "id": str, "team_id": str, "channel_id": str, "creator_id": str, "topic": str,
        "session_id": str, "pin": str, "created_at": float, "expires_at": float,
        "ended_at": float, "ended_reason": str,
        "card_channel": str, "card_ts": str, "card_via_response_url": int, "response_url": str,
        "video_participants": int, "bridge_notice": str, "response_url_at": float,
        "calls_id": str,
    }, pk="id", not_null={"team_id", "channel_id", "creator_id", "session_id", "pin", "created_at",
                          "expires_at"},
        defaults={"card_via_response_url": 0, "video_participants": 0})
    db["meetings"].create_index(["session_id"])
    db["meetings"].create_index(["ended_at", "expires_at"])


@migrations()
def create_pins(db: sqlite_utils.Database) -> None:
    """Creates pins, every PIN handed out and when it was released."""
    # One row per PIN ever handed out. The primary key makes live PINs unique across
    # processes; released_at keeps a released PIN out of circulation for a day.
    db["pins"].create({"pin": str, "meeting_id": str, "released_at": float}, pk="pin")
    db.execute("CREATE INDEX pins_live ON pins(pin) WHERE released_at IS NULL")


@migrations()
def create_bridge_calls(db: sqlite_utils.Database) -> None:
    """Creates bridge_calls, each dial of the phone bridge; one active per meeting."""
    db["bridge_calls"].create({
        "id": str, "meeting_id": str, "state": str, "reason": str, "token_hash": str,
        "sip_call_id": str, "connection_id": str, "leg_uuid": str, "created_at": float,
        "connected_at": float, "ended_at": float, "ended_reason": str, "idle_since": float,
        "cleanup_pending": int,
    }, pk="id", not_null={"meeting_id", "state", "token_hash", "created_at"},
        defaults={"cleanup_pending": 0},
        foreign_keys=[("meeting_id", "meetings", "id")])
    # At most one bridge per meeting may be dialling or up: the database, not Python,
    # makes ten simultaneous clicks produce one SIP call.
    db.execute("CREATE UNIQUE INDEX bridge_calls_one_active ON bridge_calls(meeting_id) "
               "WHERE state IN ('connecting', 'connected')")
    db["bridge_calls"].create_index(["leg_uuid"])


@migrations()
def create_phone_legs(db: sqlite_utils.Database) -> None:
    """Creates phone_legs (each caller's call) and pin_failures."""
    db["phone_legs"].create({
        "uuid": str, "meeting_id": str, "caller_number": str, "status": str,
        "attempts": int, "joined_at": float, "left_at": float, "created_at": float,
        "updated_at": float, "cleanup_pending": int,
    }, pk="uuid", not_null={"created_at"}, defaults={"attempts": 0, "cleanup_pending": 0})
    db["phone_legs"].create_index(["meeting_id", "left_at"])
    db["pin_failures"].create({"id": int, "caller_number": str, "at": float}, pk="id")
    db["pin_failures"].create_index(["caller_number", "at"])


@migrations()
def create_webhook_log(db: sqlite_utils.Database) -> None:
    """Creates webhook_log, the audit log of voice webhooks."""
    db["webhook_log"].create({
        "id": int, "at": float, "route": str, "uuid": str, "status": str, "detail": str,
    }, pk="id")


@migrations()
def create_video_connections(db: sqlite_utils.Database) -> None:
    """Creates video_connections, one row per OpenTok connection seen."""
    # One row per OpenTok connection seen by session monitoring: duplicates and
    # out-of-order callbacks cannot skew the participant count.
    db["video_connections"].create({
        "connection_id": str, "meeting_id": str, "joined_at": float, "left_at": float,
    }, pk="connection_id")
    db["video_connections"].create_index(["meeting_id", "left_at"])


@migrations()
def create_slack_call_participants(db: sqlite_utils.Database) -> None:
    """Creates slack_call_participants and adds meetings.calls_ended."""
    # Which phone legs Slack's Calls card already lists, so each change sends only the
    # difference and a restart resends nothing.
    db["slack_call_participants"].create({"meeting_id": str, "external_id": str},
                                         pk=("meeting_id", "external_id"))
    db["meetings"].add_column("calls_ended", int, not_null_default=0)


@migrations()
def add_lookup_indexes(db: sqlite_utils.Database) -> None:
    """Adds the indexes that keep every webhook and sweeper lookup an index search."""
    # Every lookup the webhooks and the sweeper make stays an index search however many
    # ended meetings, released PINs and old legs pile up (bench/bench_growth.py).
    db.execute("CREATE INDEX pins_meeting ON pins(meeting_id)")
    db.execute("CREATE INDEX meetings_creator ON meetings(team_id, creator_id) WHERE ended_at IS NULL")
    db.execute("CREATE INDEX meetings_team_live ON meetings(team_id) WHERE ended_at IS NULL")
    db.execute("CREATE INDEX bridge_calls_meeting ON bridge_calls(meeting_id, created_at)")
    db.execute("CREATE INDEX bridge_calls_state ON bridge_calls(state, idle_since)")
    db.execute("CREATE INDEX bridge_calls_cleanup ON bridge_calls(cleanup_pending) WHERE cleanup_pending = 1")
    db.execute("CREATE INDEX phone_legs_cleanup ON phone_legs(cleanup_pending) WHERE cleanup_pending = 1")
    db.execute("CREATE INDEX phone_legs_present ON phone_legs(updated_at) WHERE left_at IS NULL")


@migrations()
def count_live_pins_by_length(db: sqlite_utils.Database) -> None:
    """Adds pin_counts, live PINs per length kept by triggers."""
    # The PIN allocator reads the number of live PINs on every /meet and the longest live
    # PIN on every prompt. Triggers keep those counts exact in every process, so both reads
    # are O(1) instead of scanning every live PIN.
    db.execute("CREATE TABLE pin_counts (length INTEGER PRIMARY KEY, live INTEGER NOT NULL)")
    db.execute("INSERT INTO pin_counts SELECT length(pin), count(*) FROM pins "
               "WHERE released_at IS NULL GROUP BY length(pin)")
    bump = ("INSERT INTO pin_counts (length, live) VALUES (length({row}.pin), {delta}) "
            "ON CONFLICT(length) DO UPDATE SET live = live + {delta};")
    db.execute("CREATE TRIGGER pins_live_insert AFTER INSERT ON pins WHEN NEW.released_at IS NULL BEGIN "
               + bump.format(row="NEW", delta=1) + " END")
    db.execute("CREATE TRIGGER pins_live_delete AFTER DELETE ON pins WHEN OLD.released_at IS NULL BEGIN "
               + bump.format(row="OLD", delta=-1) + " END")
    db.execute("CREATE TRIGGER pins_released AFTER UPDATE OF released_at ON pins "
               "WHEN OLD.released_at IS NULL AND NEW.released_at IS NOT NULL BEGIN "
               + bump.format(row="OLD", delta=-1) + " END")
    db.execute("CREATE TRIGGER pins_reclaimed AFTER UPDATE OF released_at ON pins "
               "WHEN OLD.released_at IS NOT NULL AND NEW.released_at IS NULL BEGIN "
               + bump.format(row="NEW", delta=1) + " END")


@migrations()
def add_host_keys(db: sqlite_utils.Database) -> None:
    """Adds meetings.host_key_hash, the starter's host-link secret, hashed."""
    # Hash of the secret in the starter's host link: lets them end the meeting from the
    # join page, where there is no Slack identity.
    db["meetings"].add_column("host_key_hash", str)


@migrations()
def add_card_lease(db: sqlite_utils.Database) -> None:
    """Adds meetings.card_lease_until, one card sender at a time."""
    # Only one process at a time sends a meeting's card; each send reads the state inside its
    # lease, so the last send to reach Slack is never older than the last change.
    db["meetings"].add_column("card_lease_until", float)


@migrations()
def drop_unused_live_pin_index(db: sqlite_utils.Database) -> None:
    """Drops the pins_live index, which pin_counts made unused."""
    # pin_counts answers the counting queries it served; one index less on every claim.
    db.execute("DROP INDEX IF EXISTS pins_live")


@migrations()
def add_card_digest(db: sqlite_utils.Database) -> None:
    """Adds meetings.card_digest, so an unchanged card is not sent again."""
    # Digest of the card as Slack last received it: an update that would change nothing is
    # not sent (it would only spend the workspace's chat.update budget).
    db["meetings"].add_column("card_digest", str)


@migrations()
def add_sweeper_bookkeeping(db: sqlite_utils.Database) -> None:
    """Adds phone_legs.checked_at and the indexes retention prunes by."""
    # checked_at: when Vonage last confirmed a caller's leg (GET /v1/calls/{uuid}), kept apart
    # from updated_at, which any webhook (a forged one too) refreshes. The indexes let the
    # sweeper find what retention prunes in small batches without scanning the tables.
    db["phone_legs"].add_column("checked_at", float)
    db.execute("CREATE INDEX phone_legs_finished ON phone_legs(left_at) WHERE left_at IS NOT NULL")
    db.execute("CREATE INDEX phone_legs_unadmitted ON phone_legs(created_at) WHERE joined_at IS NULL")
    db.execute("CREATE INDEX webhook_log_at ON webhook_log(at)")


def migrate(database: Database) -> None:
    """Apply pending migrations; safe when several processes start together."""
    with database.transaction() as db:
        migrations.apply(db)


@migrations()
def create_rate_limit_hits(db: sqlite_utils.Database) -> None:
    """Creates rate_limit_hits, sliding-window limits every worker shares."""
    # Sliding-window rate limits shared by every worker (storage/rate_limits.py): bridge dials
    # per meeting, join-page tokens per meeting and per client address.
    db["rate_limit_hits"].create({"bucket": str, "at": float, "expires_at": float},
                                 not_null={"bucket", "at", "expires_at"})
    db.execute("CREATE INDEX rate_limit_hits_bucket ON rate_limit_hits(bucket, at)")
    db.execute("CREATE INDEX rate_limit_hits_expiry ON rate_limit_hits(expires_at)")


@migrations()
def create_webhook_tokens_seen(db: sqlite_utils.Database) -> None:
    """Creates webhook_tokens_seen, so a signed webhook's token is accepted once."""
    # The jti of each signed webhook accepted in the last few minutes (storage/replays.py): a
    # captured token is accepted once, whichever worker or host it is replayed to.
    db.execute("CREATE TABLE webhook_tokens_seen (jti TEXT PRIMARY KEY, seen_at REAL NOT NULL) WITHOUT ROWID")
    db.execute("CREATE INDEX webhook_tokens_seen_age ON webhook_tokens_seen(seen_at)")


@migrations()
def bound_pin_guessing(db: sqlite_utils.Database) -> None:
    """Adds the PIN-guessing budget: attempt times, pin_lockouts, alerts_said, conversation names."""
    # PIN guessing is bounded for the whole service (storage/keypad.py,
    # storage/pin_guard.py). A leg's attempts are claimed before its PIN is looked up and
    # count as failures until it is admitted (meeting_id set): the partial index holds exactly
    # the legs with failures, so the service-wide budget over the last hour is a short sum.
    db["phone_legs"].add_column("attempt_at", float)
    db.execute("CREATE INDEX phone_legs_failed ON phone_legs(attempt_at) "
               "WHERE attempts > (CASE WHEN meeting_id IS NULL THEN 0 ELSE 1 END)")
    # One row per lock-out key (a caller number, or 'withheld' for every withheld one): the
    # current run of failures and the backing-off lock-out.
    db.execute("CREATE TABLE pin_lockouts (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, "
               "last_failure_at REAL NOT NULL, strikes INTEGER NOT NULL, locked_until REAL)")
    # Alerts said at most once a minute by all workers together (name → when last said).
    db.execute("CREATE TABLE alerts_said (name TEXT PRIMARY KEY, said_at REAL NOT NULL)")
    # The conversation callers and the bridge join: random, never derived from the meeting id
    # (the join link). Meetings live during the upgrade keep the name their bridge already uses.
    db["meetings"].add_column("conversation_name", str)
    db.execute("UPDATE meetings SET conversation_name = 'meetbridge-' || id WHERE ended_at IS NULL")


@migrations()
def add_slack_budgets_triggers_and_participant_names(db: sqlite_utils.Database) -> None:
    """Creates slack_rate_budgets and slack_seen_triggers; adds participants' display names."""
    # Slack counts rate limits per workspace whatever process calls: one token-bucket row per
    # workspace (storage/slack_budgets.py). /meet deliveries already acted on, by trigger_id
    # (storage/slack_triggers.py). The Calls user object sent when a participant was added,
    # because Slack wants the same object back when it is removed.
    db.execute("CREATE TABLE slack_rate_budgets (team_id TEXT PRIMARY KEY, tokens REAL NOT NULL, "
               "counted_at REAL NOT NULL, paused_until REAL NOT NULL DEFAULT 0)")
    db.execute("CREATE TABLE slack_seen_triggers (trigger_id TEXT PRIMARY KEY, seen_at REAL NOT NULL)")
    db.execute("CREATE INDEX slack_seen_triggers_age ON slack_seen_triggers(seen_at)")
    db["slack_call_participants"].add_column("display_name", str)


@migrations()
def number_bridge_calls(db: sqlite_utils.Database) -> None:
    """Adds bridge_calls.seq, a meeting's dials in order."""
    # seq numbers a meeting's dials in order (storage/bridges.py `latest`), so two dials with the
    # same timestamp are still told apart on every back-end; existing rows keep their old order.
    db["bridge_calls"].add_column("seq", int)
    db.execute("UPDATE bridge_calls SET seq = rowid")


@migrations()
def move_slack_card_state_to_slack_cards(db: sqlite_utils.Database) -> None:
    """Moves the Slack card state out of meetings into slack_cards."""
    # The Slack side keeps its card and Calls card state in a table of its own
    # (storage/slack_cards.py): a meeting row holds the domain's state only. The write-only
    # card_via_response_url goes (a card without ts went out through the response_url).
    db.execute("CREATE TABLE slack_cards (meeting_id TEXT PRIMARY KEY, channel TEXT, ts TEXT, digest TEXT, "
               "response_url TEXT, response_url_at REAL, calls_id TEXT, lease_until REAL, "
               "calls_ended INTEGER NOT NULL DEFAULT 0)")
    db.execute("INSERT INTO slack_cards (meeting_id, channel, ts, digest, response_url, response_url_at, "
               "calls_id, lease_until, calls_ended) "
               "SELECT id, card_channel, card_ts, card_digest, response_url, response_url_at, calls_id, "
               "card_lease_until, calls_ended FROM meetings "
               "WHERE card_ts IS NOT NULL OR card_via_response_url = 1 OR response_url IS NOT NULL "
               "OR calls_id IS NOT NULL")
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+) keeps the partial indexes, which sqlite-utils'
    # transform() refuses to carry over; none of these columns is indexed.
    for column in ("card_channel", "card_ts", "card_via_response_url", "response_url", "response_url_at",
                   "calls_id", "card_digest", "card_lease_until", "calls_ended"):
        db.execute(f"ALTER TABLE meetings DROP COLUMN {column}")


@migrations()
def keep_slack_installations(db: sqlite_utils.Database) -> None:
    """Creates the OAuth tables (installations, bots, states) unless already there."""
    # OAuth installations, bots and states (storage/slack_installs.py), in the layout slack_sdk's
    # SQLite stores gave them when those stores kept them in this same file: files that already
    # hold them keep their rows (IF NOT EXISTS).
    db.execute(
        "CREATE TABLE IF NOT EXISTS slack_installations (id integer primary key autoincrement, "
        "client_id text not null, app_id text not null, enterprise_id text not null default '', "
        "enterprise_name text, enterprise_url text, team_id text not null default '', team_name text, "
        "bot_token text, bot_id text, bot_user_id text, bot_scopes text, bot_refresh_token text, "
        "bot_token_expires_at datetime, user_id text not null, user_token text, user_scopes text, "
        "user_refresh_token text, user_token_expires_at datetime, incoming_webhook_url text, "
        "incoming_webhook_channel text, incoming_webhook_channel_id text, incoming_webhook_configuration_url text, "
        "is_enterprise_install boolean not null default 0, token_type text, "
        "installed_at datetime not null default current_timestamp)")
    db.execute("CREATE INDEX IF NOT EXISTS slack_installations_idx ON slack_installations "
               "(client_id, enterprise_id, team_id, user_id, installed_at)")
    db.execute(
        "CREATE TABLE IF NOT EXISTS slack_bots (id integer primary key autoincrement, client_id text not null, "
        "app_id text not null, enterprise_id text not null default '', enterprise_name text, "
        "team_id text not null default '', team_name text, bot_token text not null, bot_id text not null, "
        "bot_user_id text not null, bot_scopes text, bot_refresh_token text, bot_token_expires_at datetime, "
        "is_enterprise_install boolean not null default 0, installed_at datetime not null default current_timestamp)")
    db.execute("CREATE INDEX IF NOT EXISTS slack_bots_idx ON slack_bots "
               "(client_id, enterprise_id, team_id, installed_at)")
    db.execute("CREATE TABLE IF NOT EXISTS oauth_states (id integer primary key autoincrement, "
               "state text not null, expire_at datetime not null)")


@migrations()
def drop_bridge_call_copies(db: sqlite_utils.Database) -> None:
    """Drops bridge_calls.sip_call_id and ended_reason (never read, or equal to reason)."""
    # bridge_calls.ended_reason was always written equal to reason, and sip_call_id was never
    # read: one reason column stays. DROP COLUMN (SQLite 3.35+) keeps the table's partial
    # indexes, which transform() would refuse to carry across a dropped column.
    db.execute("ALTER TABLE bridge_calls DROP COLUMN sip_call_id")
    db.execute("ALTER TABLE bridge_calls DROP COLUMN ended_reason")


@migrations()
def keep_member_phone_numbers(db: sqlite_utils.Database) -> None:
    """Creates member_phone_numbers and slack_dial_lines."""
    # A member's own number for "Call my phone" (storage/saved_numbers.py), one per workspace
    # and user; and the card's short line per outbound call while it rings or is joined.
    db.execute("CREATE TABLE member_phone_numbers (workspace_id text not null, member_id text not null, "
               "number text not null, saved_at float not null, primary key (workspace_id, member_id))")
    db.execute("CREATE TABLE slack_dial_lines (call_uuid text primary key, meeting_id text not null, "
               "label text not null, code text not null, updated_at float not null)")
    db.execute("CREATE INDEX slack_dial_lines_meeting ON slack_dial_lines (meeting_id)")


@migrations()
def keep_dial_outs(db: sqlite_utils.Database) -> None:
    """Creates dial_outs and adds phone_legs.caller_name and slack_member_id."""
    # Calls the meeting placed (storage/dial_outs.py): who asked, the masked number, the progress
    # code, and the hourly-limit buckets the call took (given back when Vonage would not place it).
    # A placed call's leg is a phone_legs row like a caller's, with the name it is shown by.
    db.execute("CREATE TABLE dial_outs (id TEXT PRIMARY KEY, call_uuid TEXT, meeting_id TEXT NOT NULL, "
               "team_id TEXT NOT NULL, requester_kind TEXT NOT NULL, member_id TEXT, visitor_id TEXT, "
               "invitee_name TEXT, for_requester INTEGER NOT NULL DEFAULT 0, masked TEXT NOT NULL, "
               "leg_name TEXT, slack_member_id TEXT, code TEXT NOT NULL, created_at REAL NOT NULL, "
               "updated_at REAL, buckets TEXT)")
    db.execute("CREATE UNIQUE INDEX dial_outs_call ON dial_outs (call_uuid)")
    db.execute("CREATE INDEX dial_outs_meeting ON dial_outs (meeting_id, code, created_at)")
    db.execute("CREATE INDEX dial_outs_age ON dial_outs (created_at)")
    db["phone_legs"].add_column("caller_name", str)
    db["phone_legs"].add_column("slack_member_id", str)


@migrations()
def keep_caller_controls(db: sqlite_utils.Database) -> None:
    """Adds phone_legs.muted, hand_raised_at and language."""
    # A caller in the meeting can be muted (by themself with the keypad, or by the host) and can
    # raise a hand; `language` is the language of the number they dialled, for every prompt and
    # for speech recognition on that call.
    db["phone_legs"].add_column("muted", int, not_null_default=0)
    db["phone_legs"].add_column("hand_raised_at", float)
    db["phone_legs"].add_column("language", str)


@migrations()
def keep_keypad_state(db: sqlite_utils.Database) -> None:
    """Adds phone_legs.keypad_star_at and keypad_acted_at."""
    # The in-meeting keypad sends one key per webhook: `keypad_star_at` remembers a pressed `*`
    # until the next key completes the command; `keypad_acted_at` is when a command last reached
    # Vonage for this leg, so a leg pressing keys in a loop is answered at most once a second.
    db["phone_legs"].add_column("keypad_star_at", float)
    db["phone_legs"].add_column("keypad_acted_at", float)


@migrations()
def keep_waiting_state(db: sqlite_utils.Database) -> None:
    """Adds phone_legs.stage, waiting_since and told_at."""
    # A caller nobody can hear yet hears music streamed into the leg: `waiting_since` is when
    # it started (NULL: not waiting), `told_at` when the caller was last told that the others
    # know; `stage` is 'naming' while the caller is asked to say their name (not waiting yet).
    db["phone_legs"].add_column("stage", str)
    db["phone_legs"].add_column("waiting_since", float)
    db["phone_legs"].add_column("told_at", float)


@migrations()
def keep_calls_slack_ids(db: sqlite_utils.Database) -> None:
    """Adds slack_call_participants.slack_id."""
    # A member the meeting dialled ("Call my phone") is listed on the Slack Calls card as
    # themself, `{"slack_id": …}`; Slack wants the same object to remove them, so it is kept.
    db["slack_call_participants"].add_column("slack_id", str)


@migrations()
def store_reasons_as_codes(db: sqlite_utils.Database) -> None:
    """Turns stored sentences (ended_reason, bridge_notice, bridge_calls.reason) into reason codes."""
    # Nothing stored is prose: rows written by older versions get the codes worded when shown
    # (storage/reason_codes.py; the same SQL runs on PostgreSQL).
    for statement in reason_codes.STATEMENTS:
        db.execute(statement)
