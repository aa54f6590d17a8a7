"""The sync folder for real: files in a temporary folder, a real watchdog observer, real probes."""

from __future__ import annotations

import errno
import os
import shutil
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QTimer
from pytestqt.qtbot import QtBot
from watchdog.observers.api import BaseObserver

from kiosk.core.library import Library, lib_file
from kiosk.media.probe import probe
from kiosk.sync.ingest import Ingest
from kiosk.sync.playlist_source import ContentSource
from kiosk.sync.watcher import Watcher, fs_type, needs_polling
from tests.mediagen import make_image

QUIET = 0.5
RESCAN_S = 0.3


@pytest.fixture
def make_ingest(sync_dir: Path) -> Iterator[Callable[..., Ingest]]:
    made: list[Ingest] = []

    def make(
        mode: str = "auto",
        watcher: Watcher | None = None,
        quiet: float = QUIET,
        rescan: float = 60,
        root: Path = sync_dir,
        probe: Callable[[str], str | None] = probe,
    ) -> Ingest:
        ingest = Ingest(
            root, quiet_s=quiet, rescan_s=rescan, poll_mode=mode, probe=probe, watcher=watcher
        )
        made.append(ingest)
        ingest.start()
        return ingest

    yield make
    for ingest in made:
        ingest.stop()


def ready(ingest: Ingest) -> list[str]:
    return [f.rel for f in ingest.library().files]


def failed(ingest: Ingest) -> dict[str, str]:
    return dict(ingest.library().rejected)


def test_start_scan_admits_settled_files_after_probing(
    qtbot: QtBot, sync_dir: Path, clips: dict[str, Path], make_ingest: Callable[..., Ingest]
) -> None:
    shutil.copy(clips["red"], sync_dir / "10-red.mp4")
    shutil.copy(clips["green"], sync_dir / "2-green.mp4")
    make_image(sync_dir / "sub" / "1-yellow.png", "yellow")
    (sync_dir / "notes.txt").write_text("not media")
    (sync_dir / ".hidden.mp4").write_bytes(clips["red"].read_bytes())
    ingest = make_ingest()
    qtbot.waitUntil(lambda: len(ready(ingest)) == 3, timeout=10_000)
    assert ready(ingest) == ["2-green.mp4", "10-red.mp4", "sub/1-yellow.png"]
    assert ingest.info()["watching"] == "inotify"


def test_a_settled_folder_is_probed_on_the_first_turn_of_the_event_loop(
    qtbot: QtBot, sync_dir: Path, clips: dict[str, Path], make_ingest: Callable[..., Ingest]
) -> None:
    """At start-up the first clip waits for its probe only, not for a settle tick too (the
    50 ms floor of the tick put 50 ms between `kiosk run` and its first picture): one turn
    of the event loop after start() the probe is under way, with no more turns to wait for."""
    shutil.copy(clips["red"], sync_dir / "1-red.mp4")
    old = time.time() - 60
    os.utime(sync_dir / "1-red.mp4", (old, old))
    asked = threading.Event()

    def probe_and_tell(path: str) -> str | None:
        asked.set()
        return probe(path)

    ingest = make_ingest(quiet=2.0, probe=probe_and_tell)
    QCoreApplication.processEvents()  # one turn: timers already due fire, no others
    assert asked.wait(5), "the probe waited for a timer"
    qtbot.waitUntil(lambda: ready(ingest) == ["1-red.mp4"], timeout=10_000)


