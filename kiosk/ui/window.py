"""The kiosk window: frameless, fullscreen on the chosen screen, no cursor, deaf to keys.

Layout: an optional header band on top, the main zone (`Stage`) in the middle and an optional
ticker band at the bottom, stacked in one QVBoxLayout. The bands sit *beside* the main zone,
never over it: with a native video window nothing can be drawn over the video, and keeping
the same layout for Qt-painted frames means a slide or video is never partly hidden. Band
heights follow the window size (fullscreen: the screen size) and are recomputed on resize;
the main zone gets what is left, and slides are rendered for `main_size()`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
    QScreen,
)
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.ui.fonts import load_bundled_fonts
from kiosk.ui.stage import IdleContent, Stage
from kiosk.ui.theme import Theme
from kiosk.ui.zones import HeaderBand, TickerBand, header_height, ticker_height

log = logging.getLogger(__name__)


def pick_screen(index: int) -> QScreen:
    """The configured screen, or the primary one (with a warning) if it is not connected."""
    screens = QGuiApplication.screens()
    if 0 <= index < len(screens):
        return screens[index]
    log.warning(
        "display.screen is %d but only %d screen(s) are connected; using the primary screen",
        index,
        len(screens),
    )
    primary = QGuiApplication.primaryScreen()
    assert primary is not None
    return primary


class KioskWindow(QWidget):
    """Top-level window. Only the admin exit chord does anything; closing is refused otherwise.

    `main_resized` is emitted with the main zone's new size whenever it changes (window
    resize, a band switched on or off), so that slides can be rendered again for it.
    """

    exit_requested = Signal()
    main_resized = Signal(QSize)

    def __init__(
        self,
        idle: IdleContent,
        exit_key: str,
        windowed: bool = False,
        theme: Theme | None = None,
    ) -> None:
        super().__init__(None)
        self.setWindowTitle("kiosk")
        self.setObjectName("kiosk-window")
        if not windowed:
            self.setWindowFlags(
                Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
            )
        self.setCursor(Qt.CursorShape.BlankCursor)
        self.setStyleSheet("background: black;")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.stage = Stage(idle, self)
        self.stage.setCursor(Qt.CursorShape.BlankCursor)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)
        # The window's size is the screen's: band heights must not become window size hints.
        self._layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        self._layout.addWidget(self.stage, 1)
        self._windowed = windowed
        self._theme = theme
        self._header: HeaderBand | None = None
        self._ticker: TickerBand | None = None  # kept (hidden) while the text is empty
        self._ticker_on = False
        self._main_size = QSize()
        self._exit_key = QKeySequence(exit_key)
        self._closing_allowed = False
        # Catch keys before any child (stage, zone bands) can act on them.
        self.installEventFilter(self)
        self.stage.installEventFilter(self)

    # -- zones -------------------------------------------------------------------------

    @property
    def header(self) -> HeaderBand | None:
        """The header band, or None when it is off."""
        return self._header

    @property
    def ticker(self) -> TickerBand | None:
        """The ticker band, or None when it is off (no text)."""
        return self._ticker if self._ticker_on else None

    def theme(self) -> Theme:
        """The office theme; the default one (bundled font) if none was given."""
        if self._theme is None:
            self._theme = Theme(font_family=load_bundled_fonts())
        return self._theme

    def enable_header(
        self,
        office: str,
        logo: QImage | None,
        timezone: str,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Show (or rebuild, if already shown) the header band: logo, office, date and clock.

        `clock` is for tests; by default the band reads the system clock.
        """
        self.disable_header()
        theme = dataclasses.replace(self.theme(), logo=logo)
        if clock is None:
            band = HeaderBand(office, theme, timezone, parent=self)
        else:
            band = HeaderBand(office, theme, timezone, clock, parent=self)
        self._quiet_zone(band)
        self._header = band
        self._layout.insertWidget(0, band)
        band.setVisible(True)
        self._relayout()
        log.info("header band on (%s, %s)", office, timezone)

    def disable_header(self) -> None:
        band = self._header
        if band is None:
            return
        self._header = None
        self._layout.removeWidget(band)
        band.hide()
        band.deleteLater()  # also stops its minute timer
        self._relayout()
        log.info("header band off")

    def set_ticker(self, text: str, speed: float) -> None:
        """New ticker text (config or ticker.txt), live. Empty text hides the band entirely:
        an empty bar would only waste screen height."""
        if not text.strip():
            if self._ticker_on:
                assert self._ticker is not None
                self._ticker_on = False
                self._ticker.set_text("")  # stops its animation timer
                self._ticker.hide()
                self._relayout()
                log.info("ticker band off (no text)")
            return
        band = self._ticker
        if band is None:
            band = TickerBand("", self.theme(), speed, parent=self)
            self._quiet_zone(band)
            self._ticker = band
            self._layout.addWidget(band)
        band.set_speed(speed)
        band.set_text(text)
        if not self._ticker_on:
            self._ticker_on = True
            band.setVisible(True)
            self._relayout()
            log.info("ticker band on")

    def main_size(self) -> QSize:
        """Size of the main zone, the size slides are rendered for: the window minus the
        bands that are on. Computed, so it is right even before the layout has run."""
        header, ticker = self._band_heights()
        return QSize(self.width(), max(0, self.height() - header - ticker))

    def _band_heights(self) -> tuple[int, int]:
        size = self.size()
        header = header_height(size) if self._header is not None else 0
        ticker = ticker_height(size) if self._ticker_on else 0
        return header, ticker

    def _quiet_zone(self, band: QWidget) -> None:
        """Zones never take focus, never see keys, never show a cursor."""
        band.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        band.setCursor(Qt.CursorShape.BlankCursor)
        band.installEventFilter(self)

    def _relayout(self) -> None:
        """Apply band heights for the current size and lay out now (not at the next event
        loop turn), so the stage never paints for one frame at a stale size."""
        size = self.size()
        if self._header is not None:
            self._header.setFixedHeight(header_height(size))
        if self._ticker is not None:
            self._ticker.setFixedHeight(ticker_height(size))
        self._layout.activate()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    # -- placement, keys, closing --------------------------------------------------------

    def place(self, screen_index: int) -> None:
        screen = pick_screen(screen_index)
        geometry = screen.geometry()
        if self._windowed:
            self.resize(min(1280, geometry.width()), min(720, geometry.height()))
            self.move(geometry.topLeft())
            self.show()
            return
        # Without a window manager showFullScreen() alone can leave a 640x480 window.
        self.setGeometry(geometry)
        handle = self.windowHandle()
        if handle is not None:
            handle.setScreen(screen)
        self.showFullScreen()
        self.setGeometry(geometry)
        self.activateWindow()
        self.raise_()
        log.info(
            "fullscreen on screen %s (%dx%d)", screen.name(), geometry.width(), geometry.height()
        )

    def allow_close(self) -> None:
        self._closing_allowed = True

    def matches_exit_key(self, event: QKeyEvent) -> bool:
        if self._exit_key.isEmpty():
            return False
        combo = event.keyCombination()
        return bool(
            QKeySequence(combo).matches(self._exit_key) == QKeySequence.SequenceMatch.ExactMatch
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            assert isinstance(event, QKeyEvent)
            if event.type() == QEvent.Type.KeyPress and self.matches_exit_key(event):
                log.info("admin exit key pressed")
                self.exit_requested.emit()
            event.accept()
            return True
        if event.type() == QEvent.Type.KeyRelease:
            return True
        if event.type() == QEvent.Type.Resize and watched is self.stage:
            size = self.stage.size()
            if size != self._main_size:
                self._main_size = QSize(size)
                self.main_resized.emit(QSize(size))
        return super().eventFilter(watched, event)

    def closeEvent(self, event: QCloseEvent) -> None:
        # A window manager's close (Alt+F4) must not take the screen down.
        if self._closing_allowed:
            event.accept()
        else:
            log.info("close request ignored (use the admin exit key or stop the service)")
            event.ignore()


class MainZoneSize:
    """The main zone's size as last seen on the Qt thread, for slide renderers running on a
    worker thread: a widget may only be read on the Qt thread."""

    def __init__(self, window: KioskWindow) -> None:
        self._size = QSize(window.main_size())
        window.main_resized.connect(self._set)

    def _set(self, size: QSize) -> None:
        self._size = QSize(size)  # one reference swap: a worker sees the old or the new size

    def __call__(self) -> QSize:
        return QSize(self._size)
