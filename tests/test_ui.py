"""The Qt layer offscreen: image decoding limits, EXIF, the stage's painting, the window's keys."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QImageIOHandler, QImageWriter
from pytestqt.qtbot import QtBot

from kiosk.media.images import load_image
from kiosk.ui.stage import IDLE_BACKGROUND, IdleContent, Showing, Stage
from kiosk.ui.window import KioskWindow
from tests.mediagen import classify, make_image


def _png_claiming(path: Path, width: int, height: int) -> Path:
    """A tiny PNG whose header claims a huge picture (a decompression bomb, in spirit)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    return path


def _rgb(image: QImage, x: int, y: int) -> tuple[int, int, int]:
    c = image.pixelColor(x, y)
    return (c.red(), c.green(), c.blue())


def test_load_image_ok_and_exif_orientation(tmp_path: Path, qtbot: QtBot) -> None:
    img = QImage(160, 90, QImage.Format.Format_RGB32)
    img.fill(QColor(20, 20, 230))
    for x in range(80):
        for y in range(90):
            img.setPixelColor(x, y, QColor(230, 20, 20))
    writer = QImageWriter(str(tmp_path / "phone.jpg"))
    writer.setTransformation(QImageIOHandler.Transformation.TransformationRotate90)
    assert writer.write(img)
    loaded = load_image(str(tmp_path / "phone.jpg"))
    assert isinstance(loaded, QImage)
    assert (loaded.width(), loaded.height()) == (90, 160)  # turned as the camera meant
    assert classify(_rgb(loaded, 45, 20)) == "red"
    assert classify(_rgb(loaded, 45, 140)) == "blue"


def test_huge_image_is_refused_before_decoding(tmp_path: Path) -> None:
    reason = load_image(str(_png_claiming(tmp_path / "bomb.png", 40000, 40000)))
    assert isinstance(reason, str) and "too large" in reason and "40000x40000" in reason


def test_broken_images_give_reasons(tmp_path: Path) -> None:
    (tmp_path / "text.png").write_text("not an image")
    (tmp_path / "empty.jpg").write_bytes(b"")
    good = make_image(tmp_path / "good.png", "green")
    (tmp_path / "cut.png").write_bytes(good.read_bytes()[:40])
    for name in ("text.png", "empty.jpg", "cut.png", "missing.png"):
        assert isinstance(load_image(str(tmp_path / name)), str), name


def _stage(qtbot: QtBot, w: int = 400, h: int = 400) -> Stage:
    stage = Stage(IdleContent("UBND phường Bến Nghé", None))
    qtbot.addWidget(stage)
    stage.resize(w, h)
    stage.show()
    qtbot.waitExposed(stage)
    return stage


def test_slide_is_scaled_to_fit_with_aspect_kept(qtbot: QtBot) -> None:
    stage = _stage(qtbot)
    image = QImage(160, 90, QImage.Format.Format_RGB32)
    image.fill(QColor(240, 220, 20))
    stage.show_slide(image)
    grab = stage.grab().toImage()
    assert stage.showing is Showing.SLIDE
    assert classify(_rgb(grab, 200, 200)) == "yellow"
    assert classify(_rgb(grab, 200, 5)) == "black"  # letterbox above a 16:9 slide
    # fills the width exactly: 400 wide -> 225 high, centred
    assert classify(_rgb(grab, 2, 200)) == "yellow"
    assert classify(_rgb(grab, 200, 200 - 225 // 2 + 2)) == "yellow"


def test_video_frames_are_painted(qtbot: QtBot) -> None:
    stage = _stage(qtbot, 320, 180)
    frame = QImage(160, 90, QImage.Format.Format_RGB32)
    frame.fill(QColor(20, 200, 20))
    stage.show_frame(frame)
    assert classify(_rgb(stage.grab().toImage(), 160, 90)) == "green"


def test_idle_slide_is_never_black_and_shows_the_office(qtbot: QtBot) -> None:
    stage = _stage(qtbot, 640, 360)
    stage.show_idle("nothing yet")
    grab = stage.grab().toImage()
    assert stage.showing is Showing.IDLE
    assert grab.pixelColor(3, 3) == IDLE_BACKGROUND
    # Some text was drawn in the upper middle (the office name), in white.
    white = sum(
        1
        for x in range(0, 640, 2)
        for y in range(60, 200, 2)
        if grab.pixelColor(x, y).lightness() > 200
    )
    assert white > 50


def test_window_ignores_keys_and_close_but_obeys_the_exit_chord(qtbot: QtBot) -> None:
    window = KioskWindow(IdleContent("x", None), "Ctrl+Alt+Shift+Q", windowed=True)
    qtbot.addWidget(window)
    window.place(0)
    qtbot.waitExposed(window)
    with qtbot.assertNotEmitted(window.exit_requested, wait=50):
        qtbot.keyClick(window, Qt.Key.Key_Escape)
        qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(window.stage, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    assert not window.close()  # a window manager's close request is refused
    assert window.isVisible()
    mods = (
        Qt.KeyboardModifier.ControlModifier
        | Qt.KeyboardModifier.AltModifier
        | Qt.KeyboardModifier.ShiftModifier
    )
    with qtbot.waitSignal(window.exit_requested, timeout=1000):
        qtbot.keyClick(window.stage, Qt.Key.Key_Q, mods)
    window.allow_close()
    assert window.close()


def test_window_cursor_is_hidden(qtbot: QtBot) -> None:
    window = KioskWindow(IdleContent("x", None), "Ctrl+Alt+Shift+Q")
    qtbot.addWidget(window)
    assert window.cursor().shape() == Qt.CursorShape.BlankCursor
    assert window.stage.cursor().shape() == Qt.CursorShape.BlankCursor
    assert window.windowFlags() & Qt.WindowType.FramelessWindowHint


def test_crossfade_blends_the_old_picture_out(qtbot: QtBot) -> None:
    stage = _stage(qtbot, 320, 180)
    red, blue = (
        QImage(160, 90, QImage.Format.Format_RGB32),
        QImage(160, 90, QImage.Format.Format_RGB32),
    )
    red.fill(QColor(230, 20, 20))
    blue.fill(QColor(20, 20, 230))
    stage.show_slide(red)
    stage.begin_fade(400)
    stage.show_slide(blue)
    assert classify(_rgb(stage.grab().toImage(), 160, 90)) == "red"  # starts from the old one

    def blended() -> bool:
        r, _, b = _rgb(stage.grab().toImage(), 160, 90)
        return r > 60 and b > 60  # both pictures visible: a blend, not a cut

    qtbot.waitUntil(blended, timeout=1000)
    qtbot.waitUntil(lambda: not stage.fading, timeout=2000)
    assert classify(_rgb(stage.grab().toImage(), 160, 90)) == "blue"
