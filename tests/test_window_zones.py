"""The window's zones, offscreen: header and ticker bands beside the main zone at real TV
sizes, switched on and off at runtime, deaf to keys; and the display off/on switch for
closed hours (DPMS through xset) against a real Xvfb and a scripted xset."""

from __future__ import annotations

import logging
import os
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from kiosk.system import display as screensaver
from kiosk.ui.fonts import load_bundled_fonts
from kiosk.ui.stage import IdleContent
from kiosk.ui.theme import Theme
from kiosk.ui.window import KioskWindow, MainZoneSize
from kiosk.ui.zones import format_vn_datetime, header_height, ticker_height
from tests.xserver import Xvfb

OFFICE = "UBND phường Bến Nghé"
TZ = "Asia/Ho_Chi_Minh"
EXIT = "Ctrl+Alt+Shift+Q"
EXIT_MODS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.ShiftModifier
)
LOGO_RED = QColor(200, 40, 40)


@pytest.fixture
def theme(qapp: object) -> Theme:
    return Theme(font_family=load_bundled_fonts())


def _logo() -> QImage:
    logo = QImage(120, 60, QImage.Format.Format_RGB32)
    logo.fill(LOGO_RED)
    return logo


def _window(qtbot: QtBot, size: QSize, theme: Theme | None = None) -> KioskWindow:
    window = KioskWindow(IdleContent(OFFICE, None), EXIT, windowed=True, theme=theme)
    qtbot.addWidget(window)
    window.resize(size)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.size() == size)
    return window


def _laid_out(window: KioskWindow) -> bool:
    """The stage has exactly the main zone and sits between the bands that are on."""
    stage = window.stage.geometry()
    if stage.size() != window.main_size():
        return False
    top = window.header.geometry().bottom() + 1 if window.header is not None else 0
    bottom = window.ticker.geometry().top() if window.ticker is not None else window.height()
    return stage.top() == top and stage.bottom() + 1 == bottom


@pytest.mark.parametrize("size", [QSize(1920, 1080), QSize(1366, 768)])
def test_bands_sized_for_the_screen_and_stage_gets_the_rest(
    qtbot: QtBot, theme: Theme, size: QSize
) -> None:
    window = _window(qtbot, size, theme)
    assert window.header is None and window.ticker is None
    assert window.main_size() == size
    window.enable_header(OFFICE, _logo(), TZ)
    window.set_ticker("Nộp hồ sơ trực tuyến tại dichvucong.gov.vn", 120.0)
    header, ticker = window.header, window.ticker
    assert header is not None and ticker is not None
    qtbot.waitUntil(lambda: _laid_out(window))
    hh, th = header_height(size), ticker_height(size)
    assert header.geometry() == QRect(0, 0, size.width(), hh)
    assert ticker.geometry() == QRect(0, size.height() - th, size.width(), th)
    stage = window.stage.geometry()
    assert stage == QRect(0, hh, size.width(), size.height() - hh - th)
    assert window.main_size() == QSize(size.width(), size.height() - hh - th)
    assert not stage.intersects(header.geometry())
    assert not stage.intersects(ticker.geometry())
    assert header.isVisible() and ticker.isVisible()


def test_band_heights_follow_a_resize(qtbot: QtBot, theme: Theme) -> None:
    window = _window(qtbot, QSize(1366, 768), theme)
    window.enable_header(OFFICE, None, TZ)
    window.set_ticker("tin", 100.0)
    resized: list[QSize] = []
    window.main_resized.connect(resized.append)
    for_workers = MainZoneSize(window)  # what slide renderers on worker threads read
    window.resize(1920, 1080)
    qtbot.waitUntil(lambda: window.size() == QSize(1920, 1080) and _laid_out(window))
    assert window.header is not None and window.ticker is not None
    assert window.header.height() == header_height(QSize(1920, 1080))
    assert window.ticker.height() == ticker_height(QSize(1920, 1080))
    assert resized and resized[-1] == window.main_size() == for_workers()


