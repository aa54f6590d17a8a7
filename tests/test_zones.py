"""Header and ticker bands, offscreen: the right office-local time, a ticker that moves and
takes new text live."""

from __future__ import annotations

import math
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
    # Its own timer wakes it when the minute turns (the fake clock jumps, the timers run in
    # real time): a band made 0.2 s before a minute shows the new one 0.25 s later, ...
    clock.at = datetime(2026, 12, 1, 1, 0, 59, 800_000, tzinfo=UTC)
    soon = HeaderBand("X", theme, "Asia/Ho_Chi_Minh", clock)
    qtbot.addWidget(soon)
    assert soon.next_tick_ms() == 200 + 50
    clock.at = datetime(2026, 12, 1, 1, 1, 0, 50_000, tzinfo=UTC)
    qtbot.waitUntil(lambda: soon.clock_text() == "Thứ Ba, 01/12/2026 08:01", timeout=3000)
    assert soon.next_tick_ms() == 60_000
    # ... while the first band sleeps on until its own minute: it does not look every second.
    qtbot.wait(1000)
    assert header.clock_text() == "Thứ Ba, 01/12/2026 08:00"


def test_header_naive_clock_is_office_local(qtbot: QtBot, theme: Theme) -> None:
    header = HeaderBand("X", theme, "Asia/Ho_Chi_Minh", lambda: datetime(2027, 1, 1, 7, 30))
    qtbot.addWidget(header)
    assert header.clock_text() == "Thứ Sáu, 01/01/2027 07:30"
    assert header.now().tzinfo == VN


def _ticker(qtbot: QtBot, theme: Theme, text: str) -> TickerBand:
    ticker = TickerBand(text, theme, speed=600)
    qtbot.addWidget(ticker)
    ticker.resize(800, 65)
    ticker.show()
    qtbot.waitExposed(ticker)
    return ticker


def _entered(qtbot: QtBot, ticker: TickerBand) -> QImage:
    """Stops the band once its text is partly in from the right and grabs the part that has
    come in: two bands then compare picture for picture, whatever their offsets."""
    qtbot.waitUntil(lambda: ticker.offset > 200, timeout=3000)
    ticker.set_speed(0)
    assert ticker.offset < ticker.width(), "still entering: no wrap-around to account for"
    x = math.floor(ticker.width() - ticker.offset)
    return ticker.grab().toImage().copy(x, 0, ticker.width() - x, ticker.height())


def test_ticker_moves_and_takes_new_text(qtbot: QtBot, theme: Theme) -> None:
    ticker = _ticker(qtbot, theme, "Nộp hồ sơ trực tuyến tại dichvucong.gov.vn")
    qtbot.waitUntil(lambda: ticker.frames_painted >= 2, timeout=3000)
    first = ticker.grab().toImage()
    start = ticker.offset
    qtbot.waitUntil(lambda: ticker.offset > start + 40, timeout=3000)
    second = ticker.grab().toImage()
    assert first != second  # it moved
    # New text replaces the old at once, from the right edge again, and what comes in is
    # the new text: the same pixels as a band that had it from the start.
    new = "Đường dây nóng: 1900 1234"
    ticker.set_text(new)
    assert ticker.text == new
    assert ticker.offset < 40
    came_in = _entered(qtbot, ticker)
    expected = _entered(qtbot, _ticker(qtbot, theme, new))
    width = min(came_in.width(), expected.width())
    same = came_in.copy(0, 0, width, 65) == expected.copy(0, 0, width, 65)
    assert same, "what scrolls in is not the new text"


def test_ticker_without_text_or_hidden_does_not_animate(qtbot: QtBot, theme: Theme) -> None:
    ticker = TickerBand("", theme)
    qtbot.addWidget(ticker)
    ticker.resize(400, 40)
    ticker.show()
    qtbot.waitExposed(ticker)
    assert not ticker.animating
    image = ticker.grab().toImage()
    assert image.pixelColor(200, 20) == theme.background
    ticker.set_text("Xin chào")
    assert ticker.animating
    ticker.hide()
    assert not ticker.animating
    kept = ticker.offset
    qtbot.wait(100)
    assert ticker.offset == kept  # hidden, it stands still
    ticker.show()
    assert ticker.animating
    qtbot.waitUntil(lambda: ticker.offset > kept, timeout=3000)  # and goes on from there
