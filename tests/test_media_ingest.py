"""A file delivered short (a sync tool's partial version, a copy that stalled) is set aside,
never played in part, and admitted once it has grown to its full size.

The real ingest (watchdog, quiet period, probes on its pool) on real ffmpeg-made files, cut
where their own structure says (inside the index, inside the media data) and at fractions of
their length, then completed in place as a copier would.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KIOSK_AOUT", "dummy")

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.media.probe import probe
from kiosk.sync.ingest import Ingest
from tests.mediagen import make_container_clip, run_ffmpeg

QUIET = 0.3
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("whole")
    mp4 = make_container_clip(folder / "clip.mp4", "blue", 2.0)
    fast = folder / "fast.mp4"
    run_ffmpeg(["-i", str(mp4), "-c", "copy", "-movflags", "+faststart", str(fast)])
    files = {"mp4": mp4, "mp4-index-first": fast}
    for ext in ("mkv", "webm", "avi", "wmv"):
        files[ext] = make_container_clip(folder / f"clip.{ext}", "blue", 2.0)
    return {name: path.read_bytes() for name, path in files.items()}


def cut_points(data: bytes) -> list[int]:
    """Inside the index, inside the media data, and a third and two thirds of the way."""
    points = {len(data) // 3, len(data) * 2 // 3}
    for name in (b"moov", b"mdat", b"\x1f\x43\xb6\x75", b"movi", b"idx1"):
        at = data.find(name)
        if at > 0:
            points.add(at + 16)
    return sorted(p for p in points if 16 < p < len(data) - 16)


@pytest.fixture
def ingest(sync_dir: Path) -> Iterator[Ingest]:
    ing = Ingest(sync_dir, quiet_s=QUIET, probe=probe)
    ing.start()
    yield ing
    ing.stop()


@pytest.mark.parametrize("fmt", ["mp4", "mp4-index-first", "mkv", "webm", "avi", "wmv"])
def test_a_file_that_grows_is_set_aside_until_complete(
    qtbot: QtBot, sync_dir: Path, ingest: Ingest, whole: dict[str, bytes], fmt: str
) -> None:
    data = whole[fmt]
    ext = ".mp4" if fmt.startswith("mp4") else f".{fmt}"
    ever_ready: list[tuple[str, int]] = []

    def watch() -> None:
        for f in ingest.library().files:
            ever_ready.append((f.rel, f.size))

    ingest.changed.connect(watch)
    for n, cut in enumerate(cut_points(data)):
        name = f"{n}-clip{ext}"
        path = sync_dir / name
        path.write_bytes(data[:cut])

        def refused(name: str = name) -> bool:
            return name in dict(ingest.library().rejected)

        def admitted(name: str = name) -> bool:
            return name in [f.rel for f in ingest.library().files]

        qtbot.waitUntil(refused, timeout=WAIT_MS)
        reason = dict(ingest.library().rejected)[name]
        assert reason.startswith("incomplete:"), f"cut at {cut} of {len(data)}: {reason}"
        assert reason.endswith("(still copying?)"), reason  # it was written a moment ago
        with open(path, "ab") as f:  # the copy resumes and completes
            f.write(data[cut:])
        qtbot.waitUntil(admitted, timeout=WAIT_MS)
        assert name not in dict(ingest.library().rejected)
    assert all(size == len(data) for _, size in ever_ready), "never admitted while short"
