"""The whole player for real: `kiosk run` on Xvfb, real libVLC, the screen grabbed by ffmpeg."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.mediagen import make_clip, make_image
from tests.xserver import ScreenGrab, Xvfb

pytestmark = pytest.mark.xvfb


@pytest.fixture
def kiosk_proc(xvfb: Xvfb, tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=10)


def start_kiosk(
    procs: list[subprocess.Popen[bytes]], xvfb: Xvfb, tmp_path: Path, *args: str
) -> subprocess.Popen[bytes]:
    env = dict(os.environ, DISPLAY=xvfb.display, QT_QPA_PLATFORM="xcb", KIOSK_AOUT="dummy")
    env.pop("KIOSK_CONFIG", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "run", "--state-dir", str(tmp_path / "state"), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "stderr.log", "wb"),  # noqa: SIM115 (closed with the process)
    )
    procs.append(proc)
    return proc


def test_clips_then_slide_play_in_order_and_loop(
    xvfb: Xvfb,
    tmp_path: Path,
    sync_dir: Path,
    kiosk_proc: list[subprocess.Popen[bytes]],
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
        proc = start_kiosk(
            kiosk_proc, xvfb, tmp_path, "--sync-dir", str(sync_dir), "--config", str(config)
        )
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
    kiosk_proc: list[subprocess.Popen[bytes]],
    qtbot: QtBot,
) -> None:
    make_clip(sync_dir / "1-red.mp4", "red", seconds=1.0)
    (sync_dir / "2-broken.mp4").write_text("this is not a video")
    make_clip(sync_dir / "3-green.mp4", "green", seconds=1.0)
    playlist = tmp_path / "playlist.yaml"
    playlist.write_text("items:\n  - folder: .\n  - file: gone.mp4\n", encoding="utf-8")
    grab = ScreenGrab(xvfb.display, xvfb.width, xvfb.height).start()
    try:
        proc = start_kiosk(
            kiosk_proc, xvfb, tmp_path, "--sync-dir", str(sync_dir), "--playlist", str(playlist)
        )
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
    kiosk_proc: list[subprocess.Popen[bytes]],
    qtbot: QtBot,
) -> None:
    grab = ScreenGrab(xvfb.display, xvfb.width, xvfb.height, fps=5).start()
    try:
        proc = start_kiosk(kiosk_proc, xvfb, tmp_path, "--sync-dir", str(sync_dir))
        qtbot.waitUntil(lambda: len(grab.colours) > 10 and proc.poll() is None, timeout=20_000)
    finally:
        grab.stop()
    seq = grab.sequence()
    assert seq[-1] == "idle", seq
    assert "black" not in seq[seq.index("idle") :], seq
    status = json.loads((tmp_path / "state" / "status.json").read_text())
    assert status["now"]["state"] == "idle"
