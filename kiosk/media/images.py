"""Decoding slide images without letting one huge or broken file hurt the player."""

from __future__ import annotations

import logging

from PySide6.QtGui import QImage, QImageReader

from kiosk.core.msg import N_, Msg, _

# Qt's own reasons, in the catalog so that a reader sees them in their language too
QT_REASONS = (
    N_("Unsupported image format"),
    N_("Unable to read image data"),
    N_("File not found"),
    N_("Image is empty"),
)

log = logging.getLogger(__name__)

# 8192 x 8192 RGBA is 256 MiB decoded: anything bigger is refused before decoding.
MAX_PIXELS = 8192 * 8192
ALLOCATION_LIMIT_MB = 300


def load_image(path: str, max_pixels: int = MAX_PIXELS) -> QImage | str:
    """The decoded image with EXIF orientation applied, or a reason it cannot be shown."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)  # honour EXIF orientation (phone photos)
    reader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    if not reader.canRead():
        return _("not a readable image ({detail})", detail=Msg(reader.errorString()))
    size = reader.size()
    if size.isValid() and size.width() * size.height() > max_pixels:
        return _(
            "image too large to show safely ({width}x{height} pixels); "
            "resize it to 3840x2160 or less",
            width=size.width(),
            height=size.height(),
        )
    image = reader.read()
    if image.isNull():
        return _("the image could not be decoded ({detail})", detail=Msg(reader.errorString()))
    return image
