"""The whole player for real: `kiosk run` on Xvfb, real libVLC, the screen grabbed by ffmpeg."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import KioskRun
from tests.mediagen import make_clip, make_image
from tests.xserver import ScreenGrab, Xvfb

pytestmark = pytest.mark.xvfb


def test_clips_then_slide_play_in_order_and_loop(
    xvfb: Xvfb,
    tmp_path: Path,
    sync_dir: Path,
    run_kiosk: KioskRun,
    qtbot: QtBot,
) -> None:
    make_clip(sync_dir / "1-red.mp4", "red", seconds=1.5)
    make_clip(sync_dir / "2-green.mp4", "green", seconds=1.5)
    make_clip(sync_dir / "10-blue.mp4", "blue", seconds=1.5)  # natural order: after 2
    make_image(sync_dir / "20-yellow.png", "yellow")
    config = tmp_path / "office.yaml"
    config.write_text("slides:\n  duration: 2\n", encoding="utf-8")
    grab = ScreenGrab(xvfb.display, xvfb.width, xvfb.height).start()
    try:
        proc = run_kiosk("--sync-dir", str(sync_dir), "--config", str(config))
        wanted = ["red", "green", "blue", "yellow", "red", "green"]

        def seen() -> list[str]:
            seq = grab.sequence()
            # Before the first clip the screen may be empty or the idle slide.
            return seq[seq.index("red") :] if "red" in seq else []

        def played_in_order() -> bool:
            assert proc.poll() is None, (tmp_path / "stderr.log").read_text()
            return seen()[: len(wanted)] == wanted or len(seen()) > len(wanted)

        qtbot.waitUntil(played_in_order, timeout=40_000)
    finally:
        grab.stop()
    assert seen()[: len(wanted)] == wanted, grab.sequence()
    status = json.loads((tmp_path / "state" / "status.json").read_text())
    assert status["state"] == "running"
    assert status["playlist"]["items"] == [
        "1-red.mp4",
        "2-green.mp4",
        "10-blue.mp4",
        "20-yellow.png",
    ]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    status = json.loads((tmp_path / "state" / "status.json").read_text())
    assert status["state"] == "stopped"


def test_broken_and_missing_files_are_skipped_and_listed(
    xvfb: Xvfb,
    tmp_path: Path,
    sync_dir: Path,
    run_kiosk: KioskRun,
    qtbot: QtBot,
) -> None:
    make_clip(sync_dir / "1-red.mp4", "red", seconds=1.0)
    (sync_dir / "2-broken.mp4").write_text("this is not a video")
    make_clip(sync_dir / "3-green.mp4", "green", seconds=1.0)
    playlist = tmp_path / "playlist.yaml"
    playlist.write_text("items:\n  - folder: .\n  - file: gone.mp4\n", encoding="utf-8")
    grab = ScreenGrab(xvfb.display, xvfb.width, xvfb.height).start()
    try:
        proc = run_kiosk("--sync-dir", str(sync_dir), "--playlist", str(playlist))
        status_file = tmp_path / "state" / "status.json"

        def listed() -> bool:
            assert proc.poll() is None, (tmp_path / "stderr.log").read_text()
            if not status_file.exists():
                return False
            status = json.loads(status_file.read_text())
            return [f["file"] for f in status["failed"]] == ["2-broken.mp4"] and (
                status["counters"]["loops"] >= 1
            )

        qtbot.waitUntil(listed, timeout=40_000)
    finally:
        grab.stop()
    seq = grab.sequence()
    assert [c for c in seq if c in ("red", "green")][:3] == ["red", "green", "red"], seq
    status = json.loads(status_file.read_text())
    assert any(f"{playlist}:3:5: error: 'gone.mp4'" in p for p in status["problems"])
    assert "black" not in seq[seq.index("red") :], seq


def test_no_content_shows_the_idle_slide_not_black(
    xvfb: Xvfb,
    tmp_path: Path,
    sync_dir: Path,
    run_kiosk: KioskRun,
    qtbot: QtBot,
) -> None:
    grab = ScreenGrab(xvfb.display, xvfb.width, xvfb.height, fps=5).start()
    try:
        proc = run_kiosk("--sync-dir", str(sync_dir))
        qtbot.waitUntil(lambda: len(grab.colours) > 10 and proc.poll() is None, timeout=20_000)
    finally:
        grab.stop()
    seq = grab.sequence()
    assert seq[-1] == "idle", seq
    assert "black" not in seq[seq.index("idle") :], seq
    status = json.loads((tmp_path / "state" / "status.json").read_text())
    assert status["now"]["state"] == "idle"


def test_sync_folder_changes_reach_the_screen(
    xvfb: Xvfb,
    tmp_path: Path,
    sync_dir: Path,
    run_kiosk: KioskRun,
    qtbot: QtBot,
) -> None:
    """A new clip shows up by itself; deleting the clip on screen moves on at once."""
    make_clip(sync_dir / "1-red.mp4", "red", seconds=8)
    make_clip(sync_dir / "2-green.mp4", "green", seconds=1)
    config = tmp_path / "office.yaml"
    config.write_text("sync:\n  quiet_seconds: 0.5\n", encoding="utf-8")
    grab = ScreenGrab(xvfb.display, xvfb.width, xvfb.height).start()
    try:
        run_kiosk("--sync-dir", str(sync_dir), "--config", str(config))
        alive = run_kiosk.alive
        qtbot.waitUntil(lambda: alive() and grab.sequence()[-1:] == ["red"], timeout=20_000)
        make_clip(tmp_path / "blue.mp4", "blue", seconds=1)
        os.rename(tmp_path / "blue.mp4", sync_dir / "3-blue.mp4")  # a new file arrives
        deleted_at = time.monotonic()
        (sync_dir / "1-red.mp4").unlink()  # the admin removes the clip on screen
        qtbot.waitUntil(lambda: alive() and grab.sequence()[-1:] != ["red"], timeout=5000)
        left_red = next(t for t, c in reversed(grab.colours) if c == "red")
        qtbot.waitUntil(lambda: alive() and "blue" in grab.sequence(), timeout=20_000)
    finally:
        grab.stop()
    assert left_red - deleted_at < 2.0  # not the 7 s the clip had left
    seq = grab.sequence()
    after = seq[seq.index("red") + 1 :]
    assert [c for c in after if c in ("red", "green", "blue")][:2] == ["green", "blue"], seq
    assert "black" not in after, seq


def test_header_and_ticker_bands_beside_the_video(
    xvfb: Xvfb, tmp_path: Path, sync_dir: Path, run_kiosk: KioskRun, qtbot: QtBot
) -> None:
    make_clip(sync_dir / "1-red.mp4", "red", seconds=3)
    (sync_dir / "ticker.txt").write_text("Giờ làm việc: 7:30 - 17:00\n", encoding="utf-8")
    config = tmp_path / "office.yaml"
    config.write_text(
        'header:\n  enabled: true\nticker:\n  enabled: true\ntheme:\n  background: "#0c2a5c"\n',
        encoding="utf-8",
    )
    grab = ScreenGrab(xvfb.display, xvfb.width, xvfb.height, rows=(0, 4, 8)).start()
    try:
        run_kiosk("--sync-dir", str(sync_dir), "--config", str(config))
        qtbot.waitUntil(
            lambda: run_kiosk.alive() and grab.rows_now().get(4) == "red", timeout=20_000
        )
        bands = grab.rows_now()
    finally:
        grab.stop()
    # The video fills the main zone only: header on top, ticker at the bottom, no overlap,
    # the bands painted in the theme's blue (#0c2a5c, the colour the grab calls "idle").
    assert bands == {0: "idle", 4: "red", 8: "idle"}, bands
