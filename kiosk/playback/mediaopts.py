"""libVLC options for one file, decided before the player opens it.

- Pictures larger than 1080p (4K phones and cameras, often HEVC 10-bit) are decoded by
  several threads, without the in-loop deblocking and SAO filters (their effect is not
  visible on a picture scaled down to 1080p at most): one thread decodes 4K HEVC below real
  time here; two, without the filters, keep up with a 37 Mbit/s clip where two with them
  showed 45-50 of 75 frames (docs/playback.md, "Heavy clips"). And without libVLC's
  "hurry up": late, it throws coded pictures away, and every picture after one is broken
  until the next keyframe (bench/heavy on a 4K screen: 3 of 7 runs lost 75 % of the frames
  that way; without it, 0 of 4, 6-17 %). Smaller pictures keep the one thread that keeps
  priming exact. The size comes from the probe that admitted the file
  (kiosk.media.facts): libVLC knows it only once the decoder is already made.
- MPEG transport streams (TV recordings, camcorders): libVLC shows the first picture, then
  waits ~0.8 s for the stream's clock (PCR) before the second; timed by the pictures' own
  timestamps instead, ~0.2 s. Program streams (.mpg, .vob) hold theirs 0.4-0.6 s, with no
  option that helps (docs/playback.md, "Known limits").
- GIFs: libVLC's default demuxer shows a GIF's first picture as a still for
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
from kiosk.media.facts import recall
from kiosk.media.gif import gif_timing

log = logging.getLogger(__name__)

GIF_MIN_SECONDS = 10.0  # kiosk's default slide time (slides.duration)
BIG_PICTURE = 1920 * 1088  # above this (1080p, as coded), more decoding threads
BIG_THREADS = max(1, min(4, os.cpu_count() or 1))
_TS = frozenset({".ts", ".mts", ".m2ts", ".m2t"})
HEAVY_PREPARE_MS = 4000  # the next item is prepared this far into a heavy clip, at most half
_GIF_READ_MAX = 64 * 1024 * 1024  # bytes of a GIF read to time it; a longer one plays once


def heavy(path: str) -> bool:
    """Whether the probe found the file's pictures larger than 1080p."""
    facts = recall(path)
    return facts is not None and facts.width * facts.height > BIG_PICTURE


def prepare_after_ms(path: str, usual_ms: int) -> int:
    """How long after a clip appears the next item may be prepared (opened, first picture
    decoded). A heavy clip needs the machine for its first seconds: priming the next one
    250 ms in cost bench/heavy 15-40 frames at the start of every pass, 4 s in 0-5."""
    facts = recall(path)
    if facts is None or not heavy(path):
        return usual_ms
    half = facts.duration_ms // 2 if facts.duration_ms > 0 else HEAVY_PREPARE_MS
    return max(usual_ms, min(HEAVY_PREPARE_MS, half))


def media_options(path: str) -> tuple[str, ...]:
    """The libVLC media options `path` needs, () for nearly every file."""
    facts = recall(path)
    if facts is not None and heavy(path) and BIG_THREADS > 1:
        log.debug(
            "%s: %dx%d (%s): %d decoding threads, no loop filters",
            path,
            facts.width,
            facts.height,
            facts.codec,
            BIG_THREADS,
        )
        return (
            f":avcodec-threads={BIG_THREADS}",
            ":avcodec-skiploopfilter=4",
            ":no-avcodec-hurry-up",
        )
    if extension(path) in _TS:
        return (":no-ts-trust-pcr",)
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
