"""QR codes for links on slides, drawn crisp and big enough to scan from across the room.

Why segno: a maintained, pure-Python QR encoder (no native library to install) that gives
the module matrix; we paint it ourselves so every module is a whole number of screen pixels
(a blurry, resampled code is what phones fail to read from 2 m).

Size: the code (quiet zone included) is at least MIN_SCREEN_FRACTION of the screen height.
On a 43" TV that is about 6.5 cm; short links (version 1-4) then have modules of 2-3 mm,
which phone cameras resolve from 2 m. Error correction M (15 %) tolerates glare.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QImage, QPainter

__all__ = ["MIN_SCREEN_FRACTION", "QUIET_ZONE", "qr_image", "qr_matrix", "qr_modules"]

log = logging.getLogger(__name__)

QUIET_ZONE = 4  # modules of light border on each side, as ISO/IEC 18004 requires
MIN_SCREEN_FRACTION = 0.12


def qr_matrix(url: str) -> list[list[bool]]:
    """The code's dark modules (True), quiet zone excluded; error correction M, never micro."""
    import segno  # here, not at the top: ~20 ms of `kiosk run`'s start-up, for a rare slide

    code = segno.make(url, error="m", micro=False, boost_error=False)
    return [[bool(v) for v in row] for row in code.matrix]


def qr_modules(url: str) -> int:
    """Modules per side including the quiet zone (for layout before rendering)."""
    return len(qr_matrix(url)) + 2 * QUIET_ZONE


def qr_image(
    url: str,
    side: int,
    screen: QSize | None = None,
    dark: QColor | None = None,
    light: QColor | None = None,
) -> QImage:
    """A square QImage of about `side` pixels (never more), whole pixels per module.

    `screen` sets the floor: the result is at least MIN_SCREEN_FRACTION of its height even if
    `side` asks for less (the layout must then make room). Black on white by default: inverted
    or low-contrast codes fail on many phones.
    """
    matrix = qr_matrix(url)
    modules = len(matrix) + 2 * QUIET_ZONE
    floor = int(screen.height() * MIN_SCREEN_FRACTION) if screen is not None else 0
    module_px = max(1, max(side, floor) // modules)
    if module_px * modules < floor:
        module_px += 1
    size = module_px * modules
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(light or QColor(255, 255, 255))
    painter = QPainter(image)
    try:
        colour = dark or QColor(0, 0, 0)
        for y, row in enumerate(matrix):
            x = 0
            while x < len(row):
                if not row[x]:
                    x += 1
                    continue
                run = x
                while run < len(row) and row[run]:
                    run += 1
                painter.fillRect(
                    QRect(
                        (QUIET_ZONE + x) * module_px,
                        (QUIET_ZONE + y) * module_px,
                        (run - x) * module_px,
                        module_px,
                    ),
                    colour,
                )
                x = run
    finally:
        painter.end()
    log.debug("QR for %s: %d modules, %d px each", url, modules, module_px)
    return image
