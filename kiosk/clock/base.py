"""The Clock contract shared by the real (Qt) clock and the virtual one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

T = TypeVar("T")


class Timer(Protocol):
    """A timer made by a Clock: calls its callback once (or every interval if repeating)."""

    def start(self, ms: int | None = None) -> None:
        """(Re)start it: due after `ms`, or after the interval it was made with."""
        ...

    def stop(self) -> None: ...

    @property
    def active(self) -> bool: ...


class Worker(Protocol):
    """Runs work off the Qt thread, one job at a time, in order; results come back on it."""

    def run(self, work: Callable[[], T], done: Callable[[T], None]) -> None:
        """`work()` elsewhere (it may wait for the disk), then `done(result)` on the Qt thread.
        Returns at once. A job that raises is logged and has no `done`."""
        ...

    def stop(self) -> None:
        """Drop the jobs not started, wait for the running one; no `done` after this."""
        ...


class Clock(Protocol):
    def now(self) -> float:
        """Wall-clock time, seconds since the epoch (what schedules and logs read)."""
        ...

    def monotonic(self) -> float:
        """Seconds that never jump: durations and stall checks (wall clocks get stepped)."""
        ...

    def timer(
        self,
        parent: object,
        callback: Callable[[], None],
        ms: int = 0,
        *,
        repeat: bool = False,
        precise: bool = False,
    ) -> Timer:
        """A stopped timer; `parent` owns it (a QObject on the real clock)."""
        ...

    def worker(self, parent: object) -> Worker: ...