def test_slow_copy_never_enters_before_it_is_complete(
    qtbot: QtBot, sync_dir: Path, clips: dict[str, Path], make_ingest: Callable[..., Ingest]
) -> None:
    ingest = make_ingest()
    data = clips["blue"].read_bytes()  # a real clip, written in 8 chunks over ~2.4 s
    chunks = [data[i : i + len(data) // 8 + 1] for i in range(0, len(data), len(data) // 8 + 1)]
    target = sync_dir / "slow.mp4"
    seen: list[tuple[float, bool, int]] = []
    written, last_write = 0, 0.0

    def write_chunk() -> None:
        nonlocal written, last_write
        # Reopened for every chunk, as SMB clients and some copiers do.
        with open(target, "ab") as f:
            f.write(chunks[written])
        written += 1
        last_write = time.monotonic()
        if written == len(chunks):
            timer.stop()

    def on_change() -> None:
        inside = "slow.mp4" in ready(ingest)
        seen.append((time.monotonic(), inside, target.stat().st_size if inside else 0))

    ingest.changed.connect(on_change)
    timer = QTimer()
    timer.timeout.connect(write_chunk)
    timer.start(300)
    qtbot.waitUntil(lambda: "slow.mp4" in ready(ingest), timeout=15_000)
    timer.stop()
    entered = next(t for t, inside, _ in seen if inside)
    assert written == len(chunks)
    assert entered - last_write >= QUIET  # only after the quiet period
    assert entered - last_write < QUIET + 1.5
    assert all(size == len(data) for _, inside, size in seen if inside)
    assert "slow.mp4" not in failed(ingest)  # never even probed half-written


def test_syncthing_temp_then_rename_only_the_final_name_plays(
    qtbot: QtBot, sync_dir: Path, clips: dict[str, Path], make_ingest: Callable[..., Ingest]
) -> None:
    ingest = make_ingest()
    names: set[str] = set()

    def note_names() -> None:
        names.update(ready(ingest), failed(ingest))

    ingest.changed.connect(note_names)
    tmp = sync_dir / ".syncthing.clip.mp4.tmp"
    tmp.write_bytes(clips["red"].read_bytes()[:500])  # out-of-order blocks: never playable
    (sync_dir / "~syncthing~other.mp4.tmp").write_bytes(b"x")
    (sync_dir / "dl.mp4.part").write_bytes(b"x")
    (sync_dir / ".clip2.mp4.Ab12Cd").write_bytes(b"x")  # rsync's temporary name
    (sync_dir / "._clip.mp4").write_bytes(b"\0\5\26\7")  # macOS AppleDouble over SMB
    (sync_dir / "~$slides.png").write_bytes(b"x")  # an Office lock file
    tmp.write_bytes(clips["red"].read_bytes())
    os.rename(tmp, sync_dir / "clip.mp4")
    qtbot.waitUntil(lambda: ready(ingest) == ["clip.mp4"], timeout=10_000)
    assert names == {"clip.mp4"}
    assert failed(ingest) == {}


def test_broken_files_are_listed_with_reasons_and_retried_when_fixed(
    qtbot: QtBot, sync_dir: Path, clips: dict[str, Path], make_ingest: Callable[..., Ingest]
) -> None:
    good = clips["green"].read_bytes()
    (sync_dir / "truncated.mp4").write_bytes(good[: len(good) // 2])
    (sync_dir / "empty.mp4").write_bytes(b"")
    (sync_dir / "text.mp4").write_text("this is a text file, not a video")
    png = make_image(sync_dir / "ok.png", "yellow").read_bytes()
    (sync_dir / "broken.png").write_bytes(png[:40] + b"\0garbage" * 20)
    shutil.copy(clips["red"], sync_dir / "fine.mp4")
    ingest = make_ingest()
    broken = {"truncated.mp4", "empty.mp4", "text.mp4", "broken.png"}
    qtbot.waitUntil(lambda: set(failed(ingest)) == broken, timeout=20_000)
    qtbot.waitUntil(lambda: ready(ingest) == ["fine.mp4", "ok.png"], timeout=10_000)
    assert all(reason for reason in failed(ingest).values())
    assert (sync_dir / "text.mp4").read_text().startswith("this is")  # never modified
    status = {f["file"]: f["reason"] for f in ingest.info()["failed"]}
    assert set(status) == broken
    (sync_dir / "text.mp4").write_bytes(good)  # the admin replaces it with a real clip
    qtbot.waitUntil(lambda: "text.mp4" in ready(ingest), timeout=10_000)
    assert "text.mp4" not in failed(ingest)


def test_deletions_and_renames_are_followed(
    qtbot: QtBot, sync_dir: Path, clips: dict[str, Path], make_ingest: Callable[..., Ingest]
) -> None:
    for c in ("red", "green", "blue"):
        shutil.copy(clips[c], sync_dir / f"{c}.mp4")
    ingest = make_ingest()
    qtbot.waitUntil(lambda: len(ready(ingest)) == 3, timeout=10_000)
    with qtbot.waitSignal(ingest.gone, timeout=5000) as gone:
        (sync_dir / "red.mp4").unlink()
    assert gone.args == [str(sync_dir / "red.mp4")]
    os.rename(sync_dir / "green.mp4", sync_dir / "0-green.mp4")
    qtbot.waitUntil(lambda: ready(ingest) == ["0-green.mp4", "blue.mp4"], timeout=10_000)
    (sync_dir / "sub").mkdir()
    os.rename(sync_dir / "blue.mp4", sync_dir / "sub" / "blue.mp4")
    qtbot.waitUntil(lambda: ready(ingest) == ["0-green.mp4", "sub/blue.mp4"], timeout=10_000)
    for p in sync_dir.rglob("*.mp4"):
        p.unlink()
    qtbot.waitUntil(lambda: ready(ingest) == [], timeout=5000)


def test_folder_deleted_and_recreated_is_picked_up_again(
    qtbot: QtBot, sync_dir: Path, clips: dict[str, Path], make_ingest: Callable[..., Ingest]
) -> None:
    shutil.copy(clips["red"], sync_dir / "red.mp4")
    ingest = make_ingest()
    qtbot.waitUntil(lambda: ready(ingest) == ["red.mp4"], timeout=10_000)
    shutil.rmtree(sync_dir)
    qtbot.waitUntil(lambda: ready(ingest) == [] and not ingest.info()["readable"], timeout=8000)
    sync_dir.mkdir()
    shutil.copy(clips["green"], sync_dir / "green.mp4")
    qtbot.waitUntil(lambda: ready(ingest) == ["green.mp4"], timeout=10_000)
    assert ingest.info()["readable"] and ingest.info()["watching"] == "inotify"
    shutil.copy(clips["blue"], sync_dir / "blue.mp4")  # and it is watched again
    qtbot.waitUntil(lambda: ready(ingest) == ["blue.mp4", "green.mp4"], timeout=10_000)


def test_nfd_and_vietnamese_names(
    qtbot: QtBot, sync_dir: Path, clips: dict[str, Path], make_ingest: Callable[..., Ingest]
) -> None:
    nfd = unicodedata.normalize("NFD", "Hướng dẫn nộp hồ sơ 10.mp4")
    shutil.copy(clips["red"], sync_dir / nfd)
    shutil.copy(clips["green"], sync_dir / "Hướng dẫn nộp hồ sơ 9.mp4")
    ingest = make_ingest()
    qtbot.waitUntil(lambda: len(ready(ingest)) == 2, timeout=10_000)
    assert ready(ingest) == ["Hướng dẫn nộp hồ sơ 9.mp4", "Hướng dẫn nộp hồ sơ 10.mp4"]
    lib = ingest.library()
    assert lib.files[1].path == str(sync_dir / nfd)  # opened by its real (NFD) name


class _NoInotify(BaseObserver):
    def __init__(self) -> None:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"mode": "always"}, "sync.poll is 'always'"),
        ({"fs_type_of": lambda _p: "cifs"}, "cifs is a network filesystem"),
        ({"make_inotify": _NoInotify}, "inotify watch limit"),
    ],
)
def test_polling_fallback_sees_new_files(
    qtbot: QtBot,
    sync_dir: Path,
    clips: dict[str, Path],
    make_ingest: Callable[..., Ingest],
    kwargs: dict[str, Any],
    why: str,
) -> None:
    mode = str(kwargs.pop("mode", "auto"))
    watcher = Watcher(str(sync_dir), mode, poll_interval=0.3, **kwargs)
    ingest = make_ingest(mode=mode, watcher=watcher)
    assert ingest.info()["watching"].startswith("polling"), ingest.info()
    assert why in ingest.info()["watching"]
    shutil.copy(clips["red"], sync_dir / "red.mp4")
    qtbot.waitUntil(lambda: ready(ingest) == ["red.mp4"], timeout=10_000)
    (sync_dir / "red.mp4").unlink()
    qtbot.waitUntil(lambda: ready(ingest) == [], timeout=10_000)


