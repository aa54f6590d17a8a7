"""The moment after a switch: the outgoing player is stopped and the next item prepared a
little later, so the first frames of the new item get the Qt thread to themselves.

After a heavy clip appears (larger than 1080p: kiosk.playback.mediaopts) the next item is
prepared later still, as decoding its first picture would cost the heavy clip frames; its
predecessor's player is let go of at the usual moment all the same (its memory). Every start
says its wait: a timer keeps the last interval it was given, and a page turned after a heavy
clip must not wait like one.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.clock import Clock
from kiosk.playback.mediaopts import prepare_after_ms

AFTER_SWITCH_MS = 250


class AfterSwitch:
    def __init__(
        self,
        clock: Clock,
        parent: object,
        stop_outgoing: Callable[[], None],
        after_switch: Callable[[], None],
    ) -> None:
        """`after_switch` stops the outgoing player itself, then prepares the next item."""
        self._after = clock.timer(parent, after_switch, AFTER_SWITCH_MS)
        self._outgoing = clock.timer(parent, stop_outgoing, AFTER_SWITCH_MS)

    def start(self, video: str | None = None) -> None:
        """A new picture is up; `video`: the path of the clip it belongs to, if one."""
        wait_ms = prepare_after_ms(video, AFTER_SWITCH_MS) if video else AFTER_SWITCH_MS
        self._after.start(wait_ms)
        if wait_ms > AFTER_SWITCH_MS:
            self._outgoing.start(AFTER_SWITCH_MS)

    def stop(self) -> None:
        self._after.stop()
        self._outgoing.stop()

    @property
    def active(self) -> bool:
        return self._after.active
