"""bench/heavy's media and runs: a 4K HEVC 10-bit clip that says which frame it is, looped on
a screen of a given size by one player, its frames read back from a corner of the screen.

The clip is a busy moving picture (testsrc2 with film grain, coded as a phone would: HEVC
Main 10 at tens of Mbit/s, a keyframe every second) with a tile in its top-left corner: the
bench's coded frame (gapslib/frames.py) at a tenth of the picture. Only that corner of the
screen is grabbed, so the grab costs next to nothing even on a 3840x2160 screen, and the
frames read there are counted like bench/gaps counts them (gapslib/analyse.py).
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from gapslib import players
from gapslib.analyse import Analysis, analyse
from gapslib.frames import render
from gapslib.media import CLIP_FPS, Item, Media
from gapslib.run import prepare, watch
from tests.mediagen import FFMPEG

SOURCE = (3840, 2160)
TILE = (SOURCE[0] // 10, SOURCE[1] // 10)
COLOUR = "cyan"


@dataclass(frozen=True)
class Clip:
    item: Item
    mbps: float
    seconds: float


def build(folder: Path, seconds: float, noise: int, crf: int) -> Clip:
    """The clip (cached in `folder` by its settings: encoding 4K takes a while)."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = round(seconds * CLIP_FPS)
    path = folder / f"4k-hevc10-{frames}f-n{noise}-crf{crf}-gop{CLIP_FPS}.mp4"
    if not path.exists():
        tmp = path.with_suffix(".part.mp4")
        busy = f"testsrc2=s={SOURCE[0]}x{SOURCE[1]}:r={CLIP_FPS}:d={seconds}"
        if noise:
            busy += f",noise=alls={noise}:allf=t"
        cmd = [
            *(FFMPEG, "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", busy),
            *("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{TILE[0]}x{TILE[1]}"),
            *("-r", str(CLIP_FPS), "-i", "pipe:0"),
            *("-filter_complex", "[0:v][1:v]overlay=0:0:shortest=1,format=yuv420p10le"),
            *("-c:v", "libx265", "-preset", "ultrafast", "-crf", str(crf)),
            # A keyframe every second, as phones write them.
            *("-x265-params", f"log-level=error:keyint={CLIP_FPS}:min-keyint={CLIP_FPS}"),
            *("-tag:v", "hvc1", "-movflags", "+faststart"),
            str(tmp),
        ]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
        assert proc.stdin is not None
        try:
            for n in range(frames):
                proc.stdin.write(render(TILE[0], TILE[1], COLOUR, n))
        finally:
            proc.stdin.close()
        if proc.wait(timeout=3600) != 0:
            raise RuntimeError(f"ffmpeg could not encode {path}")
        tmp.rename(path)
    past = time.time() - 60  # older than the sync folder's quiet period: admitted at once
    os.utime(path, (past, past))
    path.chmod(0o644)
    folder.chmod(0o755)
    mbps = path.stat().st_size * 8 / seconds / 1e6
    return Clip(Item(COLOUR, "video", path, frames), mbps, seconds)


@dataclass
class HeavyRun:
    player: str
    screen: tuple[int, int]
    analysis: Analysis | None = None
    cpu_per_min: float | None = None
    peak_rss_mb: float | None = None
    seconds: float = 0.0
    error: str | None = None
    log: Path | None = None

    def loops(self) -> int:
        """Whole passes of the clip seen (the first and the last may be cut by the grab)."""
        return max(0, len(self.analysis.appearances) - 2) if self.analysis else 0


def measure(player: str, screen: tuple[int, int], clip: Clip, loops: int, work: Path) -> HeavyRun:
    """Loop the clip with `player` on a fresh screen until `loops` whole passes were seen."""
    res = HeavyRun(player, screen)
    res.error = prepare(player, work)
    if res.error is not None:
        return res
    media = Media(clip.item.path.parent, *SOURCE, 1, [], [clip.item])
    seen = watch(
        player,
        [clip.item],
        screen,
        (screen[0] // 10, screen[1] // 10),  # where the tile is: the clip fills the screen
        lambda display: players.command(player, media, [clip.item], display, work),
        lambda result: len(result.appearances) >= loops + 2,
        60 + 3 * clip.seconds * (loops + 2),
    )
    res.cpu_per_min, res.peak_rss_mb = seen.cpu_per_min, seen.peak_rss_mb
    res.seconds, res.error, res.log = seen.seconds, seen.error, seen.log
    res.analysis = analyse(seen.samples, [clip.item])
    return res