def test_fs_type_reads_the_mount_table(tmp_path: Path) -> None:
    mounts = tmp_path / "mounts"
    mounts.write_text(
        "/dev/vda / ext4 rw 0 0\n//nas/share /srv/kiosk cifs rw 0 0\n"
        "server:/x /srv/kiosk/nfs nfs4 rw 0 0\nsshfs#a /mnt/my\\040share fuse.sshfs rw 0 0\n"
    )
    assert fs_type("/srv/kiosk/sync", str(mounts)) == "cifs"
    assert fs_type("/srv/kiosk/nfs/a", str(mounts)) == "nfs4"
    assert fs_type("/mnt/my share/x", str(mounts)) == "fuse.sshfs"
    assert fs_type("/home", str(mounts)) == "ext4"
    assert needs_polling("cifs") and needs_polling("fuse.sshfs") and not needs_polling("ext4")


def test_rescan_is_the_safety_net_for_lost_events(
    qtbot: QtBot, tmp_path: Path, clips: dict[str, Path], make_ingest: Callable[..., Ingest]
) -> None:
    """Two folders lose the same event: the one with a rescan due gets the file, the other
    (no rescan within the test) does not, in twice the time the first one needed."""
    ingests: dict[float, Ingest] = {}
    seen: dict[float, set[str]] = {}
    for rescan in (RESCAN_S, 60.0):
        root = tmp_path / f"rescan-{rescan:g}s"
        root.mkdir()
        ingest = ingests[rescan] = make_ingest(rescan=rescan, root=root, quiet=0.2)
        ingest.watcher.stop()  # events lost (an overflowed queue, a share that says nothing)
        seen[rescan] = set()
        ingest.changed.connect(
            lambda i=ingest, s=seen[rescan]: s.update(ready(i), failed(i), i.info()["arriving"])
        )
        shutil.copy(clips["red"], root / "red.mp4")
    start = time.monotonic()
    qtbot.waitUntil(lambda: ready(ingests[RESCAN_S]) == ["red.mp4"], timeout=10_000)
    qtbot.wait(int((time.monotonic() - start) * 1000))
    assert seen[60.0] == set(), "the file came in without a rescan: the test proves nothing"
    assert ready(ingests[60.0]) == [] and ingests[60.0].info()["arriving"] == []


