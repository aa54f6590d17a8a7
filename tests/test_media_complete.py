"""A cut-off video is set aside as incomplete: ffmpeg-made files cut at many points.

The cut points are not a fixed list of sizes: every file is cut at a dozen fractions of its
length and at each of its own top-level structure edges (found with ffprobe-independent
means: the byte offsets of the box or element names), so a change of encoder output still
lands cuts inside the header, the index and the media data.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KIOSK_AOUT", "dummy")

import subprocess
import time
from pathlib import Path

import pytest

from kiosk.media.complete import check, incomplete
from kiosk.media.probe import probe
from tests.mediagen import FFMPEG, hexcolour

H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
FORMATS = {
    # name: (file name, ffmpeg output options)
    "mp4": ("clip.mp4", H264),
    "mp4-faststart": ("clip.mp4", [*H264, "-movflags", "+faststart"]),
    "mov": ("clip.mov", H264),
    "mkv": ("clip.mkv", H264),
    "webm": ("clip.webm", ["-c:v", "libvpx", "-b:v", "300k", "-deadline", "realtime"]),
    "3gp": ("clip.3gp", H264),
    "avi": ("clip.avi", ["-c:v", "mpeg4"]),
    "wmv": ("clip.wmv", ["-c:v", "wmv2"]),
}


def _make(path: Path, options: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    inputs = ["-f", "lavfi", "-i", f"color=c={hexcolour('blue')}:s=160x90:r=25:d=2"]
    inputs += ["-f", "lavfi", "-i", "sine=frequency=440:duration=2"]
    codec = {"libvpx": "libopus", "wmv2": "wmav2", "mpeg4": "mp3"}.get(options[1], "aac")
    rate = {"libopus": "48000"}.get(codec, "16000" if path.suffix == ".3gp" else "44100")
    sound = ["-c:a", codec, "-ar", rate, "-ac", "1"]
    cmd = [FFMPEG, "-nostdin", "-loglevel", "error", "-y", *inputs, *sound, *options]
    subprocess.run([*cmd, "-shortest", str(path)], check=True, timeout=60)
    return path


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("complete")
    return {name: _make(root / name / file, opts) for name, (file, opts) in FORMATS.items()}


def _cuts(data: bytes) -> list[int]:
    """A dozen fractions of the length, and each structure edge (before and inside it).

    Not below 12 bytes: shorter, a file does not say what it is (libVLC refuses it anyway).
    """
    n = len(data)
    cuts = {n * i // 13 for i in range(1, 13)} | {12, 13, n - 1}
    asf_data = bytes.fromhex("3626b2758e66cf11a6d900aa0062ce6c")  # the ASF data object
    names = (b"moov", b"mdat", b"free", b"\x18\x53\x80\x67", b"\x1f\x43\xb6\x75")
    for name in (*names, b"RIFF", b"LIST", b"movi", b"idx1", asf_data):
        at = data.find(name)
        while at != -1:
            start = at - 4 if name in names[:3] else at  # an ISO box begins with its size
            cuts |= {start, start + 6, at + len(name) + 2}
            at = data.find(name, at + 1)
    return sorted(c for c in cuts if 12 <= c < n)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_whole_files_are_complete(made: dict[str, Path], fmt: str) -> None:
    assert incomplete(str(made[fmt])) is None
    assert probe(str(made[fmt])) is None


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_cut_is_incomplete(made: dict[str, Path], fmt: str, tmp_path: Path) -> None:
    data = made[fmt].read_bytes()
    cuts = _cuts(data)
    assert len(cuts) >= 12
    missed = []
    for cut in cuts:

        def read(at: int, count: int, cut: int = cut) -> bytes:
            return data[at : min(at + count, cut)]

        reason = check(read, cut)
        if reason is None or not reason.startswith("incomplete:"):
            missed.append(cut)
    assert not missed, f"{fmt} ({len(data)} bytes): cuts not caught: {missed}"


@pytest.mark.parametrize("fmt", ["mkv", "mp4-faststart", "webm", "avi", "wmv"])
def test_the_probe_sets_aside_what_libvlc_would_play(
    made: dict[str, Path], fmt: str, tmp_path: Path
) -> None:
    """These formats play when cut (libVLC reads them as they come): the reason says why not,
    and "(still copying?)" only while the file could still be a copy under way."""
    data = made[fmt].read_bytes()
    cut = tmp_path / made[fmt].name
    cut.write_bytes(data[: len(data) * 2 // 3])
    reason = probe(str(cut))
    assert reason is not None
    assert reason.startswith("incomplete: the file declares ")
    assert reason.endswith(f"bytes but holds {cut.stat().st_size} (still copying?)")
    day_ago = time.time() - 86400
    os.utime(cut, (day_ago, day_ago))
    assert probe(str(cut)) == reason.replace(" (still copying?)", "; copy it again")


def test_trailing_bytes_and_unknown_formats_are_not_judged(
    made: dict[str, Path], tmp_path: Path
) -> None:
    longer = tmp_path / "longer.mkv"
    longer.write_bytes(made["mkv"].read_bytes() + b"\0" * 100)
    assert incomplete(str(longer)) is None
    text = tmp_path / "notes.mp4"
    text.write_text("meeting at ten\n" * 10)
    assert incomplete(str(text)) is None
    assert incomplete(str(tmp_path / "gone.mp4")) is None


def test_matroska_of_unknown_size_is_not_judged() -> None:
    # EBML header (empty body), then a Segment whose 8-byte size has every value bit set.
    data = b"\x1a\x45\xdf\xa3\x80" + b"\x18\x53\x80\x67\x01" + b"\xff" * 7 + b"\x00" * 20
    assert check(lambda at, count: data[at : at + count], len(data)) is None
    known = b"\x1a\x45\xdf\xa3\x80" + b"\x18\x53\x80\x67\xa0" + b"\x00" * 20  # 32 bytes
    assert check(lambda at, count: known[at : at + count], len(known)) == (
        f"incomplete: the file declares {10 + 32} bytes but holds {len(known)}"
    )
