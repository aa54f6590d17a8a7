"""One measured run: a fresh Xvfb, the grab, one player on one playlist until enough transitions."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from gapslib import players
from gapslib.analyse import Analysis, analyse
from gapslib.capture import CaptureCheck, Grab, Sample
from gapslib.media import Item, Media
from tests.xserver import Xvfb

SETTLE_S = 1.0  # CPU is counted from this long after the first picture (start-up excluded)


@dataclass
class RunResult:
    player: str
    scenario: str  # "main" or "single"
    analysis: Analysis | None = None
    capture: CaptureCheck | None = None
    startup_ms: float | None = None
    cpu_per_min: float | None = None
    peak_rss_mb: float | None = None
    seconds: float = 0.0
    error: str | None = None


def enough(result: Analysis, kinds: tuple[str, ...], wanted: int) -> bool:
    return all(result.count(k) >= wanted for k in kinds)


def prepare(player: str, work: Path) -> str | None:
    """Why `player` cannot run here, or None once its work folder is ready."""
    why = players.missing(player)
    if why is None:
        work.mkdir(parents=True, exist_ok=True)
        work.chmod(0o755)
    return why


@contextlib.contextmanager
def work_folder(prefix: str, keep: bool, say: Callable[[str], None]) -> Iterator[Path]:
    """A fresh folder for a bench run (readable by cvlc's `nobody`), removed unless `keep`."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    work.chmod(0o755)  # cvlc runs as nobody when we are root: it must read the media
    try:
        yield work
    finally:
        if keep:
            say(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


@dataclass
class Watched:
    """What one player did on one fresh screen: the grab's samples and what it cost."""

    samples: list[Sample]
    capture: CaptureCheck
    spawned: float  # time.monotonic() when the player was started
    log: Path
    cpu_per_min: float | None = None
    peak_rss_mb: float | None = None
    seconds: float = 0.0
    error: str | None = None


def watch(
    player: str,
    items: Sequence[Item],
    screen: tuple[int, int],
    region: tuple[int, int],
    command: Callable[[str], players.Launch],
    done: Callable[[Analysis], bool],
    timeout: float,
) -> Watched:
    """Start `player` (`command(display)`) on a fresh Xvfb of `screen`, grab its top-left
    `region` until `done(analysis)` or `timeout`; CPU counted from SETTLE_S after the first
    picture, peak RSS sampled every 0.5 s."""
    xvfb = Xvfb(*screen).start()  # a fresh screen: nothing left from before
    proc = None
    grab: Grab | None = None
    error = None
    cpu = peak = None
    try:
        launch = command(xvfb.display)
        grab = Grab(xvfb.display, *region).start()
        spawned = time.monotonic()
        proc = players.start(launch)
        cpu0: tuple[float, float] | None = None
        top = 0.0
        while True:
            time.sleep(0.5)
            now = time.monotonic()
            if proc.poll() is not None:
                error = f"{player} exited with {proc.returncode}: see {launch.log}"
                break
            top = max(top, players.rss_mb(proc.pid))
            result = analyse(list(grab.samples), items)
            first = result.startup_capture
            if cpu0 is None and first is not None and now - grab.samples[first].t >= SETTLE_S:
                cpu0 = (now, players.cpu_seconds(proc.pid))
            if done(result):
                break
            if now - spawned > timeout:
                error = f"timed out after {now - spawned:.0f} s"
                break
        end = time.monotonic()
        if cpu0 is not None and proc.poll() is None:
            cpu = (players.cpu_seconds(proc.pid) - cpu0[1]) / (end - cpu0[0]) * 60
        peak = top or None
    finally:
        if proc is not None:
            players.stop(proc)
        if grab is not None:
            grab.stop()
        xvfb.stop()
    return Watched(
        list(grab.samples), grab.check(), spawned, launch.log, cpu, peak, end - spawned, error
    )


def measure(
    player: str,
    scenario: str,
    media: Media,
    items: list[Item],
    kinds: tuple[str, ...],
    wanted: int,
    work: Path,
    cvlc_vout: str | None = None,
) -> RunResult:
    """Play `items` with `player` until every kind in `kinds` was seen `wanted` times."""
    res = RunResult(player, scenario)
    res.error = prepare(player, work)
    if res.error is not None:
        return res
    # Generous: start-up, then every loop may take twice its nominal time.
    timeout = 30 + 2.5 * media.nominal_loop_seconds(items) * (wanted + 2)
    screen = (media.width, media.height)
    seen = watch(
        player,
        items,
        screen,
        screen,
        lambda display: players.command(player, media, items, display, work, cvlc_vout),
        lambda result: enough(result, kinds, wanted),
        timeout,
    )
    res.cpu_per_min, res.peak_rss_mb = seen.cpu_per_min, seen.peak_rss_mb
    res.seconds, res.error = seen.seconds, seen.error
    res.analysis = analyse(seen.samples, items)
    res.capture = seen.capture
    if res.analysis.startup_capture is not None:
        res.startup_ms = (seen.samples[res.analysis.startup_capture].t - seen.spawned) * 1000
    return res
