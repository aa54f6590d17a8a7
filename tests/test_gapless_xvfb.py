"""Gapless on the real stack: frame-numbered clips, `kiosk run` on Xvfb, the screen grabbed at
50 fps and read back frame by frame (bench/gapslib's coding, the benchmark's cheap cousin).

Fails if a black frame shows between two items, or if the incoming clip's first frames are
missing. Tolerances keep it reliable on a loaded 2-core machine; bench/gaps.py measures.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import KioskRun
from tests.mediagen import make_image
from tests.xserver import Xvfb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from gapslib.capture import Grab
from gapslib.media import CLIP_FPS, encode_clip

pytestmark = pytest.mark.xvfb

SKIPPED_FRAMES_TOLERATED = 2  # the incoming clip must show from (about) its first frame
BLACK_TOLERATED = 0


def test_no_black_and_no_missing_first_frames_between_items(
    xvfb: Xvfb, tmp_path: Path, sync_dir: Path, run_kiosk: KioskRun, qtbot: QtBot
) -> None:
    frames = CLIP_FPS  # one-second clips
    encode_clip(sync_dir / "1-red.mp4", xvfb.width, xvfb.height, "red", frames)
    encode_clip(sync_dir / "2-green.mp4", xvfb.width, xvfb.height, "green", frames)
    make_image(sync_dir / "3-yellow.png", "yellow", (xvfb.width, xvfb.height))
    encode_clip(sync_dir / "4-magenta.mp4", xvfb.width, xvfb.height, "magenta", frames)
    past = time.time() - 60
    for f in sync_dir.iterdir():
        os.utime(f, (past, past))  # settled files: admitted at start
    config = tmp_path / "office.yaml"
    config.write_text("slides:\n  duration: 1\n", encoding="utf-8")
    grab = Grab(xvfb.display, xvfb.width, xvfb.height).start()
    try:
        run_kiosk("--sync-dir", str(sync_dir), "--config", str(config))
        # Two full loops: video->video, video->slide, slide->video and the wrap-around.
        qtbot.waitUntil(
            lambda: run_kiosk.alive() and sum(1 for s in _runs(grab) if s[0] == "magenta") >= 2,
            timeout=40_000,
        )
    finally:
        grab.stop()
    runs = _runs(grab)
    start = next(i for i, r in enumerate(runs) if r[0] == "red")
    shown = runs[start:]
    transitions = 0
    for (before, _), between, (after, first) in _transitions(shown):
        transitions += 1
        black = sum(n for cls, n in between if cls == "black")
        assert black <= BLACK_TOLERATED, f"black between {before} and {after}: {shown}"
        if after in ("red", "green", "magenta"):
            assert first is not None and first <= SKIPPED_FRAMES_TOLERATED, (
                f"{after} started at frame {first}: its first frames are missing"
            )
    print(f"\n{transitions} transitions: {shown}")
    assert transitions >= 6, shown


def _runs(grab: Grab) -> list[tuple[str, int | None]]:
    """(colour, first frame number seen) for each run of captures of the same item/screen."""
    runs: list[tuple[str, int | None]] = []
    counts: list[int] = []
    for sample in list(grab.samples):
        cls = sample.reading.cls
        if runs and runs[-1][0] == cls:
            counts[-1] += 1
            if runs[-1][1] is None and sample.reading.frame is not None:
                runs[-1] = (cls, sample.reading.frame)
            continue
        runs.append((cls, sample.reading.frame))
        counts.append(1)
    return [(c, f if n else None) for (c, f), n in zip(runs, counts, strict=True)]


ITEMS = ("red", "green", "yellow", "magenta")


Run = tuple[str, int | None]  # (colour, first frame number seen)


def _transitions(runs: list[Run]) -> Iterator[tuple[Run, list[tuple[str, int]], Run]]:
    """(outgoing item, what showed in between with counts, (incoming item, its first frame))."""
    last: tuple[str, int | None] | None = None
    between: list[tuple[str, int]] = []
    for cls, frame in runs:
        if cls in ITEMS:
            if last is not None and last[0] != cls:
                yield last, between, (cls, frame)
            last, between = (cls, frame), []
        else:
            between.append((cls, 1))
