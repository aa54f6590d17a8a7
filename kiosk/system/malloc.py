"""glibc allocator settings for a process that runs for months among picture-sized buffers.

libVLC's decoded pictures, Qt's scaled slides and, before the frame pool, every copied video
frame are ~0.9 MB (640x360) to ~8 MB (1080p) each, allocated on one thread and freed on
another. glibc starts by serving such sizes with mmap, but raises its mmap threshold each
time one is freed (up to 32 MB), so after the first ones they come from the heap arenas
instead, which fragment and never shrink: the soak bench saw RSS climb ~30 MB per 1,000
items. Pinning the threshold keeps big buffers on mmap, returned to the system on free: the
same soak stayed flat (see docs/playback.md, "Memory over months").
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # glibc's mallopt() parameter number
MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value; setting it turns the raising off
ENV = "MALLOC_MMAP_THRESHOLD_"  # glibc's tunable: if the admin set it, theirs wins


def pin_mmap_threshold(threshold: int = MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold (off its dynamic default). False when not glibc or set already."""
    if os.environ.get(ENV):
        log.debug("%s is set: leaving the allocator alone", ENV)
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        log.debug("no mallopt in %s: allocator left as it is", name)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    ok = bool(mallopt(M_MMAP_THRESHOLD, threshold))
    if ok:
        log.debug("glibc mmap threshold pinned at %d bytes", threshold)
    else:
        log.warning("mallopt(M_MMAP_THRESHOLD, %d) refused: memory may creep", threshold)
    return ok
