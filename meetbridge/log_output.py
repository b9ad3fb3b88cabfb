"""Log lines that never hold a thread up.

A plain StreamHandler blocks in write() once stderr is a full pipe that nobody reads (a
stalled log collector, a parent that never drains it), and every other thread that logs then
waits for its lock. Background jobs log, so all of their threads stopped there while new jobs
piled up in the pool's queue: memory grew with every webhook (bench/README.md). This handler
writes a line only when the pipe has room for it; otherwise the line is dropped and counted,
and the count is written as a line of its own once there is room again.
"""

from __future__ import annotations

import fcntl
import logging
import os
import select
import stat
import struct
import termios


class NonBlockingStreamHandler(logging.StreamHandler):
    """StreamHandler that drops (and counts) a line rather than wait for a full pipe or socket."""

    def __init__(self, stream=None) -> None:
        super().__init__(stream)
        self.dropped = 0

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record's line if the stream can take it at once; otherwise count it as dropped."""
        try:
            line = self.format(record) + self.terminator
            with_note = self._dropped_note() + line if self.dropped else line
            if not _has_room(self.stream, len(with_note.encode("utf-8", "backslashreplace"))):
                self.dropped += 1
                return
            self.dropped = 0
            self.stream.write(with_note)
            self.flush()
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    def _dropped_note(self) -> str:
        note = logging.LogRecord(__name__, logging.WARNING, __file__, 0,
                                 "%d log lines dropped: the log output was not being read", (self.dropped,), None)
        return self.format(note) + self.terminator


def _has_room(stream, size: int) -> bool:
    """True when writing `size` bytes to `stream` will not block: always for files, terminals
    and in-memory streams; for a pipe, when its free space takes them; for a socket, when
    it is writable. A pipe keeps lines in whole pages, so its byte count understates how full
    it is: it counts as having room while at most half full (or empty, for a very long line)."""
    try:
        fd = stream.fileno()
        mode = os.fstat(fd).st_mode
    except (AttributeError, OSError, ValueError):
        return True
    if stat.S_ISFIFO(mode):
        try:
            capacity = fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ)
            queued = struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]
        except OSError:  # a system without these pipe queries: writable at all, then
            return _writable(fd)
        return queued == 0 or queued + size <= capacity // 2
    if stat.S_ISSOCK(mode):
        return _writable(fd)
    return True


def _writable(fd: int) -> bool:
    return bool(select.select([], [fd], [], 0)[1])
