"""Reads back what make_shape_picture drew, from a frame or a screen grab: where the red disc
and the blue band are, so a test can say "upright" and "round" from pixels."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

from PySide6.QtGui import QImage

from tests.mediagen import FFMPEG, SHAPE_BLUE, SHAPE_RED


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    right: int  # inclusive
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left + 1

    @property
    def height(self) -> int:
        return self.bottom - self.top + 1


@dataclass(frozen=True)
class Seen:
    disc: Box | None
    band: Box | None
    picture: Box | None  # everything that is not black: the picture without its bars
    combing: float  # share of pixels in a comb: unlike the rows above and below, like both

    @property
    def roundness(self) -> float:
        """Disc width / height: 1.0 when round."""
        assert self.disc is not None, "no red disc seen"
        return self.disc.width / self.disc.height

    @property
    def upright(self) -> bool:
        """The blue band is above the disc, across the top of the picture."""
        if self.disc is None or self.band is None or self.picture is None:
            return False
        return (
            self.band.bottom < self.disc.top
            and self.band.top - self.picture.top <= max(2, self.picture.height // 40)
            and self.band.width >= 0.9 * self.picture.width
        )


def _near(rgb: tuple[int, int, int], ref: tuple[int, int, int], tol: int = 70) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(rgb, ref, strict=True))


def look(image: QImage) -> Seen:
    """Find the disc, the band and the picture's extent in `image` (every pixel is looked at)."""
    img = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, bpl = img.width(), img.height(), img.bytesPerLine()
    data = bytes(img.constBits())
    boxes: dict[str, list[int]] = {}
    grey: list[bytes] = []
    for y in range(h):
        row = data[y * bpl : y * bpl + 3 * w]
        grey.append(row[1::3])  # green as luma enough for comb detection
        for x in range(w):
            px = (row[3 * x], row[3 * x + 1], row[3 * x + 2])
            kinds = []
            if _near(px, SHAPE_RED):
                kinds.append("disc")
            elif _near(px, SHAPE_BLUE):
                kinds.append("band")
            if max(px) > 40:
                kinds.append("picture")
            for k in kinds:
                b = boxes.setdefault(k, [x, y, x, y])
                b[0], b[1], b[2], b[3] = min(b[0], x), min(b[1], y), max(b[2], x), max(b[3], y)
    combs = 0
    for y in range(h - 2):
        above, row_y, below = grey[y], grey[y + 1], grey[y + 2]
        combs += sum(
            1
            for p, q, r in zip(above, row_y, below, strict=True)
            if abs(p - q) > 60 and abs(r - q) > 60 and abs(p - r) < 30
        )

    def box(k: str) -> Box | None:
        return Box(*boxes[k]) if k in boxes else None

    return Seen(box("disc"), box("band"), box("picture"), combs / max(1, w * h))


def grab_screen(display: str, width: int, height: int) -> QImage:
    """One picture of the X screen, as ffmpeg's x11grab sees it."""
    out = subprocess.run(
        [
            *(FFMPEG, "-nostdin", "-loglevel", "error", "-f", "x11grab", "-draw_mouse", "0"),
            *("-video_size", f"{width}x{height}", "-i", f"{display}+0,0", "-frames:v", "1"),
            *("-f", "rawvideo", "-pix_fmt", "rgb24", "-"),
        ],
        capture_output=True,
        check=True,
        timeout=30,
    )
    return QImage(out.stdout, width, height, width * 3, QImage.Format.Format_RGB888).copy()