def test_ticker_band_hides_when_its_text_is_empty(qtbot: QtBot, theme: Theme) -> None:
    size = QSize(1920, 1080)
    window = _window(qtbot, size, theme)
    window.set_ticker("   ", 120.0)  # blank counts as empty: no bar at all
    assert window.ticker is None
    assert window.main_size() == size
    window.set_ticker("Giờ làm việc: 7:30 - 17:00", 120.0)
    band = window.ticker
    assert band is not None
    qtbot.waitUntil(lambda: band.isVisible() and _laid_out(window))
    assert band.text == "Giờ làm việc: 7:30 - 17:00"
    qtbot.waitUntil(lambda: band.frames_painted > 1)  # it scrolls
    window.set_ticker("Tin mới", 60.0)  # live update, same band
    assert window.ticker is band and band.text == "Tin mới"
    window.set_ticker("", 60.0)
    assert window.ticker is None
    qtbot.waitUntil(lambda: not band.isVisible() and _laid_out(window))
    assert window.stage.geometry() == QRect(0, 0, size.width(), size.height())
    assert not band.animating  # a hidden ticker costs no CPU


def _white_pixels(image: QImage, area: QRect) -> int:
    return sum(
        1
        for x in range(area.left(), area.right(), 2)
        for y in range(area.top(), area.bottom(), 2)
        if image.pixelColor(x, y).lightness() > 200
    )


def test_header_shows_office_name_logo_and_office_local_clock(qtbot: QtBot, theme: Theme) -> None:
    window = _window(qtbot, QSize(1920, 1080), theme)
    at = datetime(2026, 12, 1, 1, 0, 30, tzinfo=UTC)  # 08:00 in Vietnam
    window.enable_header(OFFICE, _logo(), TZ, clock=lambda: at)
    header = window.header
    assert header is not None
    qtbot.waitUntil(lambda: _laid_out(window))
    assert header.clock_text() == "Thứ Ba, 01/12/2026 08:00"
    image = header.grab().toImage()
    mid = image.height() // 2
    assert any(image.pixelColor(x, mid) == LOGO_RED for x in range(5, 200))
    # Office name left of centre, clock at the right: both leave white text pixels.
    assert _white_pixels(image, QRect(250, 10, 600, image.height() - 20)) > 50
    assert _white_pixels(image, QRect(1400, 10, 500, image.height() - 20)) > 50
    # Without an injected clock the band reads the system clock in the office time zone.
    before = datetime.now(ZoneInfo(TZ))
    window.enable_header(OFFICE, None, TZ)
    after = datetime.now(ZoneInfo(TZ))
    assert window.header is not header and window.header is not None
    assert window.header.clock_text() in {format_vn_datetime(before), format_vn_datetime(after)}


