"""The real clock: time.time, QTimer and a QThreadPool whose results come back by signal."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal

log = logging.getLogger(__name__)

T = TypeVar("T")


class QtTimer:
    def __init__(
        self,
        parent: QObject | None,
        callback: Callable[[], None],
        ms: int,
        repeat: bool,
        precise: bool,
    ) -> None:
        self._timer = QTimer(parent)
        self._timer.setInterval(ms)
        self._timer.setSingleShot(not repeat)
        if precise:
            # Qt's default coarse timers may fire 5 % late (half a second on a 10 s slide).
            self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(callback)

    def start(self, ms: int | None = None) -> None:
        if ms is None:
            self._timer.start()
        else:
            self._timer.start(ms)

    def stop(self) -> None:
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()


class QtWorker(QObject):
    """One pool thread; each result crosses back to the Qt thread by a queued signal."""

    _finished = Signal(int, object, object)  # generation, done, result

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._generation = 0
        self._finished.connect(self._deliver)  # emitted on a pool thread: queued

    def run(self, work: Callable[[], T], done: Callable[[T], None]) -> None:
        generation, finished = self._generation, self._finished

        def job() -> None:
            try:
                result = work()
            except Exception:  # a bug in one job must not take the player down
                log.exception("background job failed")
                return
            finished.emit(generation, done, result)

        self._pool.start(job)

    def _deliver(self, generation: int, done: Callable[[Any], None], result: object) -> None:
        if generation == self._generation:
            done(result)

    def stop(self) -> None:
        self._generation += 1
        self._pool.clear()
        self._pool.waitForDone(15_000)


class QtClock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def timer(
        self,
        parent: object,
        callback: Callable[[], None],
        ms: int = 0,
        *,
        repeat: bool = False,
        precise: bool = False,
    ) -> QtTimer:
        owner = parent if isinstance(parent, QObject) else None
        return QtTimer(owner, callback, ms, repeat, precise)

    def worker(self, parent: object) -> QtWorker:
        return QtWorker(parent if isinstance(parent, QObject) else None)
