"""The card senders' lanes (bot/update_scheduler.py): one send in flight per workspace, so a
workspace whose Slack hangs holds one sender and every other workspace's cards still go."""

from __future__ import annotations

import threading
import time

from bot.update_scheduler import UpdateScheduler

SHORT = 2.0


class RecordingSender:
    """Sends that hang while `hold` is set for their lane; records what went and when."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.in_flight: dict[str, int] = {}
        self.most_at_once: dict[str, int] = {}
        self.release = threading.Event()
        self.held_lanes: set[str] = set()
        self._lock = threading.Condition()

    def __call__(self, key: str) -> None:
        lane = key.split("/")[0]
        with self._lock:
            self.in_flight[lane] = self.in_flight.get(lane, 0) + 1
            self.most_at_once[lane] = max(self.most_at_once.get(lane, 0), self.in_flight[lane])
        if lane in self.held_lanes:
            self.release.wait(SHORT * 2)
        with self._lock:
            self.in_flight[lane] -= 1
            self.sent.append(key)
            self._lock.notify_all()

    def wait_for(self, key: str, timeout: float = SHORT) -> float:
        started = time.monotonic()
        with self._lock:
            assert self._lock.wait_for(lambda: key in self.sent, timeout), (key, self.sent)
        return time.monotonic() - started


def test_a_workspace_whose_sends_hang_holds_one_sender_and_others_still_go():
    sender = RecordingSender()
    sender.held_lanes.add("B")
    scheduler = UpdateScheduler(sender, min_interval=0.0, senders=2)
    try:
        for n in range(4):  # four of B's cards, each would hang a sender
            scheduler.request(f"B/{n}", lane="B")
        time.sleep(0.1)
        scheduler.request("A/0", lane="A")
        assert sender.wait_for("A/0") < 0.5
        assert sender.most_at_once["B"] == 1
        assert [key for key in sender.sent if key.startswith("B")] == []
    finally:
        sender.release.set()
        scheduler.close()


def test_cards_of_one_workspace_go_one_at_a_time_and_all_of_them_go():
    sender = RecordingSender()
    scheduler = UpdateScheduler(sender, min_interval=0.0, senders=4)
    try:
        for n in range(8):
            scheduler.request(f"A/{n}", lane="A")
        sender.wait_for("A/7")
        with sender._lock:
            assert sender._lock.wait_for(lambda: len(sender.sent) == 8, SHORT)
        assert sender.most_at_once["A"] == 1
        assert sorted(sender.sent) == [f"A/{n}" for n in range(8)]
    finally:
        scheduler.close()
