"""Was a clip shown whole? Two ways it is not, both listed by `kiosk status`.

- It ended well before the length its file states. A file damaged or cut short where its
  container states no size of its own (FLV, MPEG-TS, a repaired index) passes the probe and
  plays its first part: libVLC reports the end of the media as for any clip. Proof of play
  records such a play as `ended_early`, not `completed`.
- Many of its pictures never reached the screen: a clip too heavy for the machine (4K HEVC
  on two cores) stutters. Proof of play records it `completed`, with the reason.
Pure: the controller hands in the measured time on screen and the player's picture count.
"""

from __future__ import annotations

from kiosk.core.msg import _

# "Well before": under 90 % of the stated length, and at least a second short of it (a clip
# that ends a frame or two early, or a length libVLC estimated from the bitrate, is fine).
EARLY_SHARE = 0.9
EARLY_MIN_S = 1.0


def ended_early(shown_s: float, length_ms: int) -> str | None:
    """The reason, if a clip on screen for `shown_s` ended well before its `length_ms`."""
    if length_ms <= 0:
        return None
    length_s = length_ms / 1000
    if shown_s >= length_s * EARLY_SHARE or length_s - shown_s < EARLY_MIN_S:
        return None
    return _(
        "ended after {shown:.1f} s of the {length:.1f} s its file states: "
        "damaged or cut short; copy it again",
        shown=shown_s,
        length=length_s,
    )


# A stutter worth telling: under 80 % of the pictures shown, over a second of video.
LOST_SHARE = 0.2
LOST_MIN_PICTURES = 25


def pictures_lost(shown: int, held: int) -> str | None:
    """The reason, if a clip of `held` pictures put only `shown` of them on the screen."""
    if held < LOST_MIN_PICTURES or shown >= held * (1 - LOST_SHARE):
        return None
    lost = round(100 * (held - shown) / held)
    return _(
        "showed {shown} of its {held} pictures ({lost} percent lost): too heavy for this "
        "machine; re-encode it at 1920x1080 (H.264) or less",
        shown=shown,
        held=held,
        lost=lost,
    )
