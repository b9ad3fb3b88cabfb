"""NonBlockingStreamHandler: a pipe nobody reads drops and counts lines instead of blocking."""

from __future__ import annotations

import io
import logging
import os
import threading
from collections.abc import Iterator

import pytest

from meetbridge.log_output import NonBlockingStreamHandler


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("test", logging.WARNING, __file__, 1, message, None, None)


def read_all(fd: int) -> str:
    os.set_blocking(fd, False)
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode()


@pytest.fixture
def pipe() -> Iterator[tuple[int, io.TextIOWrapper]]:
    read_end, write_end = os.pipe()
    writer = os.fdopen(write_end, "w", buffering=1)
    yield read_end, writer
    writer.close()
    os.close(read_end)


def test_a_pipe_nobody_reads_drops_lines_without_blocking_and_counts_them(pipe):
    read_end, writer = pipe
    handler = NonBlockingStreamHandler(writer)
    emitting = threading.Thread(target=lambda: [handler.emit(record(f"line {i} " + "x" * 200)) for i in range(3000)],
                                daemon=True)
    emitting.start()
    emitting.join(5)
    blocked = emitting.is_alive()
    written = read_all(read_end)  # lets an old, blocking handler finish too
    emitting.join(5)
    assert not blocked, "3,000 lines into a full pipe blocked the logging thread"
    assert "line 0 " in written and 0 < handler.dropped < 3000

    handler.emit(record("after reading"))
    lines = read_all(read_end).splitlines()
    assert lines == [f"{3000 - written.count('line ')} log lines dropped: the log output was not being read",
                     "after reading"]
    assert handler.dropped == 0


def test_streams_without_a_file_always_get_every_line():
    stream = io.StringIO()
    handler = NonBlockingStreamHandler(stream)
    for i in range(1000):
        handler.emit(record(f"line {i}"))
    assert stream.getvalue().splitlines() == [f"line {i}" for i in range(1000)]
