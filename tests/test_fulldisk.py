"""A full disk: the state folder's, then the sync folder's, on a small tmpfs that fills up.

Playback must go on, the status must say what could not be written, and writing must resume
by itself when space returns; a copy into the sync folder that can never finish must not
block the loop. Mounting a size-limited tmpfs needs root (CI runs as root).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import KioskRun, status_json
from tests.mediagen import make_clip, make_image, run_ffmpeg
from tests.xserver import ScreenGrab, Xvfb

pytestmark = pytest.mark.xvfb


@contextlib.contextmanager
def small_disk(path: Path, size: str) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a size-limited tmpfs needs root (CI runs as root)")
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here (a container without CAP_SYS_ADMIN?): {done.stderr}"
        )
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(path: Path, source: bytes | None = None) -> int:
    """Writes `source` (else zeros, without end) into `path` until the disk refuses, as a copy
    does; returns the bytes written."""
    written = 0
    with open(path, "wb", buffering=0) as f:
        while source is None or written < len(source):
            chunk = b"\0" * 65536 if source is None else source[written : written + 65536]
            try:
                written += f.write(chunk) or 0
            except OSError:
                break
    return written


def top_up(path: Path) -> None:
    """Fills the free end of `path`'s last block with empty lines: on a full disk, the next
    line appended to it needs a new block, and fails."""
    st = path.stat()
    slack = st.st_blocks * 512 - st.st_size
    with open(path, "ab", buffering=0) as f:
        f.write(b"\n" * max(0, slack))


def proof_files(state: Path) -> list[dict[str, object]]:
    out = []
    for f in sorted((state / "proof-of-play").glob("*.jsonl")):
        for line in f.read_bytes().split(b"\n"):
            with contextlib.suppress(ValueError):
                out.append(json.loads(line))
    return out


def played(state: Path) -> int:
    counters = status_json(state).get("counters")
    return int(counters.get("played", 0)) if isinstance(counters, dict) else 0


def test_a_status_rewritten_in_place_keeps_what_matters_within_its_blocks(
    tmp_path: Path,
) -> None:
    """However much there is to say, the in-place rewrite fits the blocks the file has, and
    keeps what `kiosk status` needs: alive or not, what is on screen, what cannot be written."""
    from kiosk.core.msg import _, to_json
    from kiosk.state.status import read_status, write_in_place

    path = tmp_path / "status.json"
    path.write_text("{}")
    room = max(path.stat().st_size, path.stat().st_blocks * 512)
    folder = "/srv/" + "trạng-thái/" * 20
    cannot = [
        _("cannot write {path}: {why}", path=f"{folder}{n}", why=_("No space left on device"))
        for n in range(6)
    ]
    status = {
        "version": "1",
        "state": "running",
        "updated_at": time.time(),
        "now": {"state": "video", "file": "1-red.mp4"},
        "counters": {"played": 7},
        "recent_errors": ["x" * 500] * 20,
        "display": {"not_used": ["y" * 300] * 5},
        "problems": ["z" * 200] * 10,
        "cannot_write": [str(c) for c in cannot],
        "cannot_write_msg": [to_json(c) for c in cannot],
    }
    write_in_place(path, status)
    assert path.stat().st_size == room  # not a byte more than it had
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["now"]["file"] == "1-red.mp4" and data["counters"]["played"] == 7
    assert data["cannot_write"] == status["cannot_write"]
    assert read_status(tmp_path).data["state"] == "running"


def test_state_folder_fills_up_and_frees(
    xvfb: Xvfb, tmp_path: Path, sync_dir: Path, run_kiosk: KioskRun, qtbot: QtBot
) -> None:
    make_clip(sync_dir / "1-red.mp4", "red", seconds=0.5)
    make_image(sync_dir / "2-blue.png", "blue")
    make_clip(sync_dir / "3-green.mp4", "green", seconds=0.5)
    config = tmp_path / "office.yaml"
    config.write_text("slides:\n  duration: 1\nscreenshot:\n  every_seconds: 5\n", encoding="utf-8")
    with small_disk(run_kiosk.state, "1m") as state:
        grab = ScreenGrab(xvfb.display, xvfb.width, xvfb.height).start()
        try:
            run_kiosk("--sync-dir", str(sync_dir), "--config", str(config))
            qtbot.waitUntil(
                lambda: run_kiosk.alive() and len(proof_files(state)) >= 2, timeout=20_000
            )
            filler = state / "filler"
            fill(filler)  # the disk is full now, but for the last blocks of the open files:
            top_up(state / "kiosk.log")  # so that the next line of each fails for sure
            for day_file in (state / "proof-of-play").glob("*.jsonl"):
                top_up(day_file)
            full_since = time.time()
            full_at = len(grab.colours)
            lines_when_full = len(proof_files(state))

            def says_full() -> bool:
                cannot = status_json(state).get("cannot_write") or []
                text = " ".join(str(c) for c in cannot)
                return "proof-of-play" in text and "disk is" in text

            qtbot.waitUntil(lambda: run_kiosk.alive() and says_full(), timeout=40_000)
            # Counted from a status written while full: one read before could be seconds old,
            # and count items that started before the disk filled.
            played_when_full = played(state)
            out = subprocess.run(
                [sys.executable, "-m", "kiosk", "status", "--state-dir", str(state)],
                capture_output=True,
                text=True,
                timeout=30,
            )
            assert "running" in out.stdout and "cannot write (playback goes on):" in out.stdout
            assert "No space left on device" in out.stdout, out.stdout
            # Playback went on: all three items seen again after the disk filled.
            qtbot.waitUntil(
                lambda: (
                    run_kiosk.alive()
                    and {"red", "blue", "green"} <= {c for _, c in grab.colours[full_at:]}
                ),
                timeout=20_000,
            )
            qtbot.waitUntil(lambda: played(state) >= played_when_full + 4, timeout=20_000)
            shown_while_full = played(state)
            full_until = time.time()
            filler.unlink()  # space returns

            def resumed() -> bool:
                status = status_json(state)
                return not status.get("cannot_write") and played(state) > shown_while_full

            qtbot.waitUntil(lambda: run_kiosk.alive() and resumed(), timeout=30_000)
            # The lines the full disk refused were kept and written once it had room.
            records = proof_files(state)
            assert len(records) > lines_when_full + 2, records
            while_full = [
                r
                for r in records
                if full_since < datetime.fromisoformat(str(r["start"])).timestamp() < full_until
            ]
            assert len(while_full) >= 3, records  # the items shown while the disk was full
        finally:
            grab.stop()
            run_kiosk.stop()
    stderr = run_kiosk.stderr.read_text(errors="replace")
    assert "Traceback" not in stderr, stderr
    assert "writing the log file" in stderr and "works again" in stderr, stderr


def test_sync_folder_fills_up_with_a_copy_that_never_ends(
    xvfb: Xvfb, tmp_path: Path, run_kiosk: KioskRun, qtbot: QtBot
) -> None:
    big = tmp_path / "big.mp4"  # a real clip, larger than the room left on the sync disk
    run_ffmpeg(
        [
            *("-f", "lavfi", "-i", "nullsrc=s=640x360:r=25:d=2", "-vf", "noise=alls=100:allf=t+u"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-b:v", "20M", "-pix_fmt", "yuv420p"),
            str(big),
        ]
    )
    config = tmp_path / "office.yaml"
    config.write_text("slides:\n  duration: 1\nsync:\n  quiet_seconds: 0.5\n", encoding="utf-8")
    with small_disk(tmp_path / "sync", "2m") as sync:
        make_clip(sync / "1-red.mp4", "red", seconds=0.5)
        make_image(sync / "2-blue.png", "blue")
        run_kiosk("--sync-dir", str(sync), "--config", str(config))
        state = run_kiosk.state
        qtbot.waitUntil(lambda: run_kiosk.alive() and played(state) >= 2, timeout=20_000)
        data = big.read_bytes()
        assert fill(sync / "3-big.mp4", data) < len(data)  # the copy stopped: disk full
        before = played(state)

        def set_aside() -> bool:
            failed = status_json(state).get("failed") or []
            return any(f.get("file") == "3-big.mp4" for f in failed)

        qtbot.waitUntil(lambda: run_kiosk.alive() and set_aside(), timeout=20_000)
        qtbot.waitUntil(lambda: run_kiosk.alive() and played(state) >= before + 6, timeout=20_000)
        status = status_json(state)
        assert status["counters"]["stalls"] == 0, status
        run_kiosk.stop()
    stderr = run_kiosk.stderr.read_text(errors="replace")
    assert "Traceback" not in stderr, stderr
