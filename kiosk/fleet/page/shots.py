"""Each office's screenshot for the page: a thumbnail for its card, a copy for its own page.

The JPEG came from an office, so it is decoded (with a bound on memory, as a hostile or
broken file may claim any size) and encoded again rather than copied as it came. The JPEG
decoder scales while it decodes, so a thumbnail costs ~2 ms. Each output carries its
screenshot's mtime, and is redone only when that changes: `kiosk fleet serve` regenerates
every 30 s, and most screenshots have not changed since.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from PySide6.QtCore import QLoggingCategory, QSize
from PySide6.QtGui import QImageReader

from kiosk.fleet.publicfile import write_public
from kiosk.state.screenshot import encode_jpeg

log = logging.getLogger(__name__)

THUMB_WIDTH = 320
FULL_WIDTH = 1280
ALLOCATION_LIMIT_MB = 64


@functools.cache
def _quiet_decoder() -> None:
    """A broken screenshot is reported by `refresh` (debug log, no thumbnail); the JPEG
    decoder's own warning would repeat on stderr at every regeneration of the page."""
    QLoggingCategory.setFilterRules("qt.gui.imageio.jpeg.warning=false")


def refresh(src: Path, dest: Path, max_width: int) -> bool:
    """`dest` made from `src`, at most `max_width` wide; False (and no `dest`) when there is
    no usable screenshot."""
    try:
        mtime_ns = src.stat().st_mtime_ns
    except OSError:
        dest.unlink(missing_ok=True)
        return False
    try:
        if dest.stat().st_mtime_ns == mtime_ns:
            return True
    except OSError:
        pass
    _quiet_decoder()
    reader = QImageReader(str(src))
    reader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    size = reader.size()
    if size.isValid() and size.width() > max_width:
        reader.setScaledSize(QSize(max_width, max(1, size.height() * max_width // size.width())))
    image = reader.read()
    encoded = encode_jpeg(image, max_width, 75) if not image.isNull() else reader.errorString()
    if isinstance(encoded, str):
        log.debug("%s: not usable as a screenshot: %s", src, encoded)
        dest.unlink(missing_ok=True)
        return False
    write_public(dest, encoded, mtime_ns=mtime_ns)
    return True
