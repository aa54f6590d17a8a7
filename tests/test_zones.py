"""Header and ticker bands, offscreen: the right office-local time, a ticker that moves and
takes new text live."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from kiosk.ui.fonts import load_bundled_fonts, missing_glyphs
from kiosk.ui.theme import Theme
from kiosk.ui.zones import (
    HeaderBand,
    TickerBand,
    format_vn_datetime,
    header_height,
    ticker_height,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def theme(qapp: object) -> Theme:
    logo = QImage(120, 60, QImage.Format.Format_RGB32)
    logo.fill(QColor(200, 40, 40))
    return Theme(font_family=load_bundled_fonts(), logo=logo)


class FakeClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def test_vietnamese_date_format() -> None:
    assert format_vn_datetime(datetime(2026, 12, 1, 8, 0)) == "Thứ Ba, 01/12/2026 08:00"
    assert format_vn_datetime(datetime(2026, 11, 30, 17, 5)) == "Thứ Hai, 30/11/2026 17:05"
    assert format_vn_datetime(datetime(2026, 12, 6, 0, 0)) == "Chủ Nhật, 06/12/2026 00:00"


def test_band_heights_follow_the_screen() -> None:
    assert header_height(QSize(1920, 1080)) == round(1080 * 0.08)
    assert ticker_height(QSize(3840, 2160)) == round(2160 * 0.06)
    assert ticker_height(QSize(1366, 768)) < ticker_height(QSize(1920, 1080))


def test_header_shows_office_local_time_and_wakes_at_the_minute(qtbot: QtBot, theme: Theme) -> None:
    # 01:00:45 UTC is 08:00:45 in Vietnam, Tuesday 1 December 2026.
    clock = FakeClock(datetime(2026, 12, 1, 1, 0, 45, 500_000, tzinfo=UTC))
    header = HeaderBand("UBND phường Bến Nghé", theme, "Asia/Ho_Chi_Minh", clock)
    qtbot.addWidget(header)
    header.resize(1920, header_height(QSize(1920, 1080)))
    assert header.clock_text() == "Thứ Ba, 01/12/2026 08:00"
    assert header.next_tick_ms() == 14_500 + 50  # to the next minute, not every second
    assert header._timer.isActive() and 14_000 < header._timer.remainingTime() <= 14_550
    clock.at = datetime(2026, 12, 1, 1, 1, 0, 50_000, tzinfo=UTC)
    header._tick()
    assert header.clock_text() == "Thứ Ba, 01/12/2026 08:01"
    assert header.next_tick_ms() == 60_000 - 50 + 50
    image = header.grab().toImage()
    assert image.width() == 1920
    # The logo is painted at the left, the clock text leaves pixels on the right.
    assert any(
        image.pixelColor(x, image.height() // 2) == QColor(200, 40, 40) for x in range(10, 300)
    )
    band = theme.band
    assert any(
        image.pixelColor(x, y) != band
        for x in range(1500, 1900, 3)
        for y in range(10, image.height() - 10, 3)
    )
    assert missing_glyphs(header.clock_text() + "UBND phường Bến Nghé", theme.font_family) == set()


def test_header_naive_clock_is_office_local(qtbot: QtBot, theme: Theme) -> None:
    header = HeaderBand("X", theme, "Asia/Ho_Chi_Minh", lambda: datetime(2027, 1, 1, 7, 30))
    qtbot.addWidget(header)
    assert header.clock_text() == "Thứ Sáu, 01/01/2027 07:30"
    assert header.now().tzinfo == VN


def test_ticker_moves_and_takes_new_text(qtbot: QtBot, theme: Theme) -> None:
    ticker = TickerBand("Nộp hồ sơ trực tuyến tại dichvucong.gov.vn", theme, speed=600)
    qtbot.addWidget(ticker)
    ticker.resize(800, 65)
    ticker.show()
    qtbot.waitExposed(ticker)
    qtbot.waitUntil(lambda: ticker.frames_painted >= 2, timeout=3000)
    first = ticker.grab().toImage()
    start = ticker.offset
    qtbot.waitUntil(lambda: ticker.offset > start + 40, timeout=3000)
    second = ticker.grab().toImage()
    assert first != second  # it moved
    # The text as written, rendered once into a strip; new text replaces it at once.
    old_strip = ticker._strip
    ticker.set_text("Đường dây nóng: 1900 1234")
    assert ticker.text == "Đường dây nóng: 1900 1234"
    assert ticker.offset < 40  # starts again from the right edge
    qtbot.waitUntil(lambda: ticker._strip is not None and ticker._strip is not old_strip)
    painted = ticker.frames_painted
    qtbot.waitUntil(lambda: ticker.frames_painted > painted + 2, timeout=3000)


def test_ticker_without_text_or_hidden_does_not_animate(qtbot: QtBot, theme: Theme) -> None:
    ticker = TickerBand("", theme)
    qtbot.addWidget(ticker)
    ticker.resize(400, 40)
    ticker.show()
    qtbot.waitExposed(ticker)
    assert not ticker._timer.isActive()
    image = ticker.grab().toImage()
    assert image.pixelColor(200, 20) == theme.background
    ticker.set_text("Xin chào")
    assert ticker._timer.isActive()
    ticker.hide()
    assert not ticker._timer.isActive()
    kept = ticker.offset
    ticker.show()
    assert ticker._timer.isActive() and ticker.offset >= kept
