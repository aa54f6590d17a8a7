"""Runs `kiosk ...` with a probe thread: where memory goes during a soak (bench/soak.py --probe).

Every PROBE_EVERY_S seconds the thread appends one JSON line to $KIOSK_SOAKPROBE with:
Python objects tracked by gc, live objects of the types that grew most since the first line
(python-vlc, Qt wrappers, our own), glibc's malloc figures (mallinfo2: bytes in use in the
arenas, free in them, mmapped), the thread count and, with KIOSK_SOAKPROBE_TRACE=1,
tracemalloc's traced Python heap (which slows the player down: off by default).
Usage: python bench/soakprobe.py run --config ... (the same arguments as `kiosk`)
"""

from __future__ import annotations

import collections
import ctypes
import ctypes.util
import gc
import json
import os
import sys
import threading
import time
import tracemalloc
from pathlib import Path

PROBE_EVERY_S = 10.0


class MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def mallinfo() -> dict[str, float]:
    name = ctypes.util.find_library("c")
    try:
        fn = ctypes.CDLL(name).mallinfo2
    except (OSError, AttributeError, TypeError):
        return {}
    fn.restype = MallInfo2
    m = fn()
    return {
        "malloc_in_use_kb": m.uordblks / 1024,
        "malloc_free_in_arenas_kb": m.fordblks / 1024,
        "malloc_mmapped_kb": m.hblkhd / 1024,
        "malloc_arena_kb": m.arena / 1024,
    }


def type_counts() -> collections.Counter[str]:
    return collections.Counter(
        f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects()
    )


def probe(out: Path, trace: bool) -> None:
    first: collections.Counter[str] | None = None
    while True:
        time.sleep(PROBE_EVERY_S)
        counts = type_counts()
        if first is None:
            first = counts
        line: dict[str, float] = {
            "gc_objects": float(sum(counts.values())),
            "threads": float(threading.active_count()),
            **mallinfo(),
        }
        if trace:
            line["py_traced_kb"] = tracemalloc.get_traced_memory()[0] / 1024
        growth = sorted(counts, key=lambda k: counts[k] - first[k], reverse=True)[:6]
        for k in growth:
            if counts[k] - first[k] > 0:
                line[f"n:{k}"] = float(counts[k])
        with open(out, "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")


def main() -> int:
    out = Path(os.environ.get("KIOSK_SOAKPROBE", "soakprobe.jsonl"))
    trace = os.environ.get("KIOSK_SOAKPROBE_TRACE") == "1"
    if trace:
        tracemalloc.start(1)
    threading.Thread(target=probe, args=(out, trace), name="soakprobe", daemon=True).start()
    from kiosk.cli import main as kiosk_main

    return kiosk_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
