"""PIN guessing with valid signatures: many lines, a fresh uuid per call, two workers.

The attacker here holds the signature secret: that models real phone calls, which Vonage itself
signs and forwards, from as many lines as the attacker can pay for. Each call has a fresh uuid
and a rotated or withheld number. What must hold:
- far above `PIN_FAILURE_BUDGET` (20 an hour here), once the budget is spent nobody is admitted,
  not even with a live meeting's PIN, and this holds across two gunicorn workers (this spends
  the budget of the session's `two_workers` server for the rest of the run);
- a call's 4th (or 11th) entry is never checked, even when it is the right PIN;
- DTMF for a call `/voice-answer` never saw gets no look-up;
- withheld numbers are locked out together; a spoofed lock-out of a real number costs minutes.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from meetbridge import ncco
from tests.conftest import FakeClock
from tests.security.measurements import record
from tests.security.servers import REPLAY_RECORDS
from tests.security.steps import actions, call_in, joined, start_meeting
from tests.vonage_calls import answer, dtmf, new_uuid

BUDGET = 20
LINES = 10  # calls in parallel
CALLS = 150  # as the attack: 450 guesses over 150 calls
LIVE_MEETINGS = 3
WITHHELD_ATTACK_CALLS = 90  # a third withheld: 90 failures against their shared threshold of 30




@dataclass
class Tally:
    """What the attacker saw: calls prompted or turned away, entries the app judged."""

    calls: int = 0
    prompted: int = 0
    turned_away: int = 0
    withheld_turned_away: int = 0
    keyed: int = 0
    judged: int = 0
    admitted: int = 0

    def __post_init__(self) -> None:
        self.lock = threading.Lock()

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


def wrong_pin(live_pins: set[str], rng: random.Random) -> str:
    while True:
        guess = f"{rng.randrange(10 ** 9):09d}"
        if guess not in live_pins:
            return guess


def one_call(app, number: str | None, guesses: list[str], tally: Tally, attempts: int) -> None:
    """A call as Vonage forwards it: DTMF only while the app keeps asking (an `input` action)."""
    leg = new_uuid()
    prompt = app.vonage_side.send(answer(leg, from_=number)).json()
    if "input" not in actions(prompt):
        tally.add(calls=1, turned_away=1, withheld_turned_away=int(number is None))
        return
    tally.add(calls=1, prompted=1)
    for guess in guesses[:attempts]:
        reply = app.vonage_side.send(dtmf(leg, guess, from_=number)).json()
        tally.add(keyed=1, judged=int(was_checked(reply)), admitted=int(joined(reply)))
        if "input" not in actions(reply):
            return


def was_checked(reply: list[dict]) -> bool:
    """The entry was looked up: joined, or "not recognised" (again or goodbye); not "busy"."""
    spoken = " ".join(action.get("text", "") for action in reply)
    return joined(reply) or ncco.RETRY in spoken or ncco.GOODBYE in spoken


def attack(app, live_pins: set[str], calls: int, pins_for_call) -> Tally:
    """`calls` calls over LINES parallel lines; numbers rotate, every third is withheld."""
    tally, rng = Tally(), random.Random(11)
    numbers = [None if n % 3 == 0 else f"4477009{rng.randrange(10 ** 5):05d}" for n in range(calls)]
    guesses = [pins_for_call(n) for n in range(calls)]
    with ThreadPoolExecutor(max_workers=LINES) as lines:
        list(lines.map(lambda n: one_call(app, numbers[n], guesses[n], tally, app.settings.pin_attempts),
                       range(calls)))
    return tally


def test_guessing_far_above_the_budget_admits_nobody_once_it_is_spent(two_workers):
    app = two_workers
    assert app.settings.pin_failure_budget == BUDGET
    meetings = [start_meeting(app, f"Budget {n}") for n in range(LIVE_MEETINGS)]
    live_pins = {meeting.pin for meeting in meetings}
    rng = random.Random(7)
    started = time.monotonic()

    guessing = attack(app, live_pins, CALLS, lambda n: [wrong_pin(live_pins, rng) for _ in range(3)])
    elapsed = time.monotonic() - started
    # Now the attacker "gets lucky": calls keying each live meeting's own PIN.
    lucky = attack(app, live_pins, 3 * LIVE_MEETINGS, lambda n: [meetings[n % LIVE_MEETINGS].pin])

    assert guessing.admitted == lucky.admitted == 0
    assert guessing.judged <= BUDGET  # claims are counted in the database, for both workers
    assert guessing.turned_away >= CALLS - (BUDGET + LINES * app.settings.pin_attempts)
    assert lucky.turned_away == lucky.calls
    assert [app.store.legs.callers_in(meeting.id) for meeting in meetings] == [0] * LIVE_MEETINGS
    record("PIN entries checked over 2 workers", "450 guesses over 150 calls all checked; ~1,250/s",
           f"{guessing.judged} checked of {guessing.keyed} keyed over {guessing.calls} calls "
           f"(budget {BUDGET}/h; {guessing.turned_away} calls turned away at once; {elapsed:.1f} s)")
    record("right PIN once the budget is spent", "admitted", f"0 of {lucky.calls} admitted")


def test_a_calls_fourth_and_eleventh_entries_are_never_checked_even_when_right(serve):
    app = serve()
    meeting = start_meeting(app, "Attempts")
    leg, number = new_uuid(), "447700900201"
    assert "input" in actions(app.vonage_side.send(answer(leg, from_=number)).json())
    entries = [app.vonage_side.send(dtmf(leg, guess, from_=number)).json()
               for guess in ["000000001", "000000002", "000000003", meeting.pin]
               + ["000000004"] * 6 + [meeting.pin]]

    assert [joined(reply) for reply in entries] == [False] * 11
    assert [actions(reply) for reply in entries[2:]] == [["talk"]] * 9  # goodbye, every time
    assert app.store.legs.callers_in(meeting.id) == 0
    _, control = call_in(app, meeting.pin, number="447700900202")  # the PIN is right, the service open
    assert joined(control)
    record("11th guess on one call uuid", "checked and admitted", "never checked (goodbye from the 3rd on)")


def test_dtmf_for_a_call_never_answered_gets_a_goodbye_without_a_look_up(serve):
    app = serve()
    meeting = start_meeting(app, "Never answered")
    before = app.row_counts()

    replies = [app.vonage_side.send(dtmf(new_uuid(), meeting.pin, from_=number)).json()
               for number in ("447700900301", None)]

    assert [actions(reply) for reply in replies] == [["talk"], ["talk"]]  # goodbye: never joined
    # Only the audit log notes that keypad input arrived and was refused (pruned after
    # RETENTION_DAYS): no leg, no failure, no lock-out record.
    assert app.rows_added(before, without=(REPLAY_RECORDS, "webhook_log")) == {}


def test_withheld_numbers_are_locked_out_together(serve):
    app = serve(PIN_FAILURE_BUDGET="100000")
    meeting = start_meeting(app, "Withheld")
    rng = random.Random(3)

    tally = attack(app, {meeting.pin}, WITHHELD_ATTACK_CALLS,
                   lambda n: [wrong_pin({meeting.pin}, rng) for _ in range(3)])

    assert tally.withheld_turned_away > 0
    assert tally.turned_away == tally.withheld_turned_away  # each numbered caller failed < 10 times
    record("withheld-number lock-outs", "0 over 150 parallel calls",
           f"{tally.withheld_turned_away} of {WITHHELD_ATTACK_CALLS // 3} withheld calls turned away")


def test_a_spoofed_lock_out_of_a_real_number_costs_minutes_not_a_quarter_hour(serve):
    clock = FakeClock()
    app = serve(clock=clock)
    meeting = start_meeting(app, "Spoofed lock-out")
    victim = "447700900777"
    for _ in range(app.settings.pin_lockout_failures):
        leg = new_uuid()
        if "input" not in actions(app.vonage_side.send(answer(leg, from_=victim)).json()):
            break
        app.vonage_side.send(dtmf(leg, wrong_pin({meeting.pin}, random.Random()), from_=victim))
    locked = app.vonage_side.send(answer(new_uuid(), from_=victim)).json()

    clock.advance(2 * 60 + 1)
    _, after_two_minutes = call_in(app, meeting.pin, number=victim)

    assert "input" not in actions(locked)  # the spoofed failures did lock the number out...
    assert joined(after_two_minutes)  # ...for a minute or two, not 15
    record("spoofed lock-out of a real number", "15 min even with the right PIN", "over within 2 min")
