"""4K and HEVC 10-bit clips play: probed, decoded by several threads when larger than 1080p,
painted at 1920x1080 at most. (How smoothly, against mpv, is bench/heavy's to measure.)"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KIOSK_AOUT", "dummy")

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kiosk.media.facts import recall
from kiosk.media.probe import heavy_video, probe
from kiosk.playback.mediaopts import BIG_THREADS, media_options
from tests.mediagen import run_ffmpeg
from tests.vlcbackend import backend_fixture  # noqa: F401  (the `backend` fixture)


def hevc10(path: Path, size: str, seconds: float) -> Path:
    run_ffmpeg(
        [
            *("-f", "lavfi", "-i", f"testsrc2=s={size}:r=25:d={seconds}"),
            *("-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le"),
            *("-x265-params", "log-level=error", "-tag:v", "hvc1", str(path)),
        ]
    )
    return path


@pytest.mark.parametrize("size", ["3840x2160", "1920x1080"])
def test_hevc_10_bit_plays(qtbot: QtBot, backend: Any, tmp_path: Path, size: str) -> None:
    path = hevc10(tmp_path / f"phone-{size}.mp4", size, 1.0)
    assert probe(str(path)) is None
    facts = recall(str(path))
    assert facts is not None and f"{facts.width}x{facts.height}" == size
    big = facts.width * facts.height > 1920 * 1088
    warning = heavy_video(str(path))  # what kiosk check says of it
    assert (warning is not None) == big
    if warning:
        assert warning.startswith(f"{size} (hevc): kiosk shows video at 1920x1080 at most")
    opts = media_options(str(path))
    if big and BIG_THREADS > 1:
        assert opts == (
            f":avcodec-threads={BIG_THREADS}",
            ":avcodec-skiploopfilter=4",
            ":no-avcodec-hurry-up",
        )
    else:
        assert opts == ()
    player = backend.player(start_timeout=10.0)
    frames: list[QImage] = []
    player.frame.connect(frames.append)
    player.ready.connect(player.show)
    try:
        with qtbot.waitSignal(player.finished, timeout=20_000):
            player.load(str(path))
        shown, held = player.pictures()
    finally:
        player.close()
    assert frames and frames[0].size() == QSize(1920, 1080)  # painted at 1080p at most
    # The pictures due are counted from the first to the last one shown: a loaded machine
    # that drops the last of 25 counts 24.
    assert 24 <= held <= 25 and shown >= 1, (shown, held)
