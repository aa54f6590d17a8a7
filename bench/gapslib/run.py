"""One measured run: a fresh Xvfb, the grab, one player on one playlist until enough transitions."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from gapslib import players
from gapslib.analyse import Analysis, analyse
from gapslib.capture import CaptureCheck, Grab
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
    why = players.missing(player)
    if why is not None:
        res.error = why
        return res
    work.mkdir(parents=True, exist_ok=True)
    work.chmod(0o755)
    # Generous: start-up, then every loop may take twice its nominal time.
    timeout = 30 + 2.5 * media.nominal_loop_seconds(items) * (wanted + 2)
    xvfb = Xvfb(media.width, media.height).start()  # a fresh screen: nothing left from before
    proc = None
    grab: Grab | None = None
    try:
        launch = players.command(player, media, items, xvfb.display, work, cvlc_vout)
        grab = Grab(xvfb.display, media.width, media.height).start()
        spawned = time.monotonic()
        proc = players.start(launch)
        cpu0: tuple[float, float] | None = None
        peak = 0.0
        result = analyse([], items)
        while True:
            time.sleep(0.5)
            now = time.monotonic()
            if proc.poll() is not None:
                res.error = f"{player} exited with {proc.returncode}: see {launch.log}"
                break
            peak = max(peak, players.rss_mb(proc.pid))
            result = analyse(list(grab.samples), items)
            if result.startup_capture is not None and cpu0 is None:
                first_seen = grab.samples[result.startup_capture].t
                if now - first_seen >= SETTLE_S:
                    cpu0 = (now, players.cpu_seconds(proc.pid))
            if enough(result, kinds, wanted):
                break
            if now - spawned > timeout:
                res.error = f"timed out after {now - spawned:.0f} s"
                break
        end = time.monotonic()
        if cpu0 is not None and proc.poll() is None:
            used = players.cpu_seconds(proc.pid) - cpu0[1]
            res.cpu_per_min = used / (end - cpu0[0]) * 60
        res.peak_rss_mb = peak or None
        res.seconds = end - spawned
    finally:
        if proc is not None:
            players.stop(proc)
        if grab is not None:
            grab.stop()
        xvfb.stop()
    res.analysis = analyse(list(grab.samples), items)
    res.capture = grab.check()
    if res.analysis.startup_capture is not None:
        res.startup_ms = (grab.samples[res.analysis.startup_capture].t - spawned) * 1000
    return res
