"""Each office's screenshot for the page: a thumbnail for its card, a copy for its own page.

The JPEG came from an office, so it is decoded (with a bound on memory, as a hostile or
broken file may claim any size) and encoded again rather than copied as it came. The JPEG
decoder scales while it decodes, so a thumbnail costs ~2 ms. Each output carries its
screenshot's mtime, and is redone only when that changes: `kiosk fleet serve` regenerates
every 30 s, and most screenshots have not changed since. The office sends a new screenshot
every minute, and Syncthing replaces the hub's copy each time, which is then missing for a
moment: it is read through kiosk.fleet.received, so that moment never costs a card its
thumbnail.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QLoggingCategory, QSize
from PySide6.QtGui import QImageReader

from kiosk.fleet.publicfile import write_public
from kiosk.fleet.received import Holds, never_held, read_with
from kiosk.state.screenshot import encode_jpeg

log = logging.getLogger(__name__)

THUMB_WIDTH = 320
FULL_WIDTH = 1280
ALLOCATION_LIMIT_MB = 64
MAX_BYTES = 16 * 1024 * 1024  # a player's screenshot is tens of kB: this is no screenshot


@functools.cache
def _quiet_decoder() -> None:
    """A broken screenshot is reported by `refresh` (debug log, no thumbnail); the JPEG
    decoder's own warning would repeat on stderr at every regeneration of the page."""
    QLoggingCategory.setFilterRules("qt.gui.imageio.jpeg.warning=false")


def _read_changed(path: Path, known_ns: int | None) -> tuple[int, bytes | None]:
    """The file's mtime, and its bytes unless that mtime is `known_ns`: from one open, so
    both are of the same version even while Syncthing replaces the file."""
    with open(path, "rb") as f:
        mtime_ns = os.fstat(f.fileno()).st_mtime_ns
        return mtime_ns, None if mtime_ns == known_ns else f.read(MAX_BYTES + 1)


def _decode(data: bytes, max_width: int) -> bytes | str:
    """A JPEG at most `max_width` wide, or why `data` is not usable as a screenshot."""
    if len(data) > MAX_BYTES:
        return f"larger than {MAX_BYTES // 1024 // 1024} MB"
    _quiet_decoder()
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    size = reader.size()
    if size.isValid() and size.width() > max_width:
        reader.setScaledSize(QSize(max_width, max(1, size.height() * max_width // size.width())))
    image = reader.read()
    return encode_jpeg(image, max_width, 75) if not image.isNull() else reader.errorString()


def refresh(src: Path, dest: Path, max_width: int, holds: Holds = never_held) -> bool:
    """`dest` made from `src`, at most `max_width` wide; False (and no `dest`) when there is
    no usable screenshot. `holds`: does the hub's Syncthing hold `src` (kiosk.fleet.received)."""
    try:
        known: int | None = dest.stat().st_mtime_ns
    except OSError:
        known = None
    try:
        got = read_with(src, holds, functools.partial(_read_changed, known_ns=known))
    except OSError as e:
        got = None
        log.debug("%s: cannot read the screenshot: %s", src, e)
    if got is None:
        dest.unlink(missing_ok=True)
        return False
    mtime_ns, data = got
    if data is None:
        return True
    encoded = _decode(data, max_width)
    if isinstance(encoded, str):
        log.debug("%s: not usable as a screenshot: %s", src, encoded)
        dest.unlink(missing_ok=True)
        return False
    write_public(dest, encoded, mtime_ns=mtime_ns)
    return True
