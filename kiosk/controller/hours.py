"""Outside office hours: when to look at the hours again, and the TV's power switch.

The arithmetic (wake the display a little before the opening, look at least every minute)
is kiosk.core.rotation's; this keeps the timer and says when the office opens. What the
screen shows meanwhile is the controller's to decide.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from PySide6.QtGui import QImage

from kiosk.clock import Clock
from kiosk.core.rotation import look_at_hours
from kiosk.core.schedule import OfficeHours

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClosedHours:
    """The office hours, and what happens outside them (the controller's `closed=`)."""

    hours: OfficeHours
    # Called on the Qt thread with the moment: the work making the closed picture, run off
    # it (it may read the admin's image); None: the idle picture (the display is off anyway).
    picture: Callable[[datetime], Callable[[], QImage]] | None = None
    on_closed: Callable[[bool], None] | None = None  # True: closed; False: open (or opening)


class HoursWatch:
    """While closed: a timer on the hours, the display's switch, and a call at the opening."""

    def __init__(
        self, closed: ClosedHours, clock: Clock, parent: object, on_open: Callable[[], None]
    ) -> None:
        self.closed = closed
        self._clock = clock
        self._on_open = on_open
        self._timer = clock.timer(parent, self._look)
        self._closed_now = False
        self._woken = False  # the display was turned back on ahead of the opening

    def begin(self, at: datetime) -> None:
        """The office is closed at `at` (judged by the caller from this very instant)."""
        if not self._closed_now:
            self._closed_now, self._woken = True, False
            self._switch(True)
        self._arm(at)

    def stop(self) -> None:
        self._timer.stop()
        self._closed_now = False

    def _switch(self, closed: bool) -> None:
        if self.closed.on_closed is not None:
            self.closed.on_closed(closed)

    def _arm(self, at: datetime) -> None:
        look = look_at_hours(self.closed.hours, at)
        wait_ms = int(look.wait_s * 1000)
        log.debug("closed: next look at the hours in %d ms (next change %s)", wait_ms, look.change)
        self._timer.start(wait_ms)

    def _look(self) -> None:
        at = datetime.fromtimestamp(self._clock.now(), tz=UTC)
        look = look_at_hours(self.closed.hours, at)
        if not look.open:
            if look.wake and not self._woken:
                self._woken = True
                self._switch(False)  # the TV is on before the first visitor walks in
            self._arm(at)
            return
        log.info("office hours begin: playing")
        if not self._woken:
            self._switch(False)
        self._closed_now = False
        self._on_open()
