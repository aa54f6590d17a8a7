"""When a playing video counts as stalled: a frozen frame is never left on screen.

A corrupt file or a hung share can stop a clip without any event from libVLC (Anthias
#542): its position stops advancing, or it runs far past its own length. Pure: the caller
reads the player and a monotonic clock (a stepped wall clock must not look like a stall).
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.msg import _

# A video whose position has not moved for this long is stalled (a hung decoder or share).
STALL_AFTER_S = 5.0
# ... and so is one still on screen this long after its own length.
OVERRUN_MARGIN_S = 10.0


@dataclass
class VideoWatch:
    stall_after_s: float = STALL_AFTER_S
    overrun_margin_s: float = OVERRUN_MARGIN_S
    _since: float = 0.0
    _last_pos: int = -1
    _last_progress: float = 0.0

    def begin(self, now: float) -> None:
        """A clip's first picture is on screen at monotonic `now`."""
        self._since = self._last_progress = now
        self._last_pos = -1

    def check(self, pos_ms: int, length_ms: int, now: float) -> str | None:
        """None while the clip is alive, else why it is stalled (for the admin)."""
        if pos_ms != self._last_pos:
            self._last_pos, self._last_progress = pos_ms, now
        still = now - self._last_progress
        if still >= self.stall_after_s:
            at = _("{seconds:.1f} s", seconds=pos_ms / 1000)
            where = at if pos_ms >= 0 else _("the start")
            return _(
                "playback stalled at {where} (no progress for {still:.0f} s)",
                where=where,
                still=still,
            )
        running = now - self._since
        if length_ms > 0 and running > length_ms / 1000 + self.overrun_margin_s:
            return _(
                "still playing {running:.0f} s after starting a {length:.0f} s clip",
                running=running,
                length=length_ms / 1000,
            )
        return None
