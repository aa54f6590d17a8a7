"""libVLC options for one file, decided from the file itself before the player opens it.

Only GIFs need any: libVLC's default demuxer shows a GIF's first picture as a still for
`--image-duration` and never animates it. An animated GIF is played by FFmpeg's demuxer
instead, its animation repeated whole until it has run for at least GIF_MIN_SECONDS (a
3 s animation plays 4 times, 12 s; one of 25 s plays once); a GIF of one picture stays on
screen GIF_MIN_SECONDS, like a slide at the default slide time.
"""

from __future__ import annotations

import functools
import logging
import math
import os

from kiosk.core.model import extension
from kiosk.media.gif import gif_timing

log = logging.getLogger(__name__)

GIF_MIN_SECONDS = 10.0  # kiosk's default slide time (slides.duration)
_GIF_READ_MAX = 64 * 1024 * 1024  # bytes of a GIF read to time it; a longer one plays once


def media_options(path: str) -> tuple[str, ...]:
    """The libVLC media options `path` needs, () for nearly every file."""
    if extension(path) != ".gif":
        return ()
    try:
        st = os.stat(path)
    except OSError:
        return ()  # the player reports the missing file itself
    return _gif_options(path, st.st_size, st.st_mtime)


@functools.lru_cache(maxsize=64)  # keyed by size and mtime too: a changed file is read again
def _gif_options(path: str, _size: int, _mtime: float) -> tuple[str, ...]:
    try:
        with open(path, "rb") as f:
            timing = gif_timing(f.read(_GIF_READ_MAX))
    except OSError:
        return ()
    if timing is None:
        return ()  # not a GIF inside: libVLC decides (and the probe has said why not)
    if not timing.animated:
        return (f":image-duration={GIF_MIN_SECONDS:g}",)
    repeats = max(0, math.ceil(GIF_MIN_SECONDS / max(timing.seconds, 0.01)) - 1)
    log.debug(
        "%s: %d pictures, %.2f s a run, %d repeats", path, timing.pictures, timing.seconds, repeats
    )
    return (":demux=avformat", f":input-repeat={repeats}")
