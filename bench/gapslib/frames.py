"""What a bench clip frame looks like, and how a shrunken screen grab is read back.

A clip frame is one big solid colour (the item's identity, see tests/mediagen.COLOURS) with
two bands of 8 black/white cells across the middle: band A holds the frame number in binary
(most significant bit on the left), band B holds its complement. A reading is only accepted
when every cell of A is the opposite of the cell under it in B, so a half-drawn or blended
frame reads as "no number" instead of a wrong number. A slide is the same colour without the
bands. The layout is in fractions of the picture, so it survives any scaling: the grab is
shrunk to THUMB_W x THUMB_H by ffmpeg and only a few pixels are looked at.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.mediagen import COLOURS, classify

BITS = 8
MAX_FRAME = (1 << BITS) - 1
THUMB_W, THUMB_H = 64, 36  # 16:9, what ffmpeg shrinks every grab to

# Fractions of the picture: bands and cells.
BAND_A = (0.30, 0.45)
BAND_B = (0.55, 0.70)
CELLS_X = (0.10, 0.90)

WHITE = (235, 235, 235)
BLACK = (16, 16, 16)

# Where the identity colour is read: corners, edges and the middle gap between the bands.
COLOUR_POINTS = [(fx, fy) for fy in (0.1, 0.5, 0.9) for fx in (0.05, 0.5, 0.95)]


@dataclass(frozen=True, slots=True)
class Reading:
    """One captured frame: `cls` is a colour name, 'black', 'idle' or 'other' (mixed/desktop)."""

    cls: str
    frame: int | None = None  # frame number decoded from the bands, if readable


def _edges(lo: float, hi: float, n: int, size: int) -> list[int]:
    """n+1 pixel edges between fractions lo and hi, on even pixels (yuv420p chroma)."""
    return [2 * round((lo + (hi - lo) * k / n) * size / 2) for k in range(n + 1)]


def render(width: int, height: int, colour: str, frame: int | None) -> bytes:
    """One rgb24 picture: the colour, plus the coded bands if `frame` is a number."""
    rgb = bytes(COLOURS[colour])
    plain = rgb * width
    if frame is None:
        return plain * height
    if not 0 <= frame <= MAX_FRAME:
        raise ValueError(f"frame {frame} does not fit in {BITS} bits")
    xs = _edges(*CELLS_X, BITS, width)
    bits = [(frame >> (BITS - 1 - k)) & 1 for k in range(BITS)]

    def band(invert: bool) -> bytes:
        row = bytearray(rgb * xs[0])
        for k, bit in enumerate(bits):
            white = bool(bit) != invert
            row += bytes(WHITE if white else BLACK) * (xs[k + 1] - xs[k])
        row += rgb * (width - xs[-1])
        return bytes(row)

    a0, a1 = _edges(*BAND_A, 1, height)
    b0, b1 = _edges(*BAND_B, 1, height)
    return (
        plain * a0
        + band(False) * (a1 - a0)
        + plain * (b0 - a1)
        + band(True) * (b1 - b0)
        + plain * (height - b1)
    )


def _pixel(thumb: bytes, fx: float, fy: float) -> tuple[int, int, int]:
    x = min(THUMB_W - 1, int(fx * THUMB_W))
    y = min(THUMB_H - 1, int(fy * THUMB_H))
    i = (y * THUMB_W + x) * 3
    return thumb[i], thumb[i + 1], thumb[i + 2]


def _cell(rgb: tuple[int, int, int]) -> int | None:
    """1 for a white cell, 0 for a black one, None for anything else (a colour, a blend)."""
    if max(rgb) - min(rgb) > 60:
        return None
    luma = (299 * rgb[0] + 587 * rgb[1] + 114 * rgb[2]) // 1000
    if luma > 170:
        return 1
    if luma < 80:
        return 0
    return None


def decode(thumb: bytes) -> Reading:
    """Read a THUMB_W x THUMB_H rgb24 grab: which colour fills the screen, which frame it is."""
    names = {classify(_pixel(thumb, fx, fy)) for fx, fy in COLOUR_POINTS}
    if len(names) != 1:
        return Reading("other")
    (cls,) = names
    if cls not in COLOURS:
        return Reading(cls)
    a_y = sum(BAND_A) / 2
    b_y = sum(BAND_B) / 2
    step = (CELLS_X[1] - CELLS_X[0]) / BITS
    frame = 0
    for k in range(BITS):
        fx = CELLS_X[0] + step * (k + 0.5)
        a = _cell(_pixel(thumb, fx, a_y))
        b = _cell(_pixel(thumb, fx, b_y))
        if a is None or b is None or a == b:
            return Reading(cls)
        frame = frame << 1 | a
    return Reading(cls, frame)