def test_five_thousand_files_scan(
    qtbot: QtBot, sync_dir: Path, slide: Path, make_ingest: Callable[..., Ingest]
) -> None:
    data = slide.read_bytes()
    for i in range(50):
        d = sync_dir / f"d{i}"
        d.mkdir()
        for j in range(99):
            (d / f"note-{j}.txt").write_text("x")
        (d / f"{i}.png").write_bytes(data)
    ingest = make_ingest()
    assert len(ingest.index) == 50  # the 4,950 text files cost a stat at most
    qtbot.waitUntil(lambda: len(ready(ingest)) == 50, timeout=20_000)
    assert ready(ingest)[:3] == ["d0/0.png", "d1/1.png", "d2/2.png"]


def _lib(root: Path, *names: str) -> Library:
    files = [f for n in names if (f := lib_file(n, str(root / n))) is not None]
    return Library.build(str(root), files)


def test_folder_playlist_yaml_orders_and_the_rest_follows(sync_dir: Path) -> None:
    names = ("1-a.mp4", "2-b.png", "3-c.mp4", "10-d.png")
    source = ContentSource(sync_dir, None, 10.0, lambda: _lib(sync_dir, *names))
    assert [i.rel for i in source().items] == list(names)
    (sync_dir / "playlist.yaml").write_text(
        "items:\n  - file: 3-c.mp4\n  - file: 10-d.png\n    duration: 4\n", encoding="utf-8"
    )
    pl = source()
    assert [i.rel for i in pl.items] == ["3-c.mp4", "10-d.png", "1-a.mp4", "2-b.png"]
    assert [i.duration for i in pl.items] == [None, 4.0, None, 10.0]
    (sync_dir / "playlist.yaml").write_text("items:\n  - file: 3-c.mp4\n  dur: [\n")
    pl = source()  # broken: the last good one goes on, the problem is reported
    assert [i.rel for i in pl.items] == ["3-c.mp4", "10-d.png", "1-a.mp4", "2-b.png"]
    assert str(pl.problems[0]).startswith(f"{sync_dir / 'playlist.yaml'}:")
    (sync_dir / "playlist.yaml").unlink()
    assert [i.rel for i in source().items] == list(names)


def test_broken_folder_playlist_at_start_plays_the_folder(sync_dir: Path) -> None:
    (sync_dir / "playlist.yaml").write_text("items: [\n", encoding="utf-8")
    source = ContentSource(sync_dir, None, 10.0, lambda: _lib(sync_dir, "b.mp4", "a.mp4"))
    pl = source()
    assert [i.rel for i in pl.items] == ["a.mp4", "b.mp4"]
    assert pl.problems and str(pl.problems[0]).startswith(f"{sync_dir / 'playlist.yaml'}:2:1")


def test_a_procedure_slide_brings_its_own_duration_and_dates(sync_dir: Path) -> None:
    (sync_dir / "1-old.md").write_text(
        "---\nduration: 25\nvalid_until: 2020-01-31\n---\n# Thủ tục cũ\n\n1. Bước một\n",
        encoding="utf-8",
    )
    (sync_dir / "2-new.md").write_text("# Thủ tục mới\n\n1. Bước một\n", encoding="utf-8")
    names = ("1-old.md", "2-new.md")
    source = ContentSource(sync_dir, None, 10.0, lambda: _lib(sync_dir, *names))
    old, new = source().items
    assert (old.duration, new.duration) == (25.0, 10.0)
    assert old.schedule is not None and str(old.schedule.valid_until) == "2020-01-31"
    (sync_dir / "playlist.yaml").write_text(
        "items:\n  - file: 1-old.md\n    duration: 5\n", encoding="utf-8"
    )
    assert source().items[0].duration == 5.0  # the playlist's word beats the slide's
