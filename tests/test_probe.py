"""Playability probes: good media passes, every kind of broken file gets a reason."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KIOSK_AOUT", "dummy")

import struct
import threading
import zlib
from pathlib import Path

import pytest

from kiosk.media.probe import probe, probe_image, probe_video
from tests.mediagen import make_clip, make_image


@pytest.fixture(scope="module")
def good_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("probe") / "good.mp4", "green", 1.0)


def test_good_clip(good_clip: Path) -> None:
    assert probe_video(str(good_clip)) is None
    assert probe(str(good_clip)) is None


@pytest.mark.parametrize("ext", ["png", "jpg"])
def test_good_image(tmp_path: Path, ext: str) -> None:
    path = make_image(tmp_path / f"slide.{ext}", "blue")
    assert probe_image(str(path)) is None
    assert probe(str(path)) is None


def test_text_named_mp4(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("meeting at ten\n" * 100)
    reason = probe(str(path))
    assert reason and "no video track" in reason


def test_zero_byte_files(tmp_path: Path) -> None:
    for name in ("empty.mp4", "empty.png"):
        path = tmp_path / name
        path.write_bytes(b"")
        reason = probe(str(path))
        assert reason and "empty" in reason


def test_truncated_mp4(tmp_path: Path, good_clip: Path) -> None:
    data = good_clip.read_bytes()
    path = tmp_path / "half.mp4"
    path.write_bytes(data[: len(data) // 2])
    reason = probe(str(path))
    assert reason is not None


def test_missing_file(tmp_path: Path) -> None:
    for name in ("gone.mp4", "gone.png"):
        assert probe(str(tmp_path / name)) == "file not found"


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("x")
    assert probe(str(path)) == "not a supported file type"


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png(width: int, height: int, idat: bytes) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


@pytest.mark.qt_log_ignore(r"libpng.*", r".*PNG.*", r".*png.*")
def test_png_with_broken_body(tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(_png(64, 64, b"this is not zlib data at all" * 4))
    reason = probe_image(str(path))
    assert reason and "could not be decoded" in reason


@pytest.mark.qt_log_ignore(r"libpng.*", r".*PNG.*", r".*png.*")
def test_png_cut_short(tmp_path: Path) -> None:
    good = make_image(tmp_path / "good.png", "red", (320, 180))
    data = good.read_bytes()
    path = tmp_path / "cut.png"
    path.write_bytes(data[: len(data) // 2])
    assert probe_image(str(path)) is not None


def test_oversized_image_header_is_not_decoded(tmp_path: Path) -> None:
    # 60000x60000 would need 14 GB: the header alone must be enough to refuse it.
    path = tmp_path / "huge.png"
    raw = zlib.compress(b"\x00" * 16)
    path.write_bytes(_png(60000, 60000, raw))
    reason = probe_image(str(path))
    assert reason and "too large" in reason and "60000x60000" in reason


def test_image_limit_is_configurable(tmp_path: Path) -> None:
    path = make_image(tmp_path / "slide.png", "yellow", (160, 90))
    reason = probe_image(str(path), max_pixels=100 * 100)
    assert reason and "too large" in reason and "160x90" in reason
    assert probe_image(str(path), max_pixels=160 * 90) is None


def test_probe_runs_off_the_main_thread(good_clip: Path, tmp_path: Path) -> None:
    image = make_image(tmp_path / "slide.png", "cyan")
    results: dict[str, str | None] = {}

    def work() -> None:
        results["video"] = probe(str(good_clip))
        results["image"] = probe(str(image))

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(30)
    assert results == {"video": None, "image": None}
