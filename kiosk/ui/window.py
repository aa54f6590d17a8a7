"""The kiosk window: frameless, fullscreen on the chosen screen, no cursor, deaf to keys."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeyEvent, QKeySequence, QScreen
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.ui.stage import IdleContent, Stage

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
    """Top-level window. Only the admin exit chord does anything; closing is refused otherwise."""

    exit_requested = Signal()

    def __init__(self, idle: IdleContent, exit_key: str, windowed: bool = False) -> None:
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.stage)
        self._windowed = windowed
        self._exit_key = QKeySequence(exit_key)
        self._closing_allowed = False
        # Catch keys before any child (or a future zone widget) can act on them.
        self.installEventFilter(self)
        self.stage.installEventFilter(self)

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
        return super().eventFilter(watched, event)

    def closeEvent(self, event: QCloseEvent) -> None:
        # A window manager's close (Alt+F4) must not take the screen down.
        if self._closing_allowed:
            event.accept()
        else:
            log.info("close request ignored (use the admin exit key or stop the service)")
            event.ignore()
