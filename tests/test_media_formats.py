"""Every container offices have plays; every other file is listed, with what to do.

Real files made by ffmpeg in the container (and with the codecs) each extension stands for,
probed and played through kiosk's own libVLC player; the sync folder listed as the ingest,
`kiosk check` and `kiosk status` see it.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KIOSK_AOUT", "dummy")

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kiosk.core.model import VIDEO_EXTENSIONS, Kind, kind_of
from kiosk.media.formats import unplayable_reason
from kiosk.media.gif import gif_timing
from kiosk.media.probe import probe
from kiosk.media.shape import display_size
from kiosk.playback.mediaopts import GIF_MIN_SECONDS, media_options
from kiosk.state.status import StatusReport
from kiosk.state.statusview import render
from kiosk.sync.ingest import Ingest
from kiosk.sync.scan import walk
from tests.mediagen import CONTAINERS, classify, make_clip, make_container_clip, run_ffmpeg
from tests.vlcbackend import backend_fixture  # noqa: F401  (the `backend` fixture)

WAIT_MS = 10_000


@pytest.fixture(scope="module")
def containers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("containers")
    return {ext: make_container_clip(folder / f"clip{ext}", "green", 2.0) for ext in CONTAINERS}


def test_every_container_is_a_video() -> None:
    asked = ".mp4 .m4v .mov .3gp .mkv .webm .avi .wmv .asf .flv .mpg .mpeg .vob .ts .mts .m2ts"
    assert {*asked.split(" "), ".gif"} <= VIDEO_EXTENSIONS
    assert set(CONTAINERS) | {".gif"} == VIDEO_EXTENSIONS  # each one is made and played here
    for ext in VIDEO_EXTENSIONS:
        assert kind_of(f"Clip{ext.upper()}") is Kind.VIDEO


def _centre(image: QImage) -> str:
    c = image.pixelColor(image.width() // 2, image.height() // 2)
    return classify((c.red(), c.green(), c.blue()))


def _first_frames(qtbot: QtBot, player: Any, path: str, count: int = 3) -> list[QImage]:
    frames: list[QImage] = []
    failures: list[str] = []
    player.frame.connect(frames.append)
    player.failed.connect(failures.append)
    player.ready.connect(player.show)
    try:
        player.load(path)
        qtbot.waitUntil(lambda: len(frames) >= count or bool(failures), timeout=WAIT_MS)
    finally:
        player.stop()
        player.frame.disconnect(frames.append)
        player.failed.disconnect(failures.append)
        player.ready.disconnect(player.show)
    assert not failures, f"{path}: {failures}"
    return frames


@pytest.mark.parametrize("ext", sorted(CONTAINERS))
def test_each_container_probes_and_plays(
    qtbot: QtBot, backend: Any, containers: dict[str, Path], ext: str
) -> None:
    path = containers[ext]
    assert probe(str(path)) is None
    player = backend.player(start_timeout=5.0)
    try:
        frames = _first_frames(qtbot, player, str(path))
    finally:
        player.close()
    assert {_centre(f) for f in frames} == {"green"}
    shown = display_size(frames[0])  # TS with H.264 comes out at its coded 160x98
    assert abs(shown.width() / shown.height() - 160 / 96) < 0.01, f"{ext}: {shown}"


def test_an_interlaced_mpeg2_ts_is_admitted(tmp_path: Path) -> None:
    """The issue's broadcast recording: MPEG-TS says the picture size only once a picture is
    decoded, and libVLC's preparser reports a track of size 0: the probe decodes one."""
    from kiosk.playback.vlcprobe import parse_media

    path = tmp_path / "broadcast.ts"
    run_ffmpeg(
        [
            *("-f", "lavfi", "-i", "testsrc=s=720x576:r=50:d=2"),
            *("-vf", "tinterlace=interleave_top,setfield=tff,setsar=64/45"),
            *("-c:v", "mpeg2video", "-flags", "+ilme+ildct", "-top", "1", "-b:v", "4M"),
            *("-f", "mpegts", str(path)),
        ]
    )
    preparsed = parse_media(str(path))
    assert not any(t.known for t in preparsed.video), "the container says no size: the case"
    assert probe(str(path)) is None


def test_gif_timing_and_how_it_plays(tmp_path: Path) -> None:
    animated = make_container_clip(tmp_path / "flash.gif", "red", 1.2)
    timing = gif_timing(animated.read_bytes())
    assert timing is not None and timing.animated
    assert abs(timing.seconds - 1.2) < 0.1
    repeats = int(media_options(str(animated))[1].split("=")[1])
    assert ":demux=avformat" in media_options(str(animated))
    assert repeats * timing.seconds < GIF_MIN_SECONDS <= (repeats + 1) * timing.seconds
    still = tmp_path / "still.gif"
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=32x32:d=0.1", "-frames:v", "1", str(still)])
    assert media_options(str(still)) == (f":image-duration={GIF_MIN_SECONDS:g}",)
    assert media_options(str(tmp_path / "clip.mp4")) == ()
    assert media_options(str(tmp_path / "tv.ts")) == (":no-ts-trust-pcr",)
    assert gif_timing(b"not a gif at all") is None


