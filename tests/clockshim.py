"""Runs `kiosk ...` with a wall clock a test can move while it runs, as NTP steps a real one.

Usage: python tests/clockshim.py OFFSET_FILE run --config ... (the arguments of `kiosk`)

The wall clock the player reads (time.time, time.time_ns, datetime.now) is the real one
plus the number of seconds in OFFSET_FILE, read again whenever the file changes (looked at
every 50 ms at most). The monotonic clock, Qt's timers and libVLC's waits are left alone,
as a real clock step leaves them.

Why not libfaketime (Debian's faketime 0.9.10): with FAKETIME_DONT_FAKE_MONOTONIC=1 it
breaks clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME), which Python 3.11's time.sleep and
libVLC's waits use (EINVAL: wolfcw/libfaketime#426); without it, CLOCK_MONOTONIC reads as
the fake wall clock and jumps with it, which no NTP step does.
"""

from __future__ import annotations

import datetime as _datetime
import os
import sys
import time
from datetime import tzinfo

_real_time = time.time
_real_time_ns = time.time_ns
_monotonic = time.monotonic


class _Offset:
    def __init__(self, path: str) -> None:
        self.path = path
        self.seconds = 0.0
        self._looked = -1.0
        self._stamp: int | None = None

    def __call__(self) -> float:
        now = _monotonic()
        if now - self._looked >= 0.05:
            self._looked = now
            try:
                stamp = os.stat(self.path).st_mtime_ns
                if stamp != self._stamp:
                    with open(self.path, encoding="ascii") as f:
                        self.seconds = float(f.read().strip() or 0)
                    self._stamp = stamp
            except (OSError, ValueError):
                pass
        return self.seconds


def install(path: str) -> None:
    offset = _Offset(path)

    def fake_time() -> float:
        return _real_time() + offset()

    def fake_time_ns() -> int:
        return _real_time_ns() + int(offset() * 1e9)

    class DateTime(_datetime.datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> DateTime:
            return cls.fromtimestamp(fake_time(), tz)

        @classmethod
        def today(cls) -> DateTime:
            return cls.fromtimestamp(fake_time())

    time.time = fake_time
    time.time_ns = fake_time_ns
    _datetime.datetime = DateTime  # type: ignore[misc]


if __name__ == "__main__":
    install(sys.argv[1])
    from kiosk.cli import main

    sys.exit(main(sys.argv[2:]))
