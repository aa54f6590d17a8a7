"""Every call of the running player that switches or keeps on the screen, on one thread of
its own: xset (blanking off at start, restored at exit; up to 5 s a call), logind's idle
lock (taken at start, which waits for polkit; released at exit), choosing the display power
method (it probes cec-ctl, wlopm, xset or Mutter), and the TV off and on for closed hours
(cec-ctl may take seconds). The Qt thread only asks; it never waits.

The session bus's idle inhibitor is the exception: it is taken on the Qt thread (a local bus
that answers in milliseconds), because it watches for the service restarting through Qt
signals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kiosk.system.idle import IdleGuard
from kiosk.system.power import DisplayPower
from kiosk.system.screenstate import screen_status
from kiosk.system.session import Session

__all__ = ["DisplaySwitch"]

log = logging.getLogger(__name__)


class DisplaySwitch:
    """Blanking, display power and their status, driven from the Qt thread, run off it."""

    def __init__(
        self, session: Session, choose: Callable[[], DisplayPower], closed_mode: str = "slide"
    ) -> None:
        self.session = session
        self.idle = IdleGuard(session)
        self.power: DisplayPower | None = None  # chosen on the thread, at start
        self._choose = choose
        self._closed_mode = closed_mode
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-display")
        self._shut = False

    def start(self) -> None:
        """Keep the screen on; pick the power method. Returns at once."""
        self.idle.start_dbus()
        self._submit(self.idle.start_blocking)
        self._submit(self._pick_power)

    def closed(self, closed: bool) -> None:
        """For the office hours: True switches the TV off, False on again (in order)."""
        self._submit(lambda: self._switch(closed))

    def status(self) -> dict[str, Any] | None:
        """The status file's `display` block; None until the power method is chosen."""
        power = self.power
        if power is None:
            return None
        return screen_status(self.session, self.idle.report, power, self._closed_mode)

    def close(self) -> None:
        """Give the screen back, then wait for the thread (at exit, after the Qt loop)."""
        self.idle.stop_dbus()
        self._submit(self.idle.stop_blocking)
        self._shut = True
        self._thread.shutdown(wait=True)

    def _pick_power(self) -> None:
        self.power = self._choose()

    def _switch(self, closed: bool) -> None:
        if self.power is None:
            return
        if closed:
            self.power.off()
        else:
            self.power.on()

    def _submit(self, call: Callable[[], object]) -> None:
        if self._shut:
            return

        def run() -> None:
            try:
                call()
            except Exception:  # switching the TV must never take the player down
                log.exception("display switch failed")

        self._thread.submit(run)
