"""The whole player on a real Wayland compositor: `kiosk run` with QT_QPA_PLATFORM=wayland
on Debian's weston (headless, pixman), its output read back with weston-screenshooter.

The same colour-clip order check as the X11 end-to-end test, plus what the status says
about the screen there: the session, what keeps it on, and which display power was taken.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kiosk.system.idle import WAYLAND_PROTOCOL_NOTE
from tests.dbus_session import PrivateBus, events
from tests.mediagen import classify, make_clip, make_image
from tests.weston import Weston, WestonGrab

pytestmark = pytest.mark.skipif(
    shutil.which("weston") is None or shutil.which("weston-screenshooter") is None,
    reason="weston is not installed (scripts/setup --test installs it)",
)


def _colour(image: QImage, x: int, y: int) -> str:
    c = image.pixelColor(x, y)
    return classify((c.red(), c.green(), c.blue()))


@pytest.fixture
def weston() -> Iterator[Weston]:
    # A short private runtime folder: a Unix socket path must stay under 108 bytes.
    runtime = Path(tempfile.mkdtemp(prefix="kiosk-wl-"))
    server = Weston(runtime).start()
    yield server
    server.stop()
    shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[PrivateBus]:
    private = PrivateBus(tmp_path / "dbus").start()
    yield private
    private.stop()


def test_clips_then_slide_play_in_order_on_weston(
    weston: Weston, bus: PrivateBus, tmp_path: Path, sync_dir: Path, qtbot: QtBot
) -> None:
    make_clip(sync_dir / "1-red.mp4", "red", seconds=1.5)
    make_clip(sync_dir / "2-green.mp4", "green", seconds=1.5)
    make_clip(sync_dir / "10-blue.mp4", "blue", seconds=1.5)  # natural order: after 2
    make_image(sync_dir / "20-yellow.png", "yellow")
    config = tmp_path / "office.yaml"
    config.write_text("slides:\n  duration: 2\nclosed:\n  mode: display_off\n", encoding="utf-8")
    record = bus.serve("screensaver")  # the desktop's idle service, as on KDE or GNOME
    state = tmp_path / "state"
    env = weston.env()
    env.update(QT_QPA_PLATFORM="wayland", KIOSK_AOUT="dummy", DBUS_SESSION_BUS_ADDRESS=bus.address)
    env.pop("KIOSK_CONFIG", None)
    stderr = tmp_path / "stderr.log"
    grab = WestonGrab(weston).start()
    with open(stderr, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "run", "--state-dir", str(state),
             "--sync-dir", str(sync_dir), "--config", str(config)],
            env=env, stdout=subprocess.DEVNULL, stderr=err,
        )  # fmt: skip
    wanted = ["red", "green", "blue", "yellow", "red", "green"]

    def seen() -> list[str]:
        seq = grab.sequence()
        return seq[seq.index("red") :] if "red" in seq else []

    def played_in_order() -> bool:
        assert proc.poll() is None, stderr.read_text()
        return seen()[: len(wanted)] == wanted or len(seen()) > len(wanted)

    try:
        qtbot.waitUntil(played_in_order, timeout=40_000)
    finally:
        grab.stop()
        if grab.last is not None:
            grab.last.save(str(tmp_path / "last-screenshot.png"))
    assert seen()[: len(wanted)] == wanted, grab.sequence()
    assert "black" not in seen()[: len(wanted)]
    # Fullscreen: the corners show the clip too (no panel, no desktop background).
    assert grab.last is not None
    w, h = grab.last.width(), grab.last.height()
    corners = {_colour(grab.last, x, y) for x in (1, w - 2) for y in (1, h - 2)}
    assert corners == {_colour(grab.last, w // 2, h // 2)}, corners

    status = json.loads((state / "status.json").read_text())
    screen = status["display"]
    assert screen["session"] == "wayland"
    assert screen["kept_on_by"] == ["org.freedesktop.ScreenSaver (D-Bus)"]
    assert WAYLAND_PROTOCOL_NOTE in screen["not_used"]
    # auto found no way to switch this display: no CEC adapter, no wlopm, not GNOME.
    power = screen["power"]
    assert (power["setting"], power["method"]) == ("auto", "none")
    assert power["not_taken"][-1] == (
        "wayland (GNOME): org.gnome.Mutter.DisplayConfig is not on the session bus"
    )
    assert any("no display power method works here" in p for p in status["problems"])
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0, stderr.read_text()
    assert [e["event"] for e in events(record)][:2] == ["inhibit", "uninhibit"]
