"""Pictures as offices have them: 50-megapixel phone photos, 16-bit PNGs, CMYK JPEGs (print
files), EXIF-turned photos. Decoded at the size they are shown, off the Qt thread, in a
format Qt paints fast, with memory kept bounded; absurd headers still refused unread."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import math
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kiosk.core.model import Item, Kind
from kiosk.media.images import MAX_PIXELS, load_image
from kiosk.media.probe import probe_image
from kiosk.ui.slides import SlideRenderer
from kiosk.ui.stage import IdleContent, Stage, fit_rect
from tests.mediagen import make_shape_picture, run_ffmpeg, with_exif_orientation
from tests.shapes import look
from tests.test_probe import _png

SCREEN = QSize(1920, 1080)
RED = (230, 30, 30)


def photo_size(megapixels: float, aspect: float) -> tuple[int, int]:
    h = math.sqrt(megapixels * 1e6 / aspect)
    return 16 * round(h * aspect / 16), 16 * round(h / 16)


@pytest.fixture(scope="module")
def phone_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 50-megapixel 4:3 JPEG with detail (noise and patterns compress like a photo)."""
    w, h = photo_size(50, 4 / 3)
    path = tmp_path_factory.mktemp("photo") / "phone.jpg"
    run_ffmpeg(
        ["-f", "lavfi", "-i", f"testsrc2=s={w}x{h}", "-frames:v", "1", "-q:v", "3", str(path)]
    )
    return path


def _colour(image: QImage) -> tuple[int, int, int]:
    c = image.pixelColor(image.width() // 2, image.height() // 2)
    return c.red(), c.green(), c.blue()


def test_a_50_megapixel_photo_is_decoded_at_screen_size(phone_photo: Path) -> None:
    image = load_image(str(phone_photo), fit=SCREEN)
    assert isinstance(image, QImage)
    assert image.size() == fit_rect(QImage(str(phone_photo)).size(), SCREEN).size()
    assert image.format() == QImage.Format.Format_RGB32
    assert probe_image(str(phone_photo)) is None


def _peak_mb(code: str) -> float:
    """How far the peak resident memory of a fresh interpreter rises while it runs `code`
    (Qt and kiosk imported before). VmHWM, not ru_maxrss: Linux carries ru_maxrss over from
    the forking process (pytest's own, large) across exec."""
    script = textwrap.dedent(
        """
        from PySide6.QtCore import QSize
        from PySide6.QtGui import QImage
        from kiosk.media.images import load_image
        def hwm():
            for line in open("/proc/self/status"):
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        base = hwm()
        {code}
        print(hwm() - base)
        """
    ).format(code=code)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return float(out.stdout.strip().splitlines()[-1])


def test_memory_stays_bounded_while_decoding_it(phone_photo: Path) -> None:
    path = str(phone_photo)
    whole = _peak_mb(f"assert not QImage({path!r}).isNull()")
    fitted = _peak_mb(f"assert not load_image({path!r}, fit=QSize(1920, 1080)).isNull()")
    assert whole > 150, f"the full decode ({whole:.0f} MB) should be what is avoided"
    assert fitted < 60, f"decoding at screen size took {fitted:.0f} MB"


def test_a_16_bit_png_is_shown(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    w, h = photo_size(6, 3 / 2)
    source = f"color=c=0xe61e1e:s={w}x{h}"
    run_ffmpeg(["-f", "lavfi", "-i", source, "-frames:v", "1", "-pix_fmt", "rgb48be", str(path)])
    assert path.read_bytes()[24] == 16, "16 bits per channel in its header"
    image = load_image(str(path), fit=SCREEN)
    assert isinstance(image, QImage)
    assert image.format() == QImage.Format.Format_RGB32
    assert image.size() == fit_rect(QSize(w, h), SCREEN).size()
    assert all(abs(a - b) < 8 for a, b in zip(_colour(image), RED, strict=True))


def test_a_cmyk_jpeg_is_shown_in_its_colours(tmp_path: Path) -> None:
    """Print shops and Photoshop send CMYK JPEGs; Qt (>= 6.8) reads them as CMYK pixels."""
    cmyk = QImage(640, 480, QImage.Format.Format_CMYK8888)
    pixels = cmyk.bits()
    assert isinstance(pixels, memoryview)
    pixels[:] = bytes([0, 220, 220, 10]) * (640 * 480)  # C M Y K: a red
    path = tmp_path / "print.jpg"
    assert cmyk.save(str(path), quality=95)  # JPEG, by its suffix
    assert QImage(str(path)).format() == QImage.Format.Format_CMYK8888, "the case: CMYK inside"
    image = load_image(str(path), fit=SCREEN)
    assert isinstance(image, QImage)
    assert image.format() == QImage.Format.Format_RGB32
    r, g, b = _colour(image)
    assert r > 200 and g < 90 and b < 90, (r, g, b)


@pytest.mark.parametrize("orientation,turn", [(6, "transpose=cclock"), (3, "hflip,vflip")])
def test_exif_turned_photos_stay_upright(tmp_path: Path, orientation: int, turn: str) -> None:
    """A phone stores the sensor's picture and says in EXIF how to turn it for display."""
    truth = make_shape_picture(tmp_path / "truth.png", 600, 800)
    stored = tmp_path / "stored.jpg"
    run_ffmpeg(["-i", str(truth), "-vf", turn, "-q:v", "2", str(stored)])
    path = tmp_path / "phone.jpg"
    path.write_bytes(with_exif_orientation(stored.read_bytes(), orientation))
    image = load_image(str(path), fit=SCREEN)
    assert isinstance(image, QImage)
    assert image.size() == QSize(810, 1080)
    seen = look(image)
    assert seen.upright and abs(seen.roundness - 1) < 0.03


def test_the_bomb_guard_refuses_absurd_headers_before_decoding(tmp_path: Path) -> None:
    side = math.isqrt(MAX_PIXELS) + 1
    path = tmp_path / "bomb.png"
    path.write_bytes(_png(side, side, zlib.compress(b"\x00" * 16)))
    reason = load_image(str(path), fit=SCREEN)
    assert isinstance(reason, str) and "too large" in reason and f"{side}x{side}" in reason


def test_slides_reach_the_stage_at_its_size(qtbot: QtBot, phone_photo: Path) -> None:
    """Decoded by the renderer (on the controller's worker thread), the picture needs no
    scaling on the Qt thread: the stage paints the very image it was handed."""
    stage = Stage(IdleContent("office", None))
    stage.resize(SCREEN)
    renderer = SlideRenderer(size=stage.size)
    item = Item(str(phone_photo), phone_photo.name, Kind.SLIDE, 10.0)
    result = renderer(item)
    assert not isinstance(result, str)
    image, _ = result
    stage.show_slide(image)
    assert stage._slide_scaled is not None
    assert stage._slide_scaled.cacheKey() == image.cacheKey(), "scaled again on the Qt thread"
    stage.deleteLater()
