"""Phone clips upright, non-square pixels in their true shape, interlaced TV deinterlaced.

Each clip is made by ffmpeg from one square-pixel picture (a blue band across the top, a red
disc below it), stored the way the device or broadcaster stores it: turned back with a
rotation flag, squeezed into non-square pixels, or as interlaced fields. The real libVLC
player decodes it and the real stage paints it in a 16:9 window (offscreen); the painted
window must show the picture upright, the disc round and the picture with its own aspect,
pillarboxed or letterboxed. The sizes follow from the aspect ratios, not from a list.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KIOSK_AOUT", "dummy")

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kiosk.ui.stage import IdleContent, Stage
from tests.mediagen import make_shape_clip, run_ffmpeg
from tests.shapes import Seen, look
from tests.vlcbackend import backend_fixture  # noqa: F401  (the `backend` fixture)

SCREEN = (640, 360)
WAIT_MS = 10_000


def even(x: float) -> int:
    return max(2, 2 * round(x / 2))


@dataclass(frozen=True)
class Case:
    """A picture of `aspect` (width / height, square pixels) `height` pixels tall, stored so."""

    name: str
    aspect: float
    height: int
    rotate: int = 0
    sar: tuple[int, int] = (1, 1)
    interlaced: bool = False
    ext: str = ".mp4"

    @property
    def size(self) -> tuple[int, int]:
        return even(self.height * self.aspect), self.height


CASES = [
    # A phone held upright: a 9:16 picture stored landscape with a quarter-turn flag.
    Case("phone-upright-90", 9 / 16, 320, rotate=90),
    Case("phone-upright-270", 9 / 16, 320, rotate=270),
    Case("phone-upside-down-180", 16 / 9, 180, rotate=180),
    Case("phone-4:3-portrait-90", 3 / 4, 320, rotate=90, ext=".mov"),
    # HDV: 16:9 stored in 4:3 pixels wide; PAL widescreen; NTSC 4:3 (pixels narrower).
    Case("hdv-sar-4:3", 16 / 9, 270, sar=(4, 3), ext=".mkv"),
    Case("pal-wide-sar-64:45", 16 / 9, 288, sar=(64, 45), ext=".mp4"),
    Case("ntsc-4:3-sar-8:9", 4 / 3, 240, sar=(8, 9), ext=".mp4"),
    # A TV recording: interlaced MPEG-2 in MPEG-TS, anamorphic 16:9 (the container says
    # neither its size nor its pixel shape before a picture is decoded).
    Case("tv-interlaced-ts", 16 / 9, 288, sar=(64, 45), interlaced=True, ext=".ts"),
    Case("dvd-4:3-vob", 4 / 3, 240, sar=(8, 9), interlaced=True, ext=".vob"),
]


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("shapes")
    vob = ["-c:v", "mpeg2video", "-b:v", "4M", "-flags", "+ilme+ildct", "-top", "1", "-f", "vob"]
    out = {}
    for c in CASES:
        out[c.name] = make_shape_clip(
            folder / f"{c.name}{c.ext}",
            *c.size,
            rotate=c.rotate,
            sar=c.sar,
            interlaced=c.interlaced,
            seconds=1.5,
            codec=vob if c.ext == ".vob" else None,
        )
    return out


def painted(
    qtbot: QtBot, backend: Any, path: Path, nth: int = 12, at_once: bool = False
) -> tuple[Seen, QImage]:
    """What the stage shows once the `nth` picture of the clip is painted, and that picture.
    `at_once`: show() right after load(), as for a clip nobody could prepare in advance."""
    stage = Stage(IdleContent("office", None))
    stage.resize(*SCREEN)
    player = backend.player(start_timeout=5.0)
    frames: list[QImage] = []

    def on_frame(image: QImage) -> None:
        frames.append(image)
        stage.show_frame(image)

    player.frame.connect(on_frame)
    if not at_once:
        player.ready.connect(player.show)
    try:
        player.load(str(path))
        if at_once:
            player.show()
        qtbot.waitUntil(lambda: len(frames) >= nth, timeout=WAIT_MS)
        grab = stage.grab().toImage()
    finally:
        player.close()
        stage.deleteLater()
    return look(grab), frames[nth - 1]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_upright_round_and_boxed(
    qtbot: QtBot, backend: Any, clips: dict[str, Path], case: Case
) -> None:
    seen, _ = painted(qtbot, backend, clips[case.name])
    assert seen.upright, f"the blue band is not at the top: {seen}"
    assert abs(seen.roundness - 1.0) < 0.04, f"the disc is {seen.roundness:.3f} wide for 1 tall"
    assert seen.picture is not None
    # Its own aspect, as large as the screen allows: pillarboxed or letterboxed.
    screen_aspect = SCREEN[0] / SCREEN[1]
    if case.aspect < screen_aspect:
        want = (round(SCREEN[1] * case.aspect), SCREEN[1])
    else:
        want = (SCREEN[0], round(SCREEN[0] / case.aspect))
    got = (seen.picture.width, seen.picture.height)
    assert abs(got[0] - want[0]) <= 3 and abs(got[1] - want[1]) <= 3, f"{got} != {want}"


def test_interlaced_material_is_deinterlaced(
    qtbot: QtBot, backend: Any, clips: dict[str, Path], tmp_path: Path
) -> None:
    """The bar sweeping across combs in every field pair: decoded as is (ffmpeg, no filter)
    the frame combs; through the player it must not."""
    path = clips["tv-interlaced-ts"]
    raw = tmp_path / "raw.png"
    run_ffmpeg(["-ss", "0.48", "-i", str(path), "-frames:v", "1", str(raw)])
    assert look(QImage(str(raw))).combing > 0.002, "the test clip itself must comb"
    _, frame = painted(qtbot, backend, path)
    assert look(frame).combing < 0.0001


@pytest.mark.parametrize("name", ["tv-interlaced-ts", "dvd-4:3-vob"])
def test_the_first_picture_has_its_shape_even_when_shown_at_once(
    qtbot: QtBot, backend: Any, clips: dict[str, Path], name: str
) -> None:
    """A TS says its pixel shape only after its first picture: that picture must wait for
    it, not go out stretched (a clip admitted too late to be prepared is shown so)."""
    case = next(c for c in CASES if c.name == name)
    seen, first = painted(qtbot, backend, clips[name], nth=1, at_once=True)
    assert abs(seen.roundness - 1.0) < 0.04, f"first picture {first.size()}: {seen}"
    assert seen.picture is not None
    assert abs(seen.picture.width / seen.picture.height - case.aspect) < 0.02


def test_a_screen_larger_than_video_pictures_says_so(qtbot: QtBot) -> None:
    """A 4K screen shows video scaled up from 1920x1080 at most: said in the log and status."""
    from kiosk.state.status import StatusReport
    from kiosk.state.statusview import render

    stage = Stage(IdleContent("office", None))
    stage.resize(1920, 1080)
    stage.show()
    qtbot.waitUntil(lambda: stage.size().width() == 1920)
    assert stage.video_note == ""
    stage.resize(3840, 2160)
    qtbot.waitUntil(lambda: stage.video_note != "")
    assert "painted at 1920x1080 at most and scaled up to the 3840x2160 screen" in stage.video_note
    assert "set the screen to 1920x1080" in stage.video_note
    data = {"version": "t", "office": "o", "pid": 1, "started_at": 0.0}
    text = render(StatusReport({**data, "video_note": stage.video_note}, 0.0, True), 1.0)
    assert f"  video: {stage.video_note}" in text
    stage.deleteLater()
