"""Screen zones beside the main zone: a header band (logo, office name, date, clock) and a
ticker band (scrolling text).

Why so careful about CPU: these run for months on 2-core machines next to video decoding.
- The header repaints once a minute, woken exactly at the minute boundary by a single-shot
  timer computed from the (injectable) clock: no per-second polling.
- The ticker renders its text once per text change into a pixmap; each animation step only
  blits that pixmap into its own band (the rest of the window is not repainted). The offset
  comes from elapsed time, not from counting ticks, so a late timer never makes it stutter
  or drift; the timer runs at the screen refresh rate and only while the band is visible
  and has text.
Both are sized relative to the screen height (`header_height`, `ticker_height`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QElapsedTimer, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QFontMetricsF,
    QHideEvent,
    QImage,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QWidget

from kiosk.core.msg import _
from kiosk.core.schedule import DEFAULT_TIMEZONE, format_vn_datetime
from kiosk.ui.theme import Theme, theme_font

__all__ = [
    "HEADER_FRACTION",
    "TICKER_FRACTION",
    "HeaderBand",
    "TickerBand",
    "format_vn_datetime",
    "header_height",
    "ticker_height",
]

log = logging.getLogger(__name__)

HEADER_FRACTION = 0.08
TICKER_FRACTION = 0.06
_REFERENCE_TICKER = 1080 * TICKER_FRACTION  # ticker.speed is given for a 1080-line screen
_SEPARATOR = "     •     "
# The strip is rendered once, as wide as the text: 20,000 characters (what the player reads
# of ticker.txt) made a 280,000-pixel strip, ~150 MB while drawn at 1080p. 2,000 characters
# scroll for minutes and stay under ~10 MB.
MAX_TICKER_CHARS = 2000


def header_height(screen: QSize) -> int:
    return max(24, round(screen.height() * HEADER_FRACTION))


def ticker_height(screen: QSize) -> int:
    return max(20, round(screen.height() * TICKER_FRACTION))


def _utc_now() -> datetime:
    return datetime.now(UTC)


class HeaderBand(QWidget):
    """Logo, office name and the office-local date and time; repaints once a minute."""

    def __init__(
        self,
        office: str,
        theme: Theme,
        timezone: str = DEFAULT_TIMEZONE,
        clock: Callable[[], datetime] = _utc_now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self._office = office
        self._theme = theme
        self._tz = ZoneInfo(timezone)
        self._clock = clock
        self._text = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._tick()

    def now(self) -> datetime:
        at = self._clock()
        return at.astimezone(self._tz) if at.tzinfo else at.replace(tzinfo=self._tz)

    def clock_text(self) -> str:
        """What the band shows right now, e.g. 'Thứ Hai, 01/12/2026 08:00'."""
        return self._text

    def set_office(self, office: str) -> None:
        self._office = office
        self.update()

    def next_tick_ms(self) -> int:
        """Milliseconds until the next minute starts (+ a little, to land past it)."""
        now = self.now()
        into = now.second * 1000 + now.microsecond // 1000
        return 60_000 - into + 50

    def _tick(self) -> None:
        text = format_vn_datetime(self.now())
        if text != self._text:
            self._text = text
            self.update()
        self._timer.start(self.next_tick_ms())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            theme = self._theme
            w, h = self.width(), self.height()
            painter.fillRect(self.rect(), theme.band)
            stripe = max(2, round(h * 0.05))
            painter.fillRect(0, h - stripe, w, stripe, theme.accent)
            pad = h * 0.18
            x = pad
            logo = theme.logo
            if logo is not None and not logo.isNull():
                lh = h - 2 * pad - stripe
                lw = min(lh * logo.width() / max(1, logo.height()), w * 0.2)
                lh = lw * logo.height() / max(1, logo.width())
                painter.drawImage(QRectF(x, (h - stripe - lh) / 2, lw, lh), logo)
                x += lw + pad
            clock_font = theme_font(theme.font_family, h * 0.36, bold=True)
            clock_w = QFontMetricsF(clock_font).horizontalAdvance(self._text)
            name_font = theme_font(theme.font_family, h * 0.4, bold=True)
            name_box = QRectF(x, 0, max(0.0, w - x - clock_w - 3 * pad), h - stripe)
            painter.setPen(theme.text)
            painter.setFont(name_font)
            name = QFontMetricsF(name_font).elidedText(
                self._office, Qt.TextElideMode.ElideRight, name_box.width()
            )
            painter.drawText(name_box, Qt.AlignmentFlag.AlignVCenter, name)
            painter.setFont(clock_font)
            painter.drawText(
                QRectF(w - pad - clock_w - 1, 0, clock_w + 1, h - stripe),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                self._text,
            )
        finally:
            painter.end()


class TickerBand(QWidget):
    """Scrolling text. `set_text` updates it live; an empty text stops the animation."""

    def __init__(
        self,
        text: str,
        theme: Theme,
        speed: float = 120.0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self._theme = theme
        self._speed = speed  # pixels per second on a 1080-line screen
        self._text = ""
        self._strip: QPixmap | None = None  # one cycle: text + separator, pre-rendered
        self._base_offset = 0.0  # offset reached before the current run of the clock
        self._elapsed = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.update)
        self.frames_painted = 0
        self.set_text(text)

    @property
    def text(self) -> str:
        return self._text

    @property
    def animating(self) -> bool:
        """Woken at the screen's refresh rate to scroll: only while visible and with text."""
        return self._timer.isActive()

    @property
    def offset(self) -> float:
        """How far the text has scrolled, in pixels (grows without bound; painted modulo)."""
        if not self._elapsed.isValid():
            return self._base_offset
        scale = self.height() / _REFERENCE_TICKER if self.height() > 0 else 1.0
        return self._base_offset + self._elapsed.elapsed() / 1000.0 * self._speed * scale

    def set_text(self, text: str) -> None:
        """New text (from the config or ticker.txt): rendered once, scrolled from the right."""
        text = " ".join(text.split())
        if len(text) > MAX_TICKER_CHARS:
            log.warning(
                _(
                    "the ticker text is {n} characters long: showing the first {shown}; "
                    "shorten ticker.txt",
                    n=len(text),
                    shown=MAX_TICKER_CHARS,
                )
            )
            text = text[: MAX_TICKER_CHARS - 1] + "\u2026"
        if text == self._text and self._strip is not None:
            return
        self._text = text
        self._strip = None
        self._base_offset = 0.0
        if self._elapsed.isValid():
            self._elapsed.restart()
        self._update_running()
        self.update()
        log.debug("ticker text set (%d characters)", len(text))

    def set_speed(self, speed: float) -> None:
        self._base_offset = self.offset
        if self._elapsed.isValid():
            self._elapsed.restart()
        self._speed = speed

    def _render_strip(self) -> QPixmap | None:
        h = self.height()
        if not self._text or h <= 0:
            return None
        font = theme_font(self._theme.font_family, h * 0.5)
        cycle = self._text + _SEPARATOR
        width = math.ceil(QFontMetricsF(font).horizontalAdvance(cycle)) + 1
        image = QImage(width, h, QImage.Format.Format_RGB32)
        image.fill(self._theme.background)
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            painter.setFont(font)
            painter.setPen(self._theme.text)
            painter.drawText(QRectF(0, 0, width, h), Qt.AlignmentFlag.AlignVCenter, cycle)
        finally:
            painter.end()
        return QPixmap.fromImage(image)

    def _update_running(self) -> None:
        run = bool(self._text) and self.isVisible()
        if run and not self._timer.isActive():
            screen = self.screen()
            hz = screen.refreshRate() if screen is not None else 60.0
            self._timer.start(max(8, round(1000 / (hz if hz >= 20 else 60.0))))
            self._elapsed.start()
        elif not run and self._timer.isActive():
            self._base_offset = self.offset
            self._elapsed.invalidate()
            self._timer.stop()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._update_running()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._update_running()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._strip = None  # the font follows the band height
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            if self._strip is None:
                self._strip = self._render_strip()
            strip = self._strip
            if strip is None:
                painter.fillRect(self.rect(), self._theme.background)
                return
            cycle = strip.width()
            # Enters from the right edge, then loops seamlessly.
            x = self.width() - self.offset
            if x < 0:
                x = -(-x % cycle)
            else:
                painter.fillRect(0, 0, math.ceil(x), self.height(), self._theme.background)
            xi = math.floor(x)
            while xi < self.width():
                painter.drawPixmap(xi, 0, strip)
                xi += cycle
            self.frames_painted += 1
        finally:
            painter.end()
