"""Media as offices have it, through `kiosk run` on a real X screen, judged by screen grabs.

A phone clip recorded upright (a rotation flag), an anamorphic interlaced TV recording in
MPEG-TS, NTSC 4:3 material with narrow pixels, a clip cut short, a HEIC photo: the screen
must show each picture upright (the blue band at the top), round discs, the picture's own
aspect pillarboxed; proof of play must record the cut clip as ended early; `kiosk status`
must list it and the photo it will never show.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytestqt.exceptions import TimeoutError as WaitTimeout
from pytestqt.qtbot import QtBot

from tests.conftest import KioskRun
from tests.mediagen import make_container_clip, make_shape_clip
from tests.shapes import Seen, grab_screen, look
from tests.xserver import Xvfb

pytestmark = pytest.mark.xvfb

# The pictures' aspects as they must appear: a phone held upright, TV, NTSC 4:3.
PHONE, TV, NTSC = 9 / 16, 16 / 9, 4 / 3


def _even(x: float) -> int:
    return 2 * round(x / 2)


def _fill(sync: Path) -> None:
    make_shape_clip(sync / "1-phone.mp4", _even(320 * PHONE), 320, rotate=90, seconds=4)
    make_shape_clip(
        sync / "2-tv.ts", _even(288 * TV), 288, sar=(64, 45), interlaced=True, seconds=4
    )
    make_shape_clip(sync / "3-ntsc.mp4", _even(240 * NTSC), 240, sar=(8, 9), seconds=4)
    whole = make_container_clip(sync.parent / "whole.flv", "green", 5.0)
    data = whole.read_bytes()
    (sync / "4-cut.flv").write_bytes(data[: len(data) * 4 // 10])
    (sync / "photo.heic").write_bytes(b"\0\0\0\x18ftypheic")
    past = time.time() - 60
    for f in sync.iterdir():
        os.utime(f, (past, past))


def _which(seen: Seen) -> float | None:
    """The aspect (of the three) the picture on screen has, if it shows a shape picture."""
    if seen.disc is None or seen.band is None or seen.picture is None:
        return None
    aspect = seen.picture.width / seen.picture.height
    return min((PHONE, TV, NTSC), key=lambda a: abs(a - aspect))


def test_orientation_shape_and_endings_on_screen(
    xvfb: Xvfb, tmp_path: Path, sync_dir: Path, run_kiosk: KioskRun, qtbot: QtBot
) -> None:
    _fill(sync_dir)
    proc = run_kiosk("--sync-dir", str(sync_dir))
    seen: dict[float, list[Seen]] = {PHONE: [], TV: [], NTSC: []}
    proof_dir = run_kiosk.state / "proof-of-play"

    def ended_early_recorded() -> bool:
        for f in proof_dir.glob("*.jsonl") if proof_dir.is_dir() else []:
            for line in f.read_text(encoding="utf-8").splitlines():
                if '"4-cut.flv"' in line and '"ended_early"' in line:
                    return True
        return False

    def enough() -> bool:
        run_kiosk.alive()
        shot = look(grab_screen(xvfb.display, xvfb.width, xvfb.height))
        kind = _which(shot)
        if kind is not None:
            seen[kind].append(shot)
        return all(len(v) >= 2 for v in seen.values()) and ended_early_recorded()

    try:
        qtbot.waitUntil(enough, timeout=90_000)
    except WaitTimeout as e:  # say what the screen showed instead
        shown = {f"{a:.2f}": [f"{x.roundness:.2f}" for x in v] for a, v in seen.items()}
        pytest.fail(f"{e}; pictures seen by aspect (disc roundness): {shown}")
    screen = xvfb.height
    for aspect, shots in seen.items():
        for shot in shots:
            assert shot.upright, f"aspect {aspect:.2f}: the blue band is not at the top"
            assert abs(shot.roundness - 1) < 0.05, f"aspect {aspect:.2f}: {shot.roundness:.3f}"
            assert shot.picture is not None
            if aspect < xvfb.width / xvfb.height:  # pillarboxed, the full height
                assert abs(shot.picture.height - screen) <= 2
                assert abs(shot.picture.width - screen * aspect) <= 4, shot.picture

    lines = [
        json.loads(x)
        for f in proof_dir.glob("*.jsonl")
        for x in f.read_text(encoding="utf-8").splitlines()
        if x
    ]
    cut = next(x for x in lines if x["file"] == "4-cut.flv" and x["outcome"] == "ended_early")
    assert "of the 5.0 s its file states" in cut["reason"] and cut["duration_s"] < 4.0
    assert {x["outcome"] for x in lines if x["file"] == "1-phone.mp4"} == {"completed"}

    env = dict(os.environ)
    env.pop("KIOSK_CONFIG", None)

    def status_text() -> str:
        return subprocess.run(
            [sys.executable, "-m", "kiosk", "status", "--state-dir", str(run_kiosk.state)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        ).stdout

    qtbot.waitUntil(lambda: "not shown whole" in status_text(), timeout=10_000)  # every 2 s
    text = status_text()
    assert "  not shown whole (1):\n    4-cut.flv: ended after " in text, text
    assert "  never shown (1):\n    photo.heic: a HEIC/HEIF photo" in text, text
    assert proc.poll() is None
