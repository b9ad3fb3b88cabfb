"""The migration that turns the sentences older versions stored (why a meeting ended, why a
bridge stopped or failed, the card's bridge notice) into the reason codes stored since
(meetbridge/reasons.py words them when shown). One SQL text for both back-ends.

Frozen: it lists what older versions wrote, word for word, so it never changes with later
wording. A value without a space is already a code and stays (so running it again changes
nothing); any other sentence it does not know becomes `unknown`; NULL stays NULL.
"""

from __future__ import annotations

# Every sentence older versions stored in bridge_calls.reason, and its code.
BRIDGE_REASONS = {
    "hung up": "hung_up",
    "meeting ended": "meeting_ended",
    "no video participants": "no_video",
    "the phone network never answered the bridge call": "unanswered",
    "the video service did not answer in time": "video.timeout",
    "the video service could not be reached": "video.unreachable",
    "the video service refused our API key or secret": "video.credentials",
    "that connection had already left the session": "video.gone",
    "the video session is not routed, so it cannot dial a phone line": "video.not_routed",
    "the video service no longer knows this session": "video.unknown_session",
    "the video service rejected the dial-out request": "video.dial_rejected",
    "the video service had an internal error": "video.internal",
    "the video service gave an unexpected answer": "video.unexpected",
    "the voice service refused our application credentials": "voice.credentials",
    "the voice service did not answer in time": "voice.timeout",
    "the voice service could not be reached": "voice.unreachable",
    "the voice service could not hang up the call": "voice.hang_up",
    "the voice service could not place the call": "voice.place_call",
}
ENDED_REASONS = {"ended": "ended", "expired": "expired", "app uninstalled": "uninstalled"}

NOTICES = {
    "Phone bridge not dialled: too many attempts lately (the cap keeps phone costs down)": "dial_limit",
    "Phone bridge hung up: everyone on video left": "video_left",
    "Phone bridge hung up from the join page": "hung_up_from_page",
    "Phone bridge hung up by someone": "hung_up_by",
}
HUNG_UP_BY = "Phone bridge hung up by <@"
IDLE = ("Phone bridge hung up: no callers for ", " min")
LONGEST = "Phone bridge hung up: it was connected for the longest allowed ("
LONGEST_UNITS = ((" h)", 3600), (" min)", 60), (" s)", 1))


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _exact(column: str, mapping: dict[str, str]) -> str:
    return " ".join(f"WHEN {column} = {_text(old)} THEN {_text(new)}" for old, new in mapping.items())


def _otherwise(column: str) -> str:
    return f"WHEN {column} NOT LIKE '% %' THEN {column} ELSE 'unknown' END WHERE {column} IS NOT NULL"


def _between(column: str, prefix: str, suffix: str) -> str:
    """The text of `column` between `prefix` and `suffix` (both known to be there)."""
    return f"replace(replace({column}, {_text(prefix)}, ''), {_text(suffix)}, '')"


def _statements() -> tuple[str, ...]:
    bridge = (f"UPDATE bridge_calls SET reason = CASE {_exact('reason', BRIDGE_REASONS)} "
              f"WHEN reason LIKE 'phone leg %' THEN 'leg:' || lower(replace(substr(reason, 11), ' ', '_')) "
              + _otherwise("reason"))
    ended = (f"UPDATE meetings SET ended_reason = CASE {_exact('ended_reason', ENDED_REASONS)} "
             + _otherwise("ended_reason"))
    longest = " ".join(
        f"WHEN bridge_notice LIKE {_text(LONGEST + '%' + unit)} THEN 'max_duration:' || "
        f"CAST(CAST({_between('bridge_notice', LONGEST, unit)} AS DOUBLE PRECISION) * {seconds} AS TEXT)"
        for unit, seconds in LONGEST_UNITS)
    notice = (f"UPDATE meetings SET bridge_notice = CASE {_exact('bridge_notice', NOTICES)} "
              f"WHEN bridge_notice LIKE {_text(HUNG_UP_BY + '%>')} THEN "
              f"'hung_up_by:' || {_between('bridge_notice', HUNG_UP_BY, '>')} "
              f"WHEN bridge_notice LIKE {_text(IDLE[0] + '%' + IDLE[1])} THEN "
              f"'idle:' || {_between('bridge_notice', *IDLE)} "
              f"{longest} " + _otherwise("bridge_notice"))
    return bridge, ended, notice


STATEMENTS = _statements()
SCRIPT = ";\n".join(STATEMENTS) + ";\n"
