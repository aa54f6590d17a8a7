"""Nothing on the Qt thread waits for the disk or a child process.

A slow share is simulated with named pipes: a pipe standing for a file answers each open
only after a thread playing the share waited (reads), or drains what is written into it
only after a while (writes). `xset` is a stand-in on PATH that takes its time. While the
player reads its playlist and a sidecar, decodes a slide it had not prepared, reads
ticker.txt, calls xset and saves --screenshot-dir PNGs there, a 5 ms QTimer on the Qt
thread measures the longest gap between its ticks: over 50 ms is a frozen picture.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kiosk.clock.qt import QtWorker
from kiosk.controller import Controller, State
from kiosk.core.model import Item, Kind, Playlist
from kiosk.playback.fake import FakePlayer
from kiosk.state.screenshot import ScreenshotSeries
from kiosk.sync.playlist_source import ContentSource
from kiosk.sync.scan import scan
from kiosk.system.power import choose_power
from kiosk.system.session import Session
from kiosk.system.switch import DisplaySwitch
from kiosk.ui.fonts import load_bundled_fonts
from kiosk.ui.slides import SlideRenderer
from kiosk.ui.stage import IdleContent
from kiosk.ui.ticker import TICKER_FILE, Ticker
from kiosk.ui.window import KioskWindow
from tests.test_window_zones import FAKE_XSET

SLOW_S = 0.3  # how long the share (or xset) takes to answer
MAX_STALL_MS = 50


class SlowFile:
    """A named pipe standing for a file on a slow share: every open for reading gets
    `content`, SLOW_S after the open (a thread plays the share and its latency)."""

    def __init__(self, path: Path, content: bytes) -> None:
        self.path = path
        self.content = content
        self.served = 0
        os.mkfifo(path)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="slow-share", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            fd = os.open(self.path, os.O_WRONLY)  # returns once a reader opened the file
            try:
                if self._stop.wait(SLOW_S):  # the share's latency
                    return
                with contextlib.suppress(BrokenPipeError):
                    os.write(fd, self.content)
                    self.served += 1
            finally:
                os.close(fd)
            while not self._reader_gone():  # one open, one copy: no second writer
                if self._stop.wait(0.005):
                    return

    def _reader_gone(self) -> bool:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # ENXIO: nobody has it open for reading
            return True
        os.close(fd)
        return False

    def close(self) -> None:
        self._stop.set()
        release = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)  # unblocks a waiting open
        self._thread.join(5)
        os.close(release)


class SlowSink:
    """A named pipe standing for a file written to a slow disk: it holds 4 KiB, and the
    disk starts taking what was written only SLOW_S after the first bytes arrived."""

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        self.received = 0
        self._fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)  # a reader is always there
        fcntl.fcntl(self._fd, fcntl.F_SETPIPE_SZ, 4096)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drain, name="slow-disk", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        stalled = False
        while not self._stop.is_set():
            ready, _, _ = select.select([self._fd], [], [], 0.02)
            if not ready:
                continue
            if not stalled:
                stalled = True
                if self._stop.wait(SLOW_S):
                    return
            with contextlib.suppress(BlockingIOError):
                self.received += len(os.read(self._fd, 65536))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        os.close(self._fd)


class Watchdog:
    """The longest time the Qt thread went without running its event loop."""

    def __init__(self) -> None:
        self.worst_ms = 0.0
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.monotonic()
        self._timer.start()

    def _tick(self) -> None:
        now = time.monotonic()
        self.worst_ms = max(self.worst_ms, (now - self._last) * 1000)
        self._last = now

    def stop(self) -> float:
        self._tick()
        self._timer.stop()
        return self.worst_ms


@pytest.fixture
def window(qapp: object) -> Iterator[KioskWindow]:
    load_bundled_fonts()
    made = KioskWindow(IdleContent("UBND phường Bến Nghé", None), "Ctrl+Alt+Shift+Q", True)
    made.resize(320, 180)
    made.show()
    yield made
    made.allow_close()
    made.close()


@pytest.fixture
def share() -> Iterator[list[SlowFile | SlowSink]]:
    made: list[SlowFile | SlowSink] = []
    yield made
    for pipe in made:
        pipe.close()


def unblocked(qtbot: QtBot, begin: Callable[[], None], done: Callable[[], bool]) -> float:
    """The Qt thread's longest stall (ms) from `begin()` until `done()`."""
    watchdog = Watchdog()
    watchdog.start()
    begin()
    qtbot.waitUntil(done, timeout=10_000)
    return watchdog.stop()


