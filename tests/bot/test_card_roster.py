"""The card names who is on the phone (raised hands first) and offers "Phone callers" to open
the starter's controls; 50 callers keep it inside Block Kit's limits."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import Block

from bot.card import meeting_card
from meetbridge.phone_callers import PhoneCaller
from meetbridge.status import MeetingStatus
from tests.bot.test_card import MEETING, NUMBER, SERVER_URL, STARTED


def caller(n: int, name: str | None = None, member: str | None = None, muted: bool = False,
           hand: float | None = None) -> PhoneCaller:
    return PhoneCaller(uuid=f"leg-{n}", name=name, member_id=member, masked=f"•••{1000 + n}", muted=muted,
                       hand_raised_at=hand, joined_at=STARTED + n)


def card_blocks(*callers: PhoneCaller) -> list[dict]:
    status = MeetingStatus(meeting=MEETING, bridge=None, phone_callers=len(callers), callers=tuple(callers))
    return meeting_card(status, SERVER_URL, NUMBER).blocks


def roster_text(blocks: list[dict]) -> str | None:
    found = [block for block in blocks if block.get("block_id") == "phone_roster"]
    return found[0]["elements"][0]["text"] if found else None


def action_ids(blocks: list[dict]) -> list[str]:
    [actions] = [block for block in blocks if block["type"] == "actions"]
    return [element["action_id"] for element in actions["elements"]]


def test_callers_are_named_by_spoken_name_member_or_masked_number_with_hands_first_and_mute_marks():
    blocks = card_blocks(caller(1, name="Maria"), caller(2, member="U0GRACE", muted=True),
                         caller(3), caller(4, name="Tom", hand=STARTED + 60))
    assert roster_text(blocks) == "On the phone: Tom (phone) ✋, Maria (phone), <@U0GRACE> 🔇, •••1003"
    assert "phone_roster" in action_ids(blocks)


def test_a_spoken_name_cannot_mention_or_link():
    blocks = card_blocks(caller(1, name="<!channel> <https://evil.example|x>"))
    assert roster_text(blocks) == "On the phone: &lt;!channel&gt; &lt;https://evil.example|x&gt; (phone)"


def test_no_callers_no_roster_line_and_no_phone_callers_button():
    blocks = card_blocks()
    assert roster_text(blocks) is None
    assert "phone_roster" not in action_ids(blocks)


def test_fifty_callers_are_summarised_and_the_card_is_valid_block_kit():
    callers = [caller(n, name=f"Caller number {n:02d} with a long name" * 2) for n in range(48)]
    callers += [caller(48, hand=STARTED + 5), caller(49, hand=STARTED + 9)]
    blocks = card_blocks(*callers)
    text = roster_text(blocks)
    assert text is not None and text.startswith("On the phone: •••1048 ✋, •••1049 ✋, ")
    assert text.endswith(" and 45 more")
    assert len(text) < 3000  # a context element's text limit
    for block in blocks:
        Block.parse(block).validate_json()  # type: ignore[union-attr]
    assert len(json.dumps(blocks)) < 10_000


def test_hands_beyond_the_names_shown_are_counted():
    callers = [caller(n) for n in range(8)]
    late_hands = [caller(10 + n, hand=STARTED + 100 + n) for n in range(7)]
    text = roster_text(card_blocks(*callers, *late_hands))
    assert text is not None and text.endswith(" and 10 more (2 ✋)")
