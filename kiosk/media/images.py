"""Decoding slide images without letting one huge or broken file hurt the player.

Pictures are decoded at the size they will be shown (off the Qt thread: the controller's and
the ingest's pools), so the Qt thread only ever paints a screen-sized picture. A JPEG is
decoded straight at (about) that size by libjpeg's own scaling: a 50-megapixel phone photo
peaks at tens of MB, not 200. Other formats are decoded whole first, within Qt's allocation
limit, then scaled. Whatever the file holds (CMYK, 16 bits per channel, grey), the result is
a format Qt paints fast.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColorSpace, QImage, QImageIOHandler, QImageReader

from kiosk.core.msg import N_, Msg, _

# Qt's own reasons, in the catalog so that a reader sees them in their language too
QT_REASONS = (
    N_("Unsupported image format"),
    N_("Unable to read image data"),
    N_("File not found"),
    N_("Image is empty"),
)

log = logging.getLogger(__name__)

# 8192 x 8192 RGBA is 256 MiB decoded: anything bigger is refused before decoding (a header
# that claims absurd dimensions, a decompression bomb). 50-megapixel phones are below it.
MAX_PIXELS = 8192 * 8192
# What one decode may allocate (Qt checks it from the header): a 16-bit PNG takes 8 bytes a
# pixel, so one of 6000x6000 is refused rather than taking 300 MB.
ALLOCATION_LIMIT_MB = 300
_PAINTABLE = (
    QImage.Format.Format_RGB32,
    QImage.Format.Format_ARGB32,
    QImage.Format.Format_ARGB32_Premultiplied,
)


def load_image(path: str, max_pixels: int = MAX_PIXELS, fit: QSize | None = None) -> QImage | str:
    """The decoded image with EXIF orientation applied, or a reason it cannot be shown.

    `fit`: the area it will be shown in; the image comes back at the largest size of its
    own aspect that fits there (smaller or larger than the file), as the stage would paint it.
    """
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
    if fit is not None and size.isValid() and not size.isEmpty() and not fit.isEmpty():
        # The scaled size is in the file's own orientation, applied before EXIF turns it.
        turned = reader.transformation() & QImageIOHandler.Transformation.TransformationRotate90
        area = fit.transposed() if turned else fit
        target = size.scaled(area, Qt.AspectRatioMode.KeepAspectRatio)
        if target != size and not target.isEmpty():
            reader.setScaledSize(target)
    image = reader.read()
    if image.isNull():
        why = reader.errorString()
        if "allocation limit" in why.lower():
            return _(
                "image too large to decode safely ({width}x{height} pixels at {format}); "
                "save it as JPEG, or at 3840x2160 or less",
                width=size.width(),
                height=size.height(),
                format=reader.imageFormat().name.removeprefix("Format_"),
            )
        return _("the image could not be decoded ({detail})", detail=Msg(why))
    return paintable(image)


def paintable(image: QImage) -> QImage:
    """`image` in a format Qt paints fast: CMYK (print files) to RGB through its colour
    profile when it has one, 16-bit and grey pictures to 8 bits per channel."""
    if image.format() in _PAINTABLE:
        return image
    alpha = image.hasAlphaChannel()
    target = QImage.Format.Format_ARGB32_Premultiplied if alpha else QImage.Format.Format_RGB32
    space = image.colorSpace()
    if (
        image.format() == QImage.Format.Format_CMYK8888
        and space.isValid()
        and space.colorModel() == QColorSpace.ColorModel.Cmyk
    ):
        return image.convertedToColorSpace(QColorSpace(QColorSpace.NamedColorSpace.SRgb), target)
    return image.convertToFormat(target)
