"""Virtual time: nothing happens until `advance` or `run_until` moves the clock.

Timers fire in order of their due time (then of their start), with `now()` reading that
time; work for a Worker runs at the virtual moment it was asked for, after the caller
returns, as a thread's result would. Wall time can be stepped (`set_wall`, as NTP or an
admin does) without moving the timers, which count monotonic time like QTimer.
Pure Python: a simulated week of playback takes seconds, the same way every run.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class VirtualTimer:
    def __init__(self, clock: VirtualClock, callback: Callable[[], None], ms: int, repeat: bool):
        self._clock = clock
        self._callback = callback
        self.interval = ms
        self._repeat = repeat
        self._token: int | None = None

    def start(self, ms: int | None = None) -> None:
        if ms is not None:
            self.interval = ms
        self._token = self._clock._schedule(self, self.interval)

    def stop(self) -> None:
        self._token = None

    @property
    def active(self) -> bool:
        return self._token is not None

    def _fire(self, token: int) -> None:
        if token != self._token:
            return  # stopped or restarted since
        if self._repeat:
            self._token = self._clock._schedule(self, max(1, self.interval))
        else:
            self._token = None
        self._callback()


class VirtualWorker:
    def __init__(self, clock: VirtualClock) -> None:
        self._clock = clock
        self._generation = 0

    def run(self, work: Callable[[], T], done: Callable[[T], None]) -> None:
        generation = self._generation

        def job() -> None:
            if generation != self._generation:
                return
            try:
                result = work()
            except Exception:
                log.exception("background job failed")
                return
            done(result)

        self._clock.call_later(self._clock.work_s, job)

    def stop(self) -> None:
        self._generation += 1


class VirtualClock:
    def __init__(self, wall: float = 0.0, work_s: float = 0.0) -> None:
        self._mono = 0.0
        self._offset = wall
        self.work_s = work_s  # how long a Worker's job takes, in virtual seconds
        self._queue: list[tuple[float, int, VirtualTimer]] = []
        self._tokens = itertools.count()

    def now(self) -> float:
        return self._mono + self._offset

    def monotonic(self) -> float:
        return self._mono

    def set_wall(self, wall: float) -> None:
        """Step the wall clock to `wall`; timers keep counting from where they were."""
        self._offset = wall - self._mono

    def timer(
        self,
        parent: object,
        callback: Callable[[], None],
        ms: int = 0,
        *,
        repeat: bool = False,
        precise: bool = False,
    ) -> VirtualTimer:
        return VirtualTimer(self, callback, ms, repeat)

    def worker(self, parent: object) -> VirtualWorker:
        return VirtualWorker(self)

    def call_later(self, seconds: float, callback: Callable[[], None]) -> None:
        VirtualTimer(self, callback, round(seconds * 1000), repeat=False).start()

    def _schedule(self, timer: VirtualTimer, ms: int) -> int:
        token = next(self._tokens)
        heapq.heappush(self._queue, (self._mono + max(0, ms) / 1000, token, timer))
        return token

    def _step(self, until: float) -> bool:
        """Fire the next timer due by monotonic `until`; False if there is none."""
        while self._queue and self._queue[0][0] <= until:
            due, token, timer = heapq.heappop(self._queue)
            if token != timer._token:
                continue  # stopped or restarted: a stale entry
            self._mono = max(self._mono, due)
            timer._fire(token)
            return True
        return False

    def advance(self, seconds: float) -> None:
        """Let `seconds` of virtual time pass, firing every timer due in between."""
        until = self._mono + seconds
        while self._step(until):
            pass
        self._mono = until

    def run_until(self, condition: Callable[[], bool], within_s: float) -> bool:
        """Fire timers one by one until `condition()` holds (True) or `within_s` passed."""
        until = self._mono + within_s
        while not condition():
            if not self._step(until):
                self._mono = until
                return condition()
        return True