def test_reading_the_playlist_and_sidecars(
    qtbot: QtBot, tmp_path: Path, window: KioskWindow, share: list[SlowFile | SlowSink]
) -> None:
    sync = tmp_path / "sync"
    sync.mkdir()
    (sync / "red_0.2s.mp4").write_bytes(b"\x00")  # the fake player does not read it
    playlist = SlowFile(tmp_path / "playlist.yaml", b"items:\n  - red_0.2s.mp4\n")
    sidecar = SlowFile(sync / "red_0.2s.mp4.yaml", b'times: "00:00-24:00"\n')
    share += [playlist, sidecar]
    source = ContentSource(sync, playlist.path, 10.0, lambda: scan(sync))
    player = FakePlayer()
    controller = Controller(player, window.stage, source, SlideRenderer())

    def read_twice() -> bool:  # at start, then once more for the content that changed
        if sidecar.served == 1 and controller.state is State.VIDEO:
            controller.invalidate()
        return sidecar.served >= 2

    worst = unblocked(qtbot, controller.start, read_twice)
    controller.stop()
    player.close()
    assert controller.counters.played >= 1
    assert worst < MAX_STALL_MS, f"the Qt thread stalled {worst:.0f} ms"


def test_decoding_a_slide_that_was_not_prepared(
    qtbot: QtBot, tmp_path: Path, window: KioskWindow, share: list[SlowFile | SlowSink]
) -> None:
    text = "# Đăng ký khai sinh\n1. Nộp tờ khai\n2. Nhận giấy hẹn\n".encode()
    slide = SlowFile(tmp_path / "thu-tuc.md", text)
    share.append(slide)
    item = Item(str(slide.path), "thu-tuc.md", Kind.TEXT, 5.0, size=1, mtime=1.0)

    class Source:
        def reader(self) -> Callable[[], Playlist]:
            return lambda: Playlist((item,), "test")

    player = FakePlayer()
    controller = Controller(player, window.stage, Source(), SlideRenderer(size=window.main_size))
    worst = unblocked(qtbot, controller.start, lambda: controller.state is State.SLIDE)
    controller.stop()
    player.close()
    assert worst < MAX_STALL_MS, f"the Qt thread stalled {worst:.0f} ms"


def test_reading_the_ticker_text(
    qtbot: QtBot, tmp_path: Path, window: KioskWindow, share: list[SlowFile | SlowSink]
) -> None:
    share.append(SlowFile(tmp_path / TICKER_FILE, "Giờ làm việc: 7:30 - 17:00\n".encode()))
    ticker = Ticker(tmp_path, "", 60.0, window, QtWorker())
    worst = unblocked(qtbot, ticker.update, lambda: window.ticker is not None)
    ticker.stop()
    assert worst < MAX_STALL_MS, f"the Qt thread stalled {worst:.0f} ms"


SLOW_XSET = f"import time\ntime.sleep({SLOW_S})\n" + FAKE_XSET


def test_calling_xset(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "xset"
    script.write_text(f"#!{sys.executable}\n{SLOW_XSET}")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DISPLAY", ":99")
    calls = tmp_path / "calls"
    x11 = Session("x11", "", "xcb")
    display = DisplaySwitch(
        x11,
        lambda: choose_power("dpms", x11, None, bus=lambda: None),
        closed_mode="display_off",
    )

    def switch() -> None:  # at start (blanking off, the power method chosen), then closing
        display.start()
        display.closed(True)

    def done() -> bool:  # off ends by asking whether the monitor is off
        lines = calls.read_text().splitlines() if calls.exists() else []
        return "dpms force off" in lines and lines[-1] == "q"

    try:
        worst = unblocked(qtbot, switch, done)
    finally:
        display.close()
    assert len(calls.read_text().splitlines()) >= 8
    assert worst < MAX_STALL_MS, f"the Qt thread stalled {worst:.0f} ms"


def test_saving_screenshot_pngs(
    qtbot: QtBot, tmp_path: Path, window: KioskWindow, share: list[SlowFile | SlowSink]
) -> None:
    noise = QImage(os.urandom(320 * 180 * 4), 320, 180, QImage.Format.Format_RGB32)
    window.stage.show_slide(noise.copy())  # a picture whose PNG is larger than the pipe
    folder = tmp_path / "shots"
    folder.mkdir()
    sink = SlowSink(folder / "screen-00001.png")
    share.append(sink)
    shots = ScreenshotSeries(window, folder, 0.05)
    worst = unblocked(qtbot, shots.start, lambda: (folder / "screen-00003.png").exists())
    shots.stop()
    assert sink.received > 4096  # the first PNG went through the slow pipe
    assert worst < MAX_STALL_MS, f"the Qt thread stalled {worst:.0f} ms"
