"""Did a clip end well before the length its file states? Then it was not shown whole.

A file damaged or cut short where its container states no length of its own (MPEG-TS, FLV,
a broken index) passes the probe and plays its first part: libVLC reports the end of the
media as for any clip. Proof of play records such a play as `ended_early`, not `completed`,
and `kiosk status` lists it. Pure: the controller hands in the measured time on screen.
"""

from __future__ import annotations

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
    return (
        f"ended after {shown_s:.1f} s of the {length_s:.1f} s its file states: "
        "damaged or cut short; copy it again"
    )
