"""screenshot.jpg: small, decodable, replaced atomically, and a bad disk is a reason."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from kiosk.state import screenshot
from kiosk.state.screenshot import SCREENSHOT_FILE, save_screenshot


def picture(width: int, height: int, colour: str = "red") -> QImage:
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor(colour))
    return image


def test_saves_a_small_jpeg(qtbot: QtBot, tmp_path: Path) -> None:
    result = save_screenshot(picture(1920, 1080), tmp_path)
    assert result == tmp_path / SCREENSHOT_FILE
    assert isinstance(result, Path)
    data = result.read_bytes()
    assert data[:3] == b"\xff\xd8\xff"  # JPEG SOI
    assert len(data) < 100_000
    back = QImage(str(result))
    assert not back.isNull()
    assert (back.width(), back.height()) == (640, 360)
    pixel = back.pixelColor(320, 180)
    assert pixel.red() > 200 and pixel.green() < 50 and pixel.blue() < 50
    assert sorted(p.name for p in tmp_path.iterdir()) == [SCREENSHOT_FILE]


def test_small_images_are_not_scaled_up(qtbot: QtBot, tmp_path: Path) -> None:
    result = save_screenshot(picture(320, 200), tmp_path, max_width=640)
    assert isinstance(result, Path)
    assert QImage(str(result)).width() == 320


def test_replaces_the_previous_one(qtbot: QtBot, tmp_path: Path) -> None:
    save_screenshot(picture(800, 450, "red"), tmp_path)
    result = save_screenshot(picture(800, 450, "blue"), tmp_path)
    assert isinstance(result, Path)
    assert QImage(str(result)).pixelColor(10, 10).blue() > 200
    assert sorted(p.name for p in tmp_path.iterdir()) == [SCREENSHOT_FILE]


def test_empty_image_is_a_reason(qtbot: QtBot, tmp_path: Path) -> None:
    assert isinstance(save_screenshot(QImage(), tmp_path), str)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_state_dir_is_a_reason(qtbot: QtBot, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = save_screenshot(picture(100, 100), blocker / "state")
    assert isinstance(result, str) and result.startswith("cannot write")


def test_disk_full_leaves_the_old_picture_and_no_temp(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = save_screenshot(picture(100, 100, "green"), tmp_path)
    assert isinstance(first, Path)
    before = first.read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(screenshot.os, "fsync", full)
    result = save_screenshot(picture(100, 100, "blue"), tmp_path)
    assert isinstance(result, str) and "No space left" in result
    assert first.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [SCREENSHOT_FILE]
