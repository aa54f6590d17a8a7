"""bench/sync_latency: how fast a dropped file joins the rotation, and what watching costs.

Prints, for the kiosk ingest (watchdog + quiet period + libVLC probe) and, measured in the
same run, for the floor it is built on (a bare watchdog observer reporting the same writes):
  - latency from a file's last write to its entry in the rotation (median, max) over N drops
  - CPU while idle-watching a folder of 5,000 files (% of one core)
  - a full scan of those 5,000 files (wall and CPU), against `find -type f`
  - the cost of one event in an empty folder and in the 5,000-file folder
Usage: .venv/bin/python bench/sync_latency.py [--drops 20] [--quiet 2] [--idle 10]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KIOSK_AOUT", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
from PySide6.QtGui import QGuiApplication
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from kiosk.media.probe import probe
from kiosk.sync.ingest import Ingest
from kiosk.sync.scan import walk
from tests.mediagen import make_clip


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def spin(seconds: float) -> None:
    """Run the Qt loop for `seconds` (the bench's own waiting, not a test)."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def wait_for(cond: Callable[[], bool], timeout: float) -> bool:
    """Wait in the Qt event loop (blocked, not spinning: a busy loop would hog the GIL and
    slow the probe thread it is measuring), checking `cond` every 10 ms."""
    t = QElapsedTimer()
    t.start()
    while not cond():
        if t.elapsed() > timeout * 1000:
            return False
        spin(0.01)
    return True


def write_slowly(path: Path, data: bytes, chunks: int = 4) -> float:
    """Write in a few chunks (as a copier does); returns the monotonic time of the last write."""
    step = len(data) // chunks + 1
    last = 0.0
    for i in range(0, len(data), step):
        with open(path, "ab") as f:
            f.write(data[i : i + step])
        last = time.monotonic()
    return last


def bench_kiosk_drops(root: Path, clip: bytes, drops: int, quiet: float) -> list[float]:
    ingest = Ingest(root, quiet_s=quiet, rescan_s=3600, probe=probe)
    ingest.start()
    lat: list[float] = []
    try:
        for i in range(drops):
            name = f"drop-{i:03d}.mp4"
            last = write_slowly(root / name, clip)
            ok = wait_for(lambda n=name: n in {f.rel for f in ingest.library().files}, 30)
            if not ok:
                print(f"  drop {i}: never entered the rotation", file=sys.stderr)
                continue
            lat.append(time.monotonic() - last)
    finally:
        ingest.stop()
    return lat


class _Last(FileSystemEventHandler):
    def __init__(self) -> None:
        self.when: dict[str, float] = {}

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.when[os.path.basename(os.fsdecode(event.src_path))] = time.monotonic()


def bench_watchdog_drops(root: Path, clip: bytes, drops: int) -> list[float]:
    """The floor: when a bare inotify observer reports the last write (admits nothing)."""
    handler = _Last()
    obs = Observer()
    obs.schedule(handler, str(root), recursive=True)
    obs.start()
    lat = []
    try:
        for i in range(drops):
            name = f"raw-{i:03d}.mp4"
            last = write_slowly(root / name, clip)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                seen = handler.when.get(name, 0.0)
                if seen >= last:
                    break
                threading.Event().wait(0.001)
            lat.append(max(0.0, handler.when.get(name, last) - last))
    finally:
        obs.stop()
        obs.join()
    return lat


def fill(root: Path, clip: bytes, total: int = 5000, media_every: int = 50) -> None:
    for i in range(total // 100):
        d = root / f"folder-{i:02d}"
        d.mkdir(parents=True, exist_ok=True)
        for j in range(100):
            n = i * 100 + j
            if n % media_every == 0:
                (d / f"{n}.mp4").write_bytes(clip)
            else:
                (d / f"note-{n}.txt").write_text("x")


def idle_cpu(seconds: float, start: Callable[[], Callable[[], None]]) -> float:
    stop = start()
    spin(0.5)
    c0, t0 = cpu(), time.monotonic()
    spin(seconds)
    used = (cpu() - c0) / (time.monotonic() - t0) * 100
    stop()
    return used


def one_event_ms(root: Path, clip: bytes, quiet: float) -> float:
    """Qt-thread time spent handling one drop (debounce drain + re-stat), in ms."""
    ingest = Ingest(root, quiet_s=quiet, rescan_s=3600, probe=probe)
    ingest.start()
    wait_for(lambda: not ingest.library().pending, 60)
    spent: list[float] = []
    drain = ingest._drain

    def timed() -> None:
        t = time.perf_counter()
        drain()
        spent.append((time.perf_counter() - t) * 1000)

    ingest._debounce.timeout.disconnect()
    ingest._debounce.timeout.connect(timed)
    for i in range(5):
        (root / f"event-{i}.mp4").write_bytes(clip)
        wait_for(lambda i=i: len(spent) > i, 5)
    ingest.stop()
    return statistics.median(spent) if spent else float("nan")


def fmt(values: list[float], unit: str = "s") -> str:
    if not values:
        return "n/a"
    return (
        f"median {statistics.median(values):.3f} {unit}, max {max(values):.3f} {unit} "
        f"(n={len(values)})"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--drops", type=int, default=20)
    ap.add_argument(
        "--quiet", type=float, default=2.0, help="quiet period (s), as sync.quiet_seconds"
    )
    ap.add_argument("--idle", type=float, default=10.0, help="seconds of idle watching to measure")
    args = ap.parse_args()
    QGuiApplication([])
    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-sync-"))
    try:
        clip = make_clip(work / "clip.mp4", "red", seconds=1.0).read_bytes()
        print(
            f"sync_latency: {args.drops} drops of a {len(clip)} B clip written in 4 chunks; "
            f"quiet period {args.quiet:g} s; {os.cpu_count()} cores"
        )

        empty = work / "drops"
        empty.mkdir()
        ours = bench_kiosk_drops(empty, clip, args.drops, args.quiet)
        shutil.rmtree(empty)
        empty.mkdir()
        floor = bench_watchdog_drops(empty, clip, args.drops)
        print("\nlast write -> in the rotation")
        print(f"  kiosk ingest          {fmt(ours)}")
        print(f"  bare watchdog event   {fmt(floor)}   (baseline: notification only, no checks)")
        target = args.quiet + 0.5
        verdict = "OK" if ours and max(ours) <= target else "OVER"
        print(f"  target: within quiet + 0.5 s = {target:g} s -> {verdict}")

        big = work / "big"
        fill(big, clip)
        runs = []
        for _ in range(3):
            c0, t0 = cpu(), time.perf_counter()
            listing = walk(big)
            runs.append((time.perf_counter() - t0, cpu() - c0))
        t0 = time.perf_counter()
        found = subprocess.run(["find", str(big), "-type", "f"], capture_output=True, check=True)
        find_s = time.perf_counter() - t0
        wall, cpu_s = min(runs)
        print("\nfull scan of 5,000 files (100 of them media)")
        print(
            f"  kiosk walk            {wall * 1000:.1f} ms wall, {cpu_s * 1000:.1f} ms CPU, "
            f"{len(listing.files)} media found (best of 3)"
        )
        print(
            f"  find -type f          {find_s * 1000:.1f} ms wall, "
            f"{len(found.stdout.splitlines())} files (baseline)"
        )

        def start_ingest() -> Callable[[], None]:
            ing = Ingest(big, quiet_s=args.quiet, rescan_s=60, probe=probe)
            ing.start()
            wait_for(lambda: not ing.library().pending, 120)
            return ing.stop

        def start_bare() -> Callable[[], None]:
            obs = Observer()
            obs.schedule(FileSystemEventHandler(), str(big), recursive=True)
            obs.start()

            def stop() -> None:
                obs.stop()
                obs.join()

            return stop

        ours_idle = idle_cpu(args.idle, start_ingest)
        bare_idle = idle_cpu(args.idle, start_bare)
        print(f"\nidle watching the 5,000-file folder for {args.idle:g} s (% of one core)")
        print(f"  kiosk ingest          {ours_idle:.2f} %")
        print(f"  bare watchdog         {bare_idle:.2f} %   (baseline)")

        small = work / "small"
        small.mkdir()
        e_small = one_event_ms(small, clip, args.quiet)
        e_big = one_event_ms(big, clip, args.quiet)
        print("\none file event, Qt-thread time to handle it (median of 5)")
        print(f"  empty folder          {e_small:.2f} ms")
        print(
            f"  5,000-file folder     {e_big:.2f} ms   (proportional to the change, not the folder)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
