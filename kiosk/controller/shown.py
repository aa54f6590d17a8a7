"""The item on screen since when, and how it left: the proof-of-play record of each item, and
the clips that were not shown whole (kiosk.core.ending), which `kiosk status` lists.

Times come from the controller's clock: how long an item was on screen on the monotonic one
(a stepped wall clock must neither make a clip look cut short nor change a record's
duration), the wall clock for when its record says it ended.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from kiosk.clock import Clock
from kiosk.controller.now import Outcome, Shown
from kiosk.core import rotation
from kiosk.core.ending import ended_early, pictures_lost
from kiosk.core.model import Item
from kiosk.core.msg import _
from kiosk.core.rotation import Failure
from kiosk.playback.base import Player

log = logging.getLogger(__name__)


class ShownLog:
    def __init__(self, clock: Clock, ended: Callable[[Shown], None]) -> None:
        self._clock = clock
        self._ended = ended
        self._current: Item | None = None
        self.since = 0.0  # monotonic: when the current item appeared
        # Clips not shown whole (by path): ended well before their length, or lost many
        # pictures. Each stays listed, and keeps playing, until it is shown whole.
        self.not_whole: dict[str, Failure] = {}

    def begin(self, item: Item) -> None:
        """`item` is on screen from now (the previous one closed first)."""
        self._current = item
        self.since = self._clock.monotonic()

    def close(self, outcome: Outcome, reason: str = "") -> None:
        """The item on screen left it (if one is): its record goes out."""
        if self._current is None:
            return
        item, self._current = self._current, None
        on_screen = self._clock.monotonic() - self.since
        self._ended(Shown.ended(item, on_screen, self._clock.now(), outcome, reason))

    def clip_ended(self, item: Item, player: Player) -> None:
        """The clip reached its end: completed, or ended early, or shown with pictures lost."""
        early = ended_early(self._clock.monotonic() - self.since, player.length_ms())
        why = early or pictures_lost(*player.pictures())
        if why is None:
            self.not_whole.pop(item.path, None)
        else:
            noted = rotation.failed(
                self.not_whole, item, why, self._clock.now(), self._clock.monotonic()
            )
            self.not_whole[item.path] = noted
            if noted.count == 1:
                log.warning(_("{file}: {reason}", file=item.rel, reason=why))
        self.close("ended_early" if early else "completed", why or "")

    def forget_gone(self, items: Sequence[Item]) -> None:
        """Files no longer in the playlist: nothing left to report."""
        rotation.forget_gone(self.not_whole, items)