def test_zones_are_deaf_to_keys_but_the_exit_chord_works(qtbot: QtBot, theme: Theme) -> None:
    window = _window(qtbot, QSize(1366, 768), theme)
    window.enable_header(OFFICE, None, TZ)
    window.set_ticker("tin", 100.0)
    header, ticker = window.header, window.ticker
    assert header is not None and ticker is not None
    for band in (header, ticker):
        assert band.focusPolicy() == Qt.FocusPolicy.NoFocus
        assert band.cursor().shape() == Qt.CursorShape.BlankCursor
    with qtbot.assertNotEmitted(window.exit_requested, wait=50):
        qtbot.keyClick(header, Qt.Key.Key_Escape)
        qtbot.keyClick(ticker, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
        qtbot.keyClick(ticker, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert window.header is header and window.ticker is ticker and window.isVisible()
    with qtbot.waitSignal(window.exit_requested, timeout=1000):
        qtbot.keyClick(header, Qt.Key.Key_Q, EXIT_MODS)
    with qtbot.waitSignal(window.exit_requested, timeout=1000):
        qtbot.keyClick(ticker, Qt.Key.Key_Q, EXIT_MODS)


def test_zones_switch_on_and_off_at_runtime(qtbot: QtBot) -> None:
    size = QSize(1920, 1080)
    window = _window(qtbot, size)  # no theme given: the default one
    resized: list[QSize] = []
    window.main_resized.connect(resized.append)
    window.enable_header(OFFICE, None, TZ)
    qtbot.waitUntil(lambda: _laid_out(window))
    assert window.main_size() == QSize(1920, 1080 - header_height(size))
    window.set_ticker("tin", 100.0)
    qtbot.waitUntil(lambda: _laid_out(window))
    window.disable_header()
    assert window.header is None
    qtbot.waitUntil(lambda: _laid_out(window))
    assert window.stage.geometry().top() == 0
    window.disable_header()  # twice is harmless
    window.set_ticker("", 100.0)
    qtbot.waitUntil(lambda: _laid_out(window))
    assert window.stage.geometry() == QRect(0, 0, 1920, 1080)
    window.enable_header(OFFICE, None, TZ)
    qtbot.waitUntil(lambda: _laid_out(window))
    assert resized[-1] == window.main_size() == QSize(1920, 1080 - header_height(size))


# -- display off/on (DPMS) ---------------------------------------------------------------


@pytest.fixture
def fresh_warnings() -> None:
    screensaver._warned.clear()


def test_display_switch_on_xvfb_without_dpms_says_so_once(
    xvfb: Xvfb,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    fresh_warnings: None,
) -> None:
    """Xvfb has no DPMS extension (xset even exits 0 there): off/on must report failure,
    warn once and leave the server alone."""
    monkeypatch.setenv("DISPLAY", xvfb.display)
    caplog.set_level(logging.WARNING, logger="kiosk.system.display")
    assert screensaver.display_off() is False
    assert screensaver.display_on() is False
    assert screensaver.display_off() is False
    warnings = [r for r in caplog.records if "no DPMS" in r.getMessage()]
    assert len(warnings) == 1
    assert screensaver.monitor_state() is None


def test_display_switch_without_display_or_xset(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, fresh_warnings: None
) -> None:
    caplog.set_level(logging.WARNING, logger="kiosk.system.display")
    monkeypatch.delenv("DISPLAY", raising=False)
    assert screensaver.display_off() is False
    assert screensaver.display_on() is False
    assert sum("DISPLAY unset" in r.getMessage() for r in caplog.records) == 1
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setenv("PATH", "/nonexistent")
    assert screensaver.display_off() is False
    assert screensaver.display_on() is False
    assert sum("install x11-xserver-utils" in r.getMessage() for r in caplog.records) == 1


FAKE_XSET = """\
import sys
from pathlib import Path

here = Path(__file__).parent
log, state = here / "calls", here / "state"
enabled, monitor = state.read_text().split() if state.exists() else ("off", "On")
args = sys.argv[1:]
with log.open("a") as f:
    f.write(" ".join(args) + "\\n")
if args == ["q"]:
    print("DPMS (Energy Star):")
    if enabled == "on":
        print("  DPMS is Enabled")
        print("  Monitor is " + monitor)
    else:
        print("  DPMS is Disabled")
elif args == ["+dpms"]:
    enabled = "on"
elif args == ["-dpms"]:
    enabled = "off"
elif args[:2] == ["dpms", "force"] and enabled == "on":
    monitor = {"off": "Off", "on": "On"}[args[2]]
elif args[:2] == ["dpms", "force"]:
    sys.exit(0)  # like the real one: force without +dpms first is not what we rely on
state.write_text(enabled + " " + monitor)
"""


def test_display_off_and_on_drive_xset_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_warnings: None
) -> None:
    """A scripted xset with a DPMS state machine (CI's Xvfb has no DPMS): off enables DPMS
    before forcing, on forces then disables DPMS again (the no-blanking state)."""
    script = tmp_path / "xset"
    script.write_text(f"#!{sys.executable}\n{FAKE_XSET}")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DISPLAY", ":99")
    assert screensaver.display_off() is True
    assert (tmp_path / "state").read_text() == "on Off"
    assert screensaver.monitor_state() == "Off"
    assert screensaver.display_on() is True
    assert (tmp_path / "state").read_text() == "off On"
    calls = (tmp_path / "calls").read_text().splitlines()
    off = calls.index("dpms force off")
    on = calls.index("dpms force on")
    assert calls.index("+dpms") < off < on < calls.index("-dpms")
    assert calls[on + 1] == "q"  # checked while DPMS still reports the monitor state
