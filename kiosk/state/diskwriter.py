"""One background thread for the player's own files: status, proof of play, screenshot.

Each of those ends in an fsync, and an fsync on an SD card or a busy disk can take hundreds
of milliseconds: on the Qt thread that is a frozen picture, right at a switch (proof of play
is written as an item ends). Jobs run in order on this thread; a job that raises is logged,
never fatal. A job submitted with a key replaces the one with the same key still waiting, so
a slow disk gets the newest status, not a backlog.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

Job = Callable[[], object]


class DiskWriter:
    def __init__(self, name: str = "kiosk-disk") -> None:
        self._queue: queue.SimpleQueue[Job | str | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._latest: dict[str, Job] = {}
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, job: Job, key: str | None = None) -> None:
        with self._lock:
            if self._closed:
                log.debug("disk writer closed: job dropped")
                return
            if key is None:
                self._queue.put(job)
                return
            waiting = key in self._latest
            self._latest[key] = job
            if not waiting:
                self._queue.put(key)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every job submitted so far has run (tests, and shutdown)."""
        done = threading.Event()
        self.submit(done.set)
        return done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Run what is queued, then stop the thread. Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(None)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.error("the disk did not answer within %g s: status may be stale", timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if isinstance(item, str):
                with self._lock:
                    job = self._latest.pop(item)
            else:
                job = item
            try:
                job()
            except Exception:
                log.exception("writing a state file failed")
