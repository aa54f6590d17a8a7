"""Fault injection on the real stack (`kiosk run`, libVLC, Xvfb, screen grabs).

Each fault ends with content on screen again within a bound, the status file telling the
truth, and no crash. The recovery times are printed (run with -s) for the closing notes.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import KioskRun
from tests.mediagen import make_clip
from tests.xserver import ScreenGrab, Xvfb

pytestmark = pytest.mark.xvfb


def grab(xvfb: Xvfb) -> ScreenGrab:
    return ScreenGrab(xvfb.display, xvfb.width, xvfb.height).start()


def test_corrupt_clip_and_pipe_in_the_middle_are_skipped(
    xvfb: Xvfb, sync_dir: Path, run_kiosk: KioskRun, qtbot: QtBot
) -> None:
    make_clip(sync_dir / "1-red.mp4", "red", seconds=1)
    good = make_clip(sync_dir / "4-green.mp4", "green", seconds=1).read_bytes()
    (sync_dir / "2-corrupt.mp4").write_bytes(good[: len(good) // 3] + b"\0" * 500)
    os.mkfifo(sync_dir / "3-pipe.mp4")  # would hang a demuxer that opened it
    screen = grab(xvfb)
    try:
        run_kiosk("--sync-dir", str(sync_dir))

        def listed() -> bool:
            run_kiosk.alive()
            if not (run_kiosk.state / "status.json").exists():
                return False
            failed = {f["file"]: f["reason"] for f in run_kiosk.status()["failed"]}
            return set(failed) == {"2-corrupt.mp4", "3-pipe.mp4"}

        qtbot.waitUntil(listed, timeout=30_000)
        qtbot.waitUntil(
            lambda: run_kiosk.alive() and screen.sequence().count("green") >= 2, timeout=20_000
        )
    finally:
        screen.stop()
    seq = screen.sequence()
    played = seq[seq.index("red") :]
    assert [c for c in played if c in ("red", "green")][:4] == ["red", "green", "red", "green"]
    assert "black" not in played, seq
    failed = {f["file"]: f["reason"] for f in run_kiosk.status()["failed"]}
    assert "not a regular file" in failed["3-pipe.mp4"]
    print(f"\nfault corrupt clip + FIFO: screen {played[:6]}, never shown, no gap")


def test_libvlc_that_cannot_start_exits_non_zero_for_the_service_manager(
    sync_dir: Path, run_kiosk: KioskRun
) -> None:
    proc = run_kiosk("--sync-dir", str(sync_dir), env={"KIOSK_VLC_ARGS": "--no-such-option"})
    assert proc.wait(timeout=30) == 3
    err = run_kiosk.stderr.read_text()
    assert "libVLC could not start" in err and "Traceback" not in err


def test_state_dir_unwritable_keeps_playing_and_reports(
    xvfb: Xvfb, sync_dir: Path, run_kiosk: KioskRun, qtbot: QtBot
) -> None:
    make_clip(sync_dir / "1-red.mp4", "red", seconds=0.5)
    make_clip(sync_dir / "2-blue.mp4", "blue", seconds=0.5)
    screen = grab(xvfb)
    try:
        run_kiosk("--sync-dir", str(sync_dir))
        status_file = run_kiosk.state / "status.json"
        qtbot.waitUntil(
            lambda: run_kiosk.alive() and status_file.exists() and "blue" in screen.sequence(),
            timeout=20_000,
        )
        # The state folder turns into something nobody can write into (a file in its place:
        # as root, permissions would not stop us).
        shutil.rmtree(run_kiosk.state)
        run_kiosk.state.write_text("not a folder")
        broken_at = len(screen.colours)
        qtbot.waitUntil(
            lambda: run_kiosk.alive() and "cannot write" in run_kiosk.stderr.read_text(),
            timeout=10_000,
        )
        qtbot.waitUntil(
            lambda: (
                run_kiosk.alive() and {"red", "blue"} <= {c for _, c in screen.colours[broken_at:]}
            ),
            timeout=10_000,
        )
        colours_meanwhile = {c for _, c in screen.colours[broken_at:]}
        assert colours_meanwhile <= {"red", "blue"}, colours_meanwhile  # no black, no idle
        run_kiosk.state.unlink()  # the disk is fixed
        qtbot.waitUntil(lambda: run_kiosk.alive() and status_file.exists(), timeout=10_000)
        qtbot.waitUntil(lambda: run_kiosk.status()["cannot_write"] == [], timeout=10_000)
        # (a failed screenshot is retried soon, not a minute later)
    finally:
        screen.stop()
    assert run_kiosk.status()["state"] == "running"
    print(f"\nfault state dir unwritable: screen kept playing {sorted(colours_meanwhile)}")


def test_sigterm_and_systemd_watchdog_keepalive(
    xvfb: Xvfb, sync_dir: Path, run_kiosk: KioskRun, qtbot: QtBot, tmp_path: Path
) -> None:
    make_clip(sync_dir / "1-green.mp4", "green", seconds=1)
    address = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)  # plays systemd's part
    sock.bind(address)
    sock.setblocking(False)
    got: list[tuple[float, str]] = []

    def receive() -> list[str]:
        while True:
            try:
                got.append((time.monotonic(), sock.recv(4096).decode()))
            except BlockingIOError:
                return [m for _, m in got]

    try:
        proc = run_kiosk(
            "--sync-dir", str(sync_dir), env={"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "4000000"}
        )
        qtbot.waitUntil(lambda: run_kiosk.alive() and "READY=1" in receive(), timeout=20_000)
        qtbot.waitUntil(
            lambda: run_kiosk.alive() and receive().count("WATCHDOG=1") >= 3, timeout=20_000
        )
        pings = [t for t, m in got if m == "WATCHDOG=1"]
        assert max(b - a for a, b in itertools.pairwise(pings)) <= 2.5  # < 4 s / 2 + slack
        assert any(m.startswith("STATUS=showing 1-green.mp4") for m in receive())
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert "STOPPING=1" in receive()
    finally:
        sock.close()
    assert run_kiosk.status()["state"] == "stopped"
