"""The allocator keeps frame-sized buffers on mmap, so months of frames do not fragment the heap."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

PROBE = textwrap.dedent(
    """
    import ctypes, ctypes.util, sys
    from kiosk.system.malloc import pin_mmap_threshold

    class MallInfo2(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost")]

    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = (ctypes.c_void_p,)
    libc.mallinfo2.restype = MallInfo2
    pinned = sys.argv[1] == "pin" and pin_mmap_threshold()
    frame = 640 * 360 * 4
    libc.free(libc.malloc(frame))  # glibc would now raise its threshold above a frame
    before = libc.mallinfo2().hblks
    held = libc.malloc(frame)
    print(int(pinned), libc.mallinfo2().hblks - before)
    """
)


def _mmapped_after_a_free(mode: str) -> tuple[int, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, mode], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[0]), int(out[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_second_frame_buffer_is_still_mmapped() -> None:
    assert _mmapped_after_a_free("pin") == (1, 1)
    # Without the pin, glibc serves the second one from the heap: the probe can tell.
    assert _mmapped_after_a_free("none") == (0, 0)


def test_admin_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk.system.malloc import pin_mmap_threshold

    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    assert pin_mmap_threshold() is False
