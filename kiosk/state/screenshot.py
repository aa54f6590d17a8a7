"""screenshot.jpg in the state dir: a small JPEG of what the TV shows, for an admin afar.

The admin fetches it over SSH or a share, possibly while it is being refreshed, so it is
replaced atomically (temp file + rename): a reader always gets a whole picture. Small on
purpose (640 px wide, quality 70: tens of kB) because it is rewritten every minute for
months on an SD card. A full or read-only disk is a returned reason, never an exception.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QImage, QImageWriter

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
        return f"the JPEG encoder failed: {writer.errorString()}"
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
        return f"cannot write {path}: {e.strerror or e}"
    return path
