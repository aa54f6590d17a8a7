"""A primed clip holds its *first* frame: real libVLC, a 1080p frame-numbered clip.

With libVLC's default frame-threaded decoding, about 1 prime in 12 came up on frame 1 (the
first picture arrived behind its successor's date and was dropped): the incoming clip then
started one frame in. 40 primes make such a regression show up ~97 % of the time.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sys
from pathlib import Path

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kiosk.playback.vlc import VlcBackend

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from gapslib import frames as coded
from gapslib.media import encode_clip

PRIMES = 40


def frame_number(image: QImage) -> int | None:
    small = image.scaled(coded.THUMB_W, coded.THUMB_H).convertToFormat(QImage.Format.Format_RGB888)
    return coded.decode(bytes(small.constBits())).frame


def test_every_prime_holds_frame_zero(qtbot: QtBot, tmp_path: Path) -> None:
    clip = str(encode_clip(tmp_path / "magenta.mp4", 1920, 1080, "magenta", 15))
    backend = VlcBackend(dummy_audio=True)
    player = backend.player(start_timeout=5.0)
    firsts: list[int | None] = []
    player.frame.connect(lambda image: firsts.append(frame_number(image)))
    try:
        for _ in range(PRIMES):
            with qtbot.waitSignal(player.ready, timeout=8000):
                player.load(clip)
            player.show()  # emits the held picture before it returns
            player.stop()
    finally:
        player.close()
        backend.close()
    assert len(firsts) == PRIMES
    assert firsts == [0] * PRIMES, f"frames held: {firsts}"
