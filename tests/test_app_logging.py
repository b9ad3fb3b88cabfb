"""The app's log output never holds up its threads: with stderr a pipe nobody reads (a stalled
log collector), background jobs that log still finish instead of piling up in memory."""

from __future__ import annotations

import logging
import os
import select
import sys
import threading

from pythonjsonlogger.json import JsonFormatter

from app import configure_logging
from meetbridge.background import Background

JOBS = 2000


def test_background_jobs_that_log_finish_while_stderr_is_not_read(monkeypatch):
    read_end, write_end = os.pipe()
    stderr = os.fdopen(write_end, "w", buffering=1)
    monkeypatch.setattr(sys, "stderr", stderr)
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers = [h for h in saved_handlers if not isinstance(h.formatter, JsonFormatter)]
    finished: list[int] = []
    try:
        configure_logging()
        log = logging.getLogger("meetbridge.test_jobs")
        background = Background(workers=4)
        for number in range(JOBS):
            background(lambda number=number: (log.warning("job %d: the upstream said no", number),
                                              finished.append(number)))
        waiting = threading.Thread(target=background.shutdown, daemon=True)
        waiting.start()
        waiting.join(10)
        finished_in_time = len(finished)
        while waiting.is_alive():  # an old, blocking handler: read stderr so its threads can end
            if select.select([read_end], [], [], 0.1)[0]:
                os.read(read_end, 65536)
    finally:
        root.handlers, root.level = saved_handlers, saved_level
        stderr.close()
        os.close(read_end)
    assert finished_in_time == JOBS, f"{finished_in_time} of {JOBS} jobs finished in 10 s with stderr unread"