def test_an_animated_gif_plays_as_a_clip_repeated_whole(
    qtbot: QtBot, backend: Any, tmp_path: Path
) -> None:
    gif = make_container_clip(tmp_path / "flash.gif", "red", 2.5)
    assert probe(str(gif)) is None
    player = backend.player(start_timeout=5.0)
    seen: set[str] = set()
    times: dict[str, float] = {}
    player.frame.connect(lambda image: seen.add(_centre(image)))
    player.started.connect(lambda: times.setdefault("started", time.monotonic()))
    player.finished.connect(lambda: times.setdefault("finished", time.monotonic()))
    player.ready.connect(player.show)
    try:
        player.load(str(gif))
        qtbot.waitUntil(lambda: "finished" in times, timeout=int(GIF_MIN_SECONDS * 1000) + 8000)
    finally:
        player.close()
    assert seen >= {"red", "black"}, "animated, not its first picture held"
    on_screen = times["finished"] - times["started"]
    assert 4 * 2.5 - 0.5 <= on_screen <= 4 * 2.5 + 1.5, on_screen  # 4 whole runs: 10 s


# ------------------------------------------------------------------------ what is never shown

NEVER = {
    "photo.HEIC": "HEIC",
    "report.docx": "save it as PDF",
    "slides.pptx": "export it as a video",
    "song.mp3": "sound file",
    "notes.txt": "procedure slide",
    "archive.zip": "unpack",
    "old.ogv": "convert it to MP4",
    "thing.xyz": "not a format kiosk plays",
    "no-extension": "not a format kiosk plays",
}
SILENT = (
    "Thumbs.db",
    "desktop.ini",
    ".DS_Store",
    "._clip.mp4",
    "clip.mp4.part",
    ".syncthing.clip.mp4.tmp",
    "~syncthing~clip.mp4.tmp",
    "~$report.docx",
    "clip.mp4.crdownload",
    "playlist.yaml",
    "ticker.txt",
    "README.md",
    "1-red.mp4.yaml",
)


def _fill(folder: Path) -> None:
    make_clip(folder / "1-red.mp4", "red", 0.5)
    for name in (*NEVER, *SILENT):
        (folder / name).write_bytes(b"x")
    (folder / "sub").mkdir()
    (folder / "sub" / "scan.pdfx").write_bytes(b"x")


def test_files_never_shown_are_listed_and_only_temporary_and_system_names_are_silent(
    tmp_path: Path,
) -> None:
    _fill(tmp_path)
    listing = walk(tmp_path)
    assert set(listing.files) == {"1-red.mp4"}
    assert set(listing.unplayable) == {*NEVER, "sub/scan.pdfx"}
    for name, words in NEVER.items():
        assert words in listing.unplayable[name], listing.unplayable[name]
    for name in SILENT:
        assert unplayable_reason(name) is None, name


def test_kiosk_check_warns_about_each_with_what_to_do(tmp_path: Path) -> None:
    sync = tmp_path / "sync"
    sync.mkdir()
    _fill(sync)
    (sync / "playlist.yaml").unlink()  # the player's own files, read as such: not this test's
    (sync / "1-red.mp4.yaml").unlink()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KIOSK_AOUT="dummy")
    env.pop("KIOSK_CONFIG", None)
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "check", "--sync-dir", str(sync)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr  # warnings only
    warnings = [line for line in out.stdout.splitlines() if ": warning: never shown: " in line]
    assert len(warnings) == len(NEVER) + 1, out.stdout
    assert f"{sync / 'photo.HEIC'}: warning: never shown: a HEIC" in out.stdout
    assert f"0 error(s), {len(NEVER) + 1} warning(s)" in out.stdout


def test_the_ingest_lists_them_live_and_kiosk_status_shows_them(
    qtbot: QtBot, sync_dir: Path
) -> None:
    _fill(sync_dir)
    ingest = Ingest(sync_dir, quiet_s=0.3, probe=probe)
    ingest.start()
    try:
        listed: Callable[[], set[str]] = lambda: {u["file"] for u in ingest.info()["unplayable"]}  # noqa: E731
        assert listed() == {*NEVER, "sub/scan.pdfx"}
        (sync_dir / "later.heic").write_bytes(b"x")
        (sync_dir / "report.docx").unlink()
        qtbot.waitUntil(lambda: "later.heic" in listed(), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: "report.docx" not in listed(), timeout=WAIT_MS)
        (sync_dir / "sub" / "scan.pdfx").unlink()
        (sync_dir / "sub").rmdir()
        qtbot.waitUntil(lambda: "sub/scan.pdfx" not in listed(), timeout=WAIT_MS)
        info = ingest.info()
    finally:
        ingest.stop()
    now = time.time()
    data = {"version": "t", "office": "o", "pid": 1, "started_at": now, "sync": info}
    text = render(StatusReport(data, 0.0, True), now)
    assert f"never shown ({len(info['unplayable'])}):" in text
    assert "    later.heic: a HEIC/HEIF photo" in text
    assert "no problems" not in text


def test_a_transport_stream_does_not_hold_its_first_picture_long(
    qtbot: QtBot, backend: Any, containers: dict[str, Path]
) -> None:
    """libVLC shows a TS's first picture, then waited ~0.8 s for the stream clock before the
    second (a frozen start at every TV recording); timed by the pictures' own stamps, ~0.2."""
    player = backend.player(start_timeout=5.0)
    times: list[float] = []
    player.frame.connect(lambda _image: times.append(time.monotonic()))
    player.ready.connect(player.show)
    try:
        player.load(str(containers[".ts"]))
        qtbot.waitUntil(lambda: len(times) >= 3, timeout=WAIT_MS)
    finally:
        player.close()
    assert times[1] - times[0] < 0.4, f"first picture held {times[1] - times[0]:.2f} s"
