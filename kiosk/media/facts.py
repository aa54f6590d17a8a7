"""What the probe learnt about a video file, kept for the player that opens it later.

The ingest probes every file before it can play (in the same process), and the player must
choose some libVLC options before it opens a file (how many threads decode it), when libVLC
itself does not know the picture size yet. Keyed by the file's path, size and mtime, so a
changed file is never judged by an older version's facts. Thread-safe: probes run on a pool.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass

_KEEP = 512  # files remembered; the oldest are forgotten first


@dataclass(frozen=True)
class VideoFacts:
    width: int
    height: int
    codec: str = ""
    duration_ms: int = 0  # 0: unknown


_facts: OrderedDict[tuple[str, int, float], VideoFacts] = OrderedDict()
_lock = threading.Lock()


def _key(path: str) -> tuple[str, int, float] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (path, st.st_size, st.st_mtime)


def remember(path: str, facts: VideoFacts) -> None:
    key = _key(path)
    if key is None:
        return
    with _lock:
        _facts[key] = facts
        _facts.move_to_end(key)
        while len(_facts) > _KEEP:
            _facts.popitem(last=False)


def recall(path: str) -> VideoFacts | None:
    """The facts of the file as it is now on disk, if a probe saw this very version."""
    key = _key(path)
    if key is None:
        return None
    with _lock:
        return _facts.get(key)
