"""Scheduling priority for libVLC's video output threads, the ones with a deadline every frame.

When a clip starts, libVLC's video output thread must take the first picture before the
decoder has queued the second one; if it is not scheduled in time, libVLC drops the first
picture and the clip starts one frame in. On a loaded 2-core machine (two CPU hogs, the
bench's Xvfb and 50 fps grab) that happened to ~5 % of primes; with the video output thread
at nice -10, to none of 100 (see docs/playback.md).

Lowering a nice value needs root or an RLIMIT_NICE that allows it: the systemd unit grants
exactly that much (LimitNICE=30, i.e. down to -10). Without it the threads keep their
priority and kiosk says so once in its log.
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger(__name__)

VIDEO_NICE = -10


class ThreadPriority:
    """Raises the calling thread to `nice` (never lowers it); gives up for good once refused."""

    def __init__(self, nice: int = VIDEO_NICE) -> None:
        self.nice = nice
        self._lock = threading.Lock()
        self._refused = False

    @property
    def refused(self) -> bool:
        return self._refused

    def raise_current(self) -> bool:
        """True when the calling thread now runs at `nice` or better."""
        if self._refused:
            return False
        tid = threading.get_native_id()
        try:
            if os.getpriority(os.PRIO_PROCESS, tid) <= self.nice:
                return True
            os.setpriority(os.PRIO_PROCESS, tid, self.nice)
            return True
        except PermissionError:
            with self._lock:
                first, self._refused = not self._refused, True
            if first:
                log.info(
                    "video threads keep their normal priority (nice %d not allowed): under "
                    "load a clip may start one frame in. The systemd unit allows it "
                    "(LimitNICE=30); by hand: run as root or raise RLIMIT_NICE",
                    self.nice,
                )
            return False
        except OSError as e:  # the thread is gone, or no such call here
            log.debug("thread priority unchanged: %s", e)
            return False


VIDEO_THREADS = ThreadPriority()
