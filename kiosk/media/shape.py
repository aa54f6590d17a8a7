"""The shape a picture must have on screen, carried by the picture itself.

A video frame's pixels are not always square: libVLC must be told the output size before it
knows the pixel shape of MPEG transport and program streams (TV recordings, DVD .vob), so
their first frames come out at the coded size. Such a frame carries its pixel aspect (pixel
width / pixel height) as QImage's horizontal and vertical resolution, which is exactly what
a non-square pixel is; the stage paints every picture at `display_size`. Square-pixel
pictures (slides, nearly every video) carry nothing and paint as they are.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from kiosk.core.msg import _

_DPM = 3780  # 96 dpi, in dots per metre: QImage's default, the reference for the vertical

# Video pictures are made at most this large (libVLC scales bigger sources down as it
# decodes), and the stage scales them up to a bigger screen as it paints. On two cores a
# 3840x2160 screen cannot be fed 4K pictures at 25 fps (docs/playback.md, "Heavy clips").
VIDEO_MAX = (1920, 1080)


def pixel_aspect(image: QImage) -> float:
    """Pixel width / pixel height of `image` (1.0 for square pixels)."""
    x, y = image.dotsPerMeterX(), image.dotsPerMeterY()
    return y / x if x > 0 and y > 0 else 1.0


def set_pixel_aspect(image: QImage, aspect: float) -> None:
    """Make `image` carry `aspect` (pixel width / height). Changes only the image's metadata,
    but a picture shared with another QImage is copied first: call it on one that is not."""
    if abs(pixel_aspect(image) - aspect) < 1e-4:
        return
    image.setDotsPerMeterY(_DPM)
    image.setDotsPerMeterX(max(1, round(_DPM / aspect)))


def display_size(image: QImage) -> QSize:
    """The size `image` must be shown at, in square pixels: its width scaled by its pixel aspect."""
    aspect = pixel_aspect(image)
    if abs(aspect - 1.0) < 1e-3:
        return image.size()
    return QSize(max(1, round(image.width() * aspect)), image.height())


def video_scaled_up(area: QSize) -> str:
    """What a screen area larger than VIDEO_MAX means for video, said once; "" if it is not."""
    if area.width() <= VIDEO_MAX[0] and area.height() <= VIDEO_MAX[1]:
        return ""
    w, h = VIDEO_MAX
    return _(
        "video is painted at {width}x{height} at most and scaled up to the "
        "{screen_width}x{screen_height} screen, which costs more than a small machine has: "
        "for smooth video set the screen to {width}x{height} and let the TV scale it up "
        "(xrandr --output NAME --mode {width}x{height}; docs/playback.md, Heavy clips)",
        width=w,
        height=h,
        screen_width=area.width(),
        screen_height=area.height(),
    )
