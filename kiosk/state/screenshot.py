"""screenshot.jpg in the state dir: a small JPEG of what the TV shows, for an admin afar.

The admin fetches it over SSH or a share, possibly while it is being refreshed, so it is
replaced atomically (temp file + rename): a reader always gets a whole picture. Small on
purpose (640 px wide, quality 70: tens of kB) because it is rewritten every minute for
months on an SD card. A full or read-only disk is a returned reason, never an exception.

Also the `--screenshot-dir` series of PNGs (ScreenshotSeries), for watching a virtual screen.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter
from PySide6.QtWidgets import QWidget

from kiosk.core.msg import _, os_reason
from kiosk.state.diskwriter import DiskWriter

log = logging.getLogger(__name__)

SCREENSHOT_FILE = "screenshot.jpg"


def encode_jpeg(image: QImage, max_width: int = 640, quality: int = 70) -> bytes | str:
    """The image scaled down to at most `max_width` (never up) as JPEG bytes, or a reason."""
    if image.isNull():
        return "nothing to capture (empty image)"
    if image.width() > max_width:
        image = image.scaledToWidth(max_width, Qt.TransformationMode.SmoothTransformation)
    # JPEG has no alpha; what the screen shows is opaque anyway.
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"jpeg"))
    writer.setQuality(quality)
    ok = writer.write(image)
    buffer.close()
    if not ok:
        return _("the JPEG encoder failed: {detail}", detail=writer.errorString())
    return bytes(data.data())


def save_screenshot(
    image: QImage, state_dir: Path, max_width: int = 640, quality: int = 70
) -> Path | str:
    """Writes `<state_dir>/screenshot.jpg` atomically; returns its path, or why it could not.

    The caller logs a returned reason (once, while it stays the same) and puts the time of
    the last good screenshot in the status file.
    """
    encoded = encode_jpeg(image, max_width, quality)
    if isinstance(encoded, str):
        return encoded
    path = state_dir / SCREENSHOT_FILE
    tmp: str | None = None
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{SCREENSHOT_FILE}.", suffix=".tmp", dir=state_dir)
        with os.fdopen(fd, "wb") as f:
            f.write(encoded)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; the admin's account reads it
        os.replace(tmp, path)
    except OSError as e:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return _("cannot write {path}: {why}", path=str(path), why=os_reason(e))
    return path


def grab_screen(window: QWidget) -> QImage:
    """What the screen really shows (the X screen under xcb), else what the window paints.
    On the Qt thread (it reads the window); encoding and writing it need not be."""
    screen = window.screen()
    if QGuiApplication.platformName() == "xcb" and screen is not None:
        return screen.grabWindow(0).toImage()
    return window.grab().toImage()


SERIES_KEPT = 40  # the newest PNGs of a --screenshot-dir series; older ones are deleted


class ScreenshotSeries:
    """`--screenshot-dir`: a PNG of the screen every few seconds, for a newcomer watching a
    virtual screen. Grabbed on the Qt thread, written by a DiskWriter thread (a slow disk
    must not freeze the picture); the newest SERIES_KEPT are kept."""

    def __init__(self, window: QWidget, folder: Path, every_s: float) -> None:
        self._window = window
        self._folder = folder
        self._count = 0
        self._failing = False
        self._disk = DiskWriter("kiosk-screenshots")
        self._timer = QTimer()
        self._timer.setInterval(int(every_s * 1000))
        self._timer.timeout.connect(self.take)

    def start(self) -> None:
        log.info(
            "saving a screenshot every %.0f s into %s", self._timer.interval() / 1000, self._folder
        )
        self._disk.submit(lambda: self._folder.mkdir(parents=True, exist_ok=True))
        self._timer.start()

    def take(self) -> None:
        self._count += 1
        image = grab_screen(self._window)
        count = self._count
        self._disk.submit(lambda: self._save(image, count))

    def _save(self, image: QImage, count: int) -> None:
        """On the DiskWriter thread."""
        ok = image.save(str(self._folder / f"screen-{count:05d}.png"))
        if not ok and not self._failing:
            log.error("cannot save screenshots into %s", self._folder)
        self._failing = not ok
        if count > SERIES_KEPT:
            (self._folder / f"screen-{count - SERIES_KEPT:05d}.png").unlink(missing_ok=True)

    def stop(self) -> None:
        self._timer.stop()
        self._disk.close()
