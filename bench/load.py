"""Load generators on loopback: closed loop (N clients, as fast as the server answers) and
open loop (a fixed offered rate; latency counted from each request's scheduled start, so a
slow server cannot hide its queueing).

`in_own_process` runs a generator in a separate process: the fakes live in the benchmark's
process, and sharing its GIL with them would add their work to the measured latencies.
"""

from __future__ import annotations

import http.client
import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

Request = tuple[str, str, bytes | None, dict[str, str]]  # method, path, body, headers


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def _send(conn: http.client.HTTPConnection, request: Request) -> int:
    method, path, body, headers = request
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def closed_loop(port: int, make_request: Callable[[int], Request], clients: int, seconds: float,
                max_requests: int | None = None) -> LoadResult:
    """Each client sends its next request as soon as the last is answered, for `seconds`
    (or until it has sent `max_requests`)."""
    stop_at = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(client_id: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        sequence, mine, bad = 0, [], 0
        while time.monotonic() < stop_at and (max_requests is None or sequence < max_requests):
            started = time.perf_counter()
            status = _send(conn, make_request(client_id * 10_000_000 + sequence))
            mine.append((time.perf_counter() - started) * 1000)
            bad += status >= 400
            sequence += 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(len(latencies), time.monotonic() - started, latencies, errors[0])


def open_loop(port: int, make_request: Callable[[int], Request], rate: float, seconds: float,
              senders: int = 32) -> LoadResult:
    total = int(rate * seconds)
    start = time.monotonic() + 0.2
    next_index = [0]
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def sender() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, bad = [], 0
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= total:
                break
            scheduled = start + index / rate
            delay = scheduled - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            status = _send(conn, make_request(index))
            mine.append((time.monotonic() - scheduled) * 1000)
            bad += status >= 400
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(len(latencies), seconds, latencies, errors[0])


def send_all(port: int, make_request: Callable[[int], Request], count: int, clients: int = 16) -> LoadResult:
    """Requests 0..count-1 once each, from `clients` connections, as fast as answered: setting
    the scene (answering callers, hanging them up), not a measurement."""
    next_index = [0]
    lock = threading.Lock()
    errors = [0]
    started = time.monotonic()

    def sender() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= count:
                return
            if _send(conn, make_request(index)) >= 400:
                with lock:
                    errors[0] += 1

    threads = [threading.Thread(target=sender) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(count, time.monotonic() - started, [], errors[0])


def in_own_process(generator: Callable[..., LoadResult], *args: object) -> LoadResult:
    """Run closed_loop/open_loop in a fresh process (request factories must be picklable)."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(generator, args)
