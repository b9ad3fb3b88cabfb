"""Benchmark 3: PIN admission and PIN allocation with 100,000 ended and 1,000 live meetings in
the database vs an almost empty one (in process, the same code the webhooks run).

Target: within 1.2x of the empty-database time.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid

from app import build_services
from meetbridge.phone_entry import CallerLeg
from meetbridge.pins import allocate_pin
from meetbridge.records import Meeting
from meetbridge.settings import load_settings
from tests.conftest import FakeClock

from .harness import save, temp_database

ENDED, LIVE = 100_000, 1_000
ALMOST_EMPTY_LIVE = 50  # room for every round's callers under MAX_PHONE_CALLERS (50 a meeting)
ROUNDS, PER_ROUND = 7, 300


def environment(database: str, private_pem: str) -> dict[str, str]:
    return {"SLACK_SIGNING_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1", "VIDEO_API_KEY": "1", "VIDEO_API_SECRET": "s",
            "VOICE_API_KEY": "k", "VOICE_API_SECRET": "s", "VONAGE_APPLICATION_ID": "app",
            "VONAGE_PRIVATE_KEY": private_pem, "CONFERENCE_NUMBER": "15550100000",
            "SERVER_URL": "http://127.0.0.1:3000", "DATABASE_PATH": database, "AUTO_BRIDGE": "false",
            "ASK_CALLER_NAME": "false"}  # a right PIN joins at once, as the admissions timed here


def seed(services, ended: int, live: int) -> list[str]:
    """Bulk rows shaped as the app writes them; returns the live meetings' PINs."""
    now = services.clock.now()
    rng = random.Random(7)
    live_pins = []
    with services.store.transaction() as db:
        rows, pins = [], []
        for index in range(ended + live):
            meeting_id = uuid.uuid4().hex
            is_live = index >= ended
            pin = f"{rng.randrange(10**9):09d}" if not is_live else None
            if is_live:
                pin = allocate_pin(services.store.pins, meeting_id, rng, services.settings.pin_length, now)
                live_pins.append(pin)
            else:
                pins.append({"pin": pin, "meeting_id": meeting_id, "released_at": now - 86400 * 3})
            rows.append(Meeting(id=meeting_id, team_id="T1", channel_id="C1", creator_id="U1", topic=None,
                                session_id=f"1_{meeting_id}", pin=pin, created_at=now - 7200,
                                expires_at=now + 36000, ended_at=None if is_live else now - 3600,
                                ended_reason=None if is_live else "ended").__dict__)
        db["meetings"].insert_all(rows, batch_size=5000)
        db["pins"].insert_all(pins, batch_size=5000, ignore=True)
        if "conversation_name" in db["meetings"].columns_dict:  # each meeting's random Vonage name
            db.execute("UPDATE meetings SET conversation_name = 'bench-' || id WHERE conversation_name IS NULL")
    return live_pins


def time_admissions(services, pins: list[str]) -> float:
    """Median microseconds per admission (valid PIN → conversation NCCO) of callers that
    /voice-answer saw first (answered outside the timing)."""
    legs = [CallerLeg(uuid=str(uuid.uuid4()), number=f"4477009{index:05d}") for index in range(PER_ROUND)]
    for leg in legs:
        services.phone_entry.answer_caller(leg)
    started = time.perf_counter()
    for index, leg in enumerate(legs):
        actions = services.phone_entry.enter_pin(leg, pins[index % len(pins)], False).ncco
        assert actions[-1]["action"] == "conversation", actions
    return (time.perf_counter() - started) / PER_ROUND * 1e6


def time_allocations(services) -> float:
    """Median microseconds per PIN allocation + meeting insert (the database part of /meet)."""
    started = time.perf_counter()
    for _ in range(PER_ROUND):
        meeting_id = uuid.uuid4().hex
        with services.store.transaction():
            allocate_pin(services.store.pins, meeting_id, services.rng, services.settings.pin_length,
                         services.clock.now())
        services.store.pins.forget(meeting_id)
    return (time.perf_counter() - started) / PER_ROUND * 1e6


def run() -> dict:
    from tests.fakes import make_rsa_keypair

    private_pem, _ = make_rsa_keypair()
    empty = build_services(load_settings(environment(temp_database(), private_pem)), FakeClock(), random.Random(1))
    full = build_services(load_settings(environment(temp_database(), private_pem)), FakeClock(), random.Random(2))
    empty_pins = seed(empty, 0, ALMOST_EMPTY_LIVE)
    full_pins = seed(full, ENDED, LIVE)
    timings = {"admit_empty": [], "admit_full": [], "allocate_empty": [], "allocate_full": []}
    for _ in range(ROUNDS):  # interleaved rounds, so machine noise hits both alike
        timings["admit_empty"].append(time_admissions(empty, empty_pins))
        timings["admit_full"].append(time_admissions(full, full_pins))
        timings["allocate_empty"].append(time_allocations(empty))
        timings["allocate_full"].append(time_allocations(full))
    medians = {name: round(statistics.median(values), 1) for name, values in timings.items()}
    result = {"benchmark": "growth", "ended": ENDED, "live": LIVE, "median_us": medians,
              "admit_ratio": round(medians["admit_full"] / medians["admit_empty"], 3),
              "allocate_ratio": round(medians["allocate_full"] / medians["allocate_empty"], 3)}
    result["targets_met"] = result["admit_ratio"] <= 1.2 and result["allocate_ratio"] <= 1.2
    for services in (empty, full):
        services.background.shutdown()
        services.store.close()
    save("growth", result)
    return result


if __name__ == "__main__":
    print(run())
